package control

import (
	"fmt"

	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// IfElseOp is Theano's ifelse: N outputs, each the then branch's value
// when the scalar condition is nonzero, else the else branch's.
//
// It has two forms. As built (Then == nil), its inputs are Theano's:
// [cond, then_1..then_N, else_1..else_N], so that the gradient is a
// pullback like any op's. The compile pass ifelse_lazy (core/compile)
// then moves every node that only one branch needs into that branch's
// inner graph: the lazy form holds Then and Else, and its inputs are
// [cond, then's free values..., else's free values...]. Only the taken
// branch's inner graph runs, in the evaluator and in a C++ kernel.
//
//	ifelse(c, x[idx], y)   ->   ifelse{lazy}(c, x, idx, y)   with Then = p0[p1], Else = p0
type IfElseOp struct {
	N          int
	Then, Else *Graph // nil in the built form
}

// IfElse builds ifelse(cond, then, else) for branches of matching types:
// same dtype, rank and broadcast pattern (a static length the two
// branches disagree on is unknown in the output). cond must be a scalar.
//
//	outs, err := control.IfElse(b, c, []*graph.Variable{x}, []*graph.Variable{y})
func IfElse(b *graph.Builder, cond *graph.Variable, then, els []*graph.Variable) ([]*graph.Variable, error) {
	if len(then) != len(els) {
		return nil, graph.ValueErrorf("ifelse: the then branch has %d values and the else branch %d: they must have as many", len(then), len(els))
	}
	if len(then) == 0 {
		return nil, graph.ValueErrorf("ifelse: the branches hold no value")
	}
	ins := append(append([]*graph.Variable{cond}, then...), els...)
	n, err := b.Apply(IfElseOp{N: len(then)}, ins...)
	if err != nil {
		return nil, err
	}
	return n.Outputs, nil
}

func (op IfElseOp) Name() string { return "ifelse" }

func (op IfElseOp) ParamString() string {
	if op.Then == nil {
		return fmt.Sprintf("n=%d", op.N)
	}
	return fmt.Sprintf("n=%d lazy", op.N)
}

// Lazy reports whether the op is in the lazy form (holds its branches).
func (op IfElseOp) Lazy() bool { return op.Then != nil }

// branchTypes returns the then and else values' types.
func (op IfElseOp) branchTypes(inputs []*graph.Variable) (then, els []graph.Type) {
	if op.Lazy() {
		return graph.TypesOf(op.Then.Outputs), graph.TypesOf(op.Else.Outputs)
	}
	return graph.TypesOf(inputs[1 : 1+op.N]), graph.TypesOf(inputs[1+op.N:])
}

func (op IfElseOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	want := 1 + 2*op.N
	if op.Lazy() {
		if len(op.Then.Outputs) != op.N || len(op.Else.Outputs) != op.N {
			return nil, fmt.Errorf("ifelse: branches with %d and %d outputs for n=%d", len(op.Then.Outputs), len(op.Else.Outputs), op.N)
		}
		want = 1 + len(op.Then.Inputs) + len(op.Else.Inputs)
	}
	if len(inputs) != want {
		return nil, graph.TypeErrorf("ifelse: takes %d inputs, got %d", want, len(inputs))
	}
	if op.Lazy() {
		for i, p := range append(append([]*graph.Variable{}, op.Then.Inputs...), op.Else.Inputs...) {
			if in := inputs[1+i]; in.Type.DType != p.Type.DType || in.Type.Ndim() != p.Type.Ndim() {
				return nil, graph.TypeErrorf("ifelse: input %d of type %v is bound to a branch argument of type %v", 1+i, in.Type, p.Type)
			}
		}
	}
	c := inputs[0]
	if c.Type.Ndim() != 0 {
		return nil, graph.TypeErrorf("ifelse: the condition must be a scalar, got %v of type %v", c, c.Type)
	}
	if c.Type.DType.IsComplex() {
		return nil, graph.TypeErrorf("ifelse: the condition must be a boolean or real scalar, got %v of type %v", c, c.Type)
	}
	then, els := op.branchTypes(inputs)
	out := make([]graph.Type, op.N)
	for i := range out {
		t, e := then[i], els[i]
		if t.DType != e.DType || t.Ndim() != e.Ndim() || !sameBroadcast(t, e) {
			return nil, graph.TypeErrorf("ifelse: the two branches must have the same type, but value %d is %v in the then branch and %v in the else branch", i, t, e)
		}
		shape := append([]int{}, t.Shape...)
		for d := range shape {
			if shape[d] != e.Shape[d] {
				shape[d] = graph.Unknown
			}
		}
		out[i] = graph.NewType(t.DType, shape...)
	}
	return out, nil
}

// sameBroadcast reports whether t and u have the same broadcast pattern.
func sameBroadcast(t, u graph.Type) bool {
	bt, bu := t.Broadcastable(), u.Broadcastable()
	for i := range bt {
		if bt[i] != bu[i] {
			return false
		}
	}
	return true
}

// Truth is the value of a scalar condition: nonzero is true (NaN too, as
// Python's bool(float('nan'))).
func Truth(c *tensor.Array) bool {
	for _, z := range c.Complex128s() {
		return z != 0
	}
	return false
}

// Evaluate runs the taken branch only: in the lazy form its inner graph
// on its free values; in the built form it passes the taken values on.
func (op IfElseOp) Evaluate(node *graph.Apply, inputs []*tensor.Array) ([]*tensor.Array, error) {
	taken := Truth(inputs[0])
	if !op.Lazy() {
		if taken {
			return append([]*tensor.Array{}, inputs[1:1+op.N]...), nil
		}
		return append([]*tensor.Array{}, inputs[1+op.N:]...), nil
	}
	nt := len(op.Then.Inputs)
	if taken {
		return op.Then.Run(inputs[1 : 1+nt])
	}
	return op.Else.Run(inputs[1+nt:])
}

// OutputShapes: in the built form, each length is the taken branch's
// (switch(cond, then's, else's), or the common one when both agree); the
// lazy form's lengths are known only once its branch has run.
func (op IfElseOp) OutputShapes(b *graph.Builder, node *graph.Apply, inputShapes [][]*graph.Variable) ([][]*graph.Variable, error) {
	if op.Lazy() {
		return nil, fmt.Errorf("ifelse: the lengths of a lazy ifelse are known only when its branch has run")
	}
	e := ops.NewExpr(b)
	c := node.Inputs[0]
	out := make([][]*graph.Variable, op.N)
	for i := range out {
		ts, es := inputShapes[1+i], inputShapes[1+op.N+i]
		for d := range ts {
			t, u := ts[d], es[d]
			if t == u || (t.IsConstant() && u.IsConstant() && t.Value.Int64s()[0] == u.Value.Int64s()[0]) {
				out[i] = append(out[i], t)
				continue
			}
			out[i] = append(out[i], e.Call("switch", c, t, u))
		}
	}
	return out, e.Err
}

// Pullback of the built form: a then value's gradient is the output's
// gradient when the then branch is taken and zeros otherwise,
// ifelse(c, g, zeros_like(g)); an else value's is ifelse(c, zeros_like(g), g);
// the condition has none.
func (op IfElseOp) Pullback(b *graph.Builder, node *graph.Apply, outputGrads []*graph.Variable) ([]*graph.Variable, error) {
	if op.Lazy() {
		return nil, fmt.Errorf("ifelse: no gradient through the lazy form (take gradients before compiling)")
	}
	e := ops.NewExpr(b)
	grads := make([]*graph.Variable, len(node.Inputs))
	c := node.Inputs[0]
	var gs, zs []*graph.Variable
	var at []int
	for i, g := range outputGrads {
		if g == nil {
			continue
		}
		if g.Type.DType != node.Outputs[i].Type.DType {
			g = e.Cast(g, node.Outputs[i].Type.DType)
		}
		gs = append(gs, g)
		zs = append(zs, e.ZerosLike(g))
		at = append(at, i)
	}
	if e.Err != nil || len(gs) == 0 {
		return grads, e.Err
	}
	thenGrads, err := IfElse(b, c, gs, zs)
	if err != nil {
		return nil, err
	}
	elseGrads, err := IfElse(b, c, zs, gs)
	if err != nil {
		return nil, err
	}
	for k, i := range at {
		grads[1+i] = thenGrads[k]
		grads[1+op.N+i] = elseGrads[k]
	}
	return grads, nil
}

// InnerGraphs returns the branches (nil in the built form).
func (op IfElseOp) InnerGraphs() []*Graph { return []*Graph{op.Then, op.Else} }

// WithInnerGraphs returns the op holding the branches gs[0] and gs[1].
func (op IfElseOp) WithInnerGraphs(gs []*Graph) graph.Op {
	return IfElseOp{N: op.N, Then: gs[0], Else: gs[1]}
}
