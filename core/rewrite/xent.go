package rewrite

import (
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// specialize tags the faster forms the specialize pass runs.
var specialize = []string{"specialize", "fast_run"}

// xentRules make softmax and sigmoid cross-entropies stable, values and
// gradients. The values become logsoftmax and softplus forms (with the
// stability rules); the gradients, which grad builds on the user's graph
// before any rewrite, divide by the softmax or sigmoid and multiply by it
// again in its pullback: these rules cancel the pair, so that nothing
// divides by a probability that underflowed to 0.
var xentRules = []*Rule{
	{Name: "log_softmax_index", Tags: stabilize, Roots: []string{"log"}, Rewrite: singleRule(logSoftmaxIndex)},               // log(softmax(x)[idx...]) -> logsoftmax(x)[idx...] (categorical_crossentropy with class indices)
	{Name: "softmax_grad_stable", Tags: stabilize, Roots: []string{"SoftmaxGradOp"}, Rewrite: singleRule(softmaxGradStable)}, // softmax_grad(g / s, s) -> g - s·Σ g; inc(0, h / s[idx], idx) counts as g = inc(0, h, idx)
	{Name: "sigmoid_grad_stable", Tags: stabilize, Roots: []string{"mul"}, Rewrite: singleRule(sigmoidGradStable)},           // (g / sigmoid(z)) · sigmoid(z)·sigmoid(-z) -> g·sigmoid(-z), and g / sigmoid(-z) gives g·sigmoid(z)
	{Name: "argmax_softmax", Tags: specialize, Roots: []string{"ArgReduce"}, Rewrite: singleRule(argmaxSoftmax)},             // argmax(softmax(x), last axis) -> argmax(x, last axis)
}

// softmaxOf returns x for v = softmax(x).
func softmaxOf(v *graph.Variable) (*graph.Variable, bool) {
	if v.Owner != nil && v.Owner.Op == (ops.SoftmaxOp{}) {
		return v.Owner.Inputs[0], true
	}
	return nil, false
}

func logSoftmaxIndex(e *ops.Expr, n *graph.Apply) *graph.Variable {
	sel := n.Inputs[0].Owner
	if sel == nil || sel.Op != (ops.AdvancedSubtensorOp{}) {
		return nil
	}
	x, ok := softmaxOf(sel.Inputs[0])
	if !ok {
		return nil
	}
	return e.AdvancedSubtensor(e.Apply(ops.SoftmaxOp{Log: true}, x), sel.Inputs[1:]...)
}

func softmaxGradStable(e *ops.Expr, n *graph.Apply) *graph.Variable {
	d, s := n.Inputs[0], n.Inputs[1]
	// term builds t·s for a term t that divides by s.
	term := func(t *graph.Variable) (func() *graph.Variable, bool) {
		if g, ok := quotient(t, s); ok {
			return func() *graph.Variable { return g }, true
		}
		// inc(zeros, h / s[idx], idx)·s = inc(zeros, h, idx), also where idx repeats.
		inc := t.Owner
		if inc == nil || inc.Op != (ops.AdvancedIncSubtensorOp{}) || !isZeros(inc.Inputs[0]) {
			return nil, false
		}
		idx := inc.Inputs[2:]
		num, den, ok := division(inc.Inputs[1])
		if !ok || den.Owner == nil || den.Owner.Op != (ops.AdvancedSubtensorOp{}) || !sameValue(den.Owner.Inputs[0], s) || !sameValues(den.Owner.Inputs[1:], idx) {
			return nil, false
		}
		return func() *graph.Variable {
			return e.Apply(inc.Op, append([]*graph.Variable{inc.Inputs[0], num}, idx...)...)
		}, true
	}
	g, ok := sumTimes(e, d, term, func(t *graph.Variable) *graph.Variable { return e.Mul(t, s) })
	if !ok {
		return nil
	}
	g = e.Cast(g, s.Type.DType)
	last := []int{s.Type.Ndim() - 1}
	return e.Sub(g, e.Mul(s, e.Sum(g, last, true)))
}

func sameValues(a, b []*graph.Variable) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameValue(a[i], b[i]) {
			return false
		}
	}
	return true
}

func sigmoidGradStable(e *ops.Expr, n *graph.Apply) *graph.Variable {
	for _, k := range []int{1, 0} {
		f := n.Inputs[k]
		u, v, ok := operands(f, "mul")
		if !ok {
			continue
		}
		zu, su, okU := sigmoidOf(u)
		zv, sv, okV := sigmoidOf(v)
		if !okU || !okV || su != -sv || !sameValue(zu, zv) {
			continue
		}
		// term builds t·u·v for t = g / u (giving g·v) or g / v (giving g·u).
		term := func(t *graph.Variable) (func() *graph.Variable, bool) {
			num, den, ok := division(t)
			if !ok {
				return nil, false
			}
			z, s, ok := sigmoidOf(den)
			if !ok || !sameValue(z, zu) {
				return nil, false
			}
			other := v
			if s != su {
				other = u
			}
			return func() *graph.Variable { return e.Mul(num, other) }, true
		}
		g, ok := sumTimes(e, n.Inputs[1-k], term, func(t *graph.Variable) *graph.Variable { return e.Mul(t, f) })
		if ok {
			return g
		}
	}
	return nil
}

func argmaxSoftmax(e *ops.Expr, n *graph.Apply) *graph.Variable {
	op := n.Op.(ops.ArgReduce)
	x, ok := softmaxOf(n.Inputs[0])
	if !ok || op.Min || op.Axes != graph.NewAxisSet(x.Type.Ndim()-1) {
		return nil
	}
	return e.Apply(op, x)
}
