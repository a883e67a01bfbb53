// Package grad builds symbolic gradients by reverse-mode differentiation:
// it walks the graph from the cost back to the variables, calling each op's
// Pullback and summing the contributions that reach a variable along
// several paths.
//
//	gs, _, err := grad.Grad(b, cost, []*graph.Variable{W, bias}, grad.Options{})
package grad

import (
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// Options mirror theano.grad's keyword arguments.
type Options struct {
	// Disconnected says what to do with a wrt variable the cost does not
	// depend on: "raise" (the default), "warn" or "ignore" (both give zeros).
	Disconnected string
	// ConsiderConstant variables are treated as constants: no gradient
	// flows through them.
	ConsiderConstant []*graph.Variable
}

// Grad returns d cost / d w for each w in wrt, as graph variables of w's
// type. cost must be a float scalar. disconnected lists the indices of wrt
// that the cost does not depend on (given zeros unless Options say raise).
func Grad(b *graph.Builder, cost *graph.Variable, wrt []*graph.Variable, opt Options) (grads []*graph.Variable, disconnected []int, err error) {
	if cost.Type.Ndim() != 0 {
		return nil, nil, graph.TypeErrorf("grad: the cost must be a scalar, but it has type %v", cost.Type)
	}
	if cost.Type.DType.IsDiscrete() {
		return nil, nil, graph.TypeErrorf("grad: the cost must be a float, but it has type %v", cost.Type)
	}
	order := graph.Toposort([]*graph.Variable{cost})
	live := dependsOn(order, wrt, opt.ConsiderConstant)

	e := ops.NewExpr(b)
	acc := map[*graph.Variable]*graph.Variable{cost: e.Const(1, cost)}
	for i := len(order) - 1; i >= 0; i-- {
		node := order[i]
		outGrads := make([]*graph.Variable, len(node.Outputs))
		any := false
		for j, o := range node.Outputs {
			outGrads[j] = acc[o]
			any = any || acc[o] != nil
		}
		if !any || !nodeIsLive(node, live) {
			continue
		}
		d, ok := node.Op.(graph.Differentiable)
		if !ok {
			return nil, nil, graph.TypeErrorf("grad: %s has no gradient (needed for the gradient of the cost)", graph.OpString(node.Op))
		}
		inGrads, err := d.Pullback(b, node, outGrads)
		if err != nil {
			return nil, nil, err
		}
		for j, in := range node.Inputs {
			g := inGrads[j]
			if g == nil || !live[in] {
				continue
			}
			g = broadcastLike(e, g, in)
			if prev := acc[in]; prev != nil {
				g = e.Add(prev, g)
			}
			acc[in] = g
		}
	}
	if e.Err != nil {
		return nil, nil, e.Err
	}
	ancestors := map[*graph.Variable]bool{cost: true}
	for _, n := range order {
		for _, in := range n.Inputs {
			ancestors[in] = true
		}
	}
	grads = make([]*graph.Variable, len(wrt))
	for i, w := range wrt {
		g := acc[w]
		if !ancestors[w] || isConstant(w, opt.ConsiderConstant) {
			if opt.Disconnected == "" || opt.Disconnected == "raise" {
				return nil, nil, graph.Errorf(graph.KindDisconnected,
					"grad method was asked to compute the gradient with respect to a variable that is not part of the computational graph of the cost, or is used only by a non-differentiable operator: %v (pass disconnected_inputs='ignore' or 'warn')", w)
			}
			disconnected = append(disconnected, i)
		}
		if g == nil {
			g = e.ZerosLike(w)
		} else {
			g = e.Cast(g, w.Type.DType)
		}
		grads[i] = g
	}
	return grads, disconnected, e.Err
}

// broadcastLike gives g the broadcast pattern of x: where x's type says a
// dimension has length 1 (it broadcasts) and g's does not, g is summed
// over it, keeping the dimension. The length is 1 at run time either way,
// but later elementwise ops broadcast only by the type (Theano's rule): the
// gradient of dot(v, k) with respect to a keepdims reduction k, typed like
// v, once met the gradient of that reduction as a non-broadcastable (1,)
// against its (4,) input and failed with a dimension mismatch.
func broadcastLike(e *ops.Expr, g, x *graph.Variable) *graph.Variable {
	if g.Type.Ndim() != x.Type.Ndim() {
		return g
	}
	var axes []int
	for d, l := range x.Type.Shape {
		if l == 1 && g.Type.Shape[d] != 1 {
			axes = append(axes, d)
		}
	}
	if len(axes) == 0 {
		return g
	}
	return e.Sum(g, axes, true)
}

// dependsOn marks every variable whose value depends on one of wrt,
// stopping at the variables considered constant.
func dependsOn(order []*graph.Apply, wrt, constants []*graph.Variable) map[*graph.Variable]bool {
	live := map[*graph.Variable]bool{}
	for _, w := range wrt {
		if !isConstant(w, constants) {
			live[w] = true
		}
	}
	for _, node := range order {
		if !nodeIsLive(node, live) {
			continue
		}
		for _, o := range node.Outputs {
			if !isConstant(o, constants) {
				live[o] = true
			}
		}
	}
	return live
}

func nodeIsLive(node *graph.Apply, live map[*graph.Variable]bool) bool {
	for _, in := range node.Inputs {
		if live[in] {
			return true
		}
	}
	return false
}

func isConstant(v *graph.Variable, constants []*graph.Variable) bool {
	for _, c := range constants {
		if c == v {
			return true
		}
	}
	return false
}
