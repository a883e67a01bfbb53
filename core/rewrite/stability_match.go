package rewrite

import (
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// Matching helpers of the stability and cross-entropy rules. They accept
// the forms the user's graph and its gradient have (neg(x), 1 - x) and the
// ones a canonicalizer may leave (mul(-1, x), add(1, neg(x))).

// singleRule adapts a rule that builds one replacement with an Expr: nil
// declines, and so does a replacement of another dtype or rank than the
// node's output (an integer input the rule's float form would change).
func singleRule(f func(e *ops.Expr, n *graph.Apply) *graph.Variable) func(*graph.Builder, *graph.Apply) ([]*graph.Variable, error) {
	return func(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
		e := ops.NewExpr(b)
		v := f(e, n)
		if e.Err != nil {
			return nil, e.Err
		}
		old := n.Outputs[0].Type
		if v == nil || v.Type.DType != old.DType || v.Type.Ndim() != old.Ndim() {
			return nil, nil
		}
		return []*graph.Variable{v}, nil
	}
}

// input returns v's owner's only input when v is the scalar row name applied
// elementwise: input(v, "exp") is x for v = exp(x).
func input(v *graph.Variable, name string) (*graph.Variable, bool) {
	if n, got := ScalarNode(v); got == name && len(n.Inputs) == 1 {
		return n.Inputs[0], true
	}
	return nil, false
}

// operands returns the two inputs of v when v is the binary row name.
func operands(v *graph.Variable, name string) (*graph.Variable, *graph.Variable, bool) {
	if n, got := ScalarNode(v); got == name && len(n.Inputs) == 2 {
		return n.Inputs[0], n.Inputs[1], true
	}
	return nil, nil, false
}

// scalarConstant reports whether v is a constant equal to c everywhere that
// broadcasts (every static length 1), so that dropping it cannot change the
// shape of the expression it is in.
func scalarConstant(v *graph.Variable, c float64) bool {
	for _, n := range v.Type.Shape {
		if n != 1 {
			return false
		}
	}
	return IsConstant(v, c)
}

// negated returns x for v = -x: neg(x), mul(-1, x) or mul(x, -1).
func negated(v *graph.Variable) (*graph.Variable, bool) {
	if x, ok := input(v, "neg"); ok {
		return x, true
	}
	if a, b, ok := operands(v, "mul"); ok {
		if scalarConstant(a, -1) {
			return b, true
		}
		if scalarConstant(b, -1) {
			return a, true
		}
	}
	return nil, false
}

// negate builds -v, removing a negation instead of adding a second one.
func negate(e *ops.Expr, v *graph.Variable) *graph.Variable {
	if x, ok := negated(v); ok {
		return x
	}
	return e.Neg(v)
}

// plusConstant returns x for v = c + x or x + c (c a broadcasting constant).
func plusConstant(v *graph.Variable, c float64) (*graph.Variable, bool) {
	a, b, ok := operands(v, "add")
	switch {
	case !ok:
		return nil, false
	case scalarConstant(a, c):
		return b, true
	case scalarConstant(b, c):
		return a, true
	}
	return nil, false
}

// oneMinus returns x for v = 1 - x: sub(1, x), add(1, -x) or add(-x, 1).
func oneMinus(v *graph.Variable) (*graph.Variable, bool) {
	if a, b, ok := operands(v, "sub"); ok && scalarConstant(a, 1) {
		return b, true
	}
	if y, ok := plusConstant(v, 1); ok {
		return negated(y)
	}
	return nil, false
}

// sigmoidOf recognises v = sigmoid(sign·z) with sign ±1: sigmoid(z) is
// (z, +1); sigmoid(-z) and 1 - sigmoid(z) are (z, -1).
func sigmoidOf(v *graph.Variable) (z *graph.Variable, sign int, ok bool) {
	if x, ok := input(v, "sigmoid"); ok {
		if y, ok := negated(x); ok {
			return y, -1, true
		}
		return x, 1, true
	}
	if s, ok := oneMinus(v); ok {
		if z, sign, ok := sigmoidOf(s); ok {
			return z, -sign, true
		}
	}
	return nil, 0, false
}

// sameValue reports whether a and b compute the same value: the same
// variable, equal constants, or outputs of equal ops on inputs that are the
// same (a few levels deep). Rewrites rebuild nodes, so the softmax a
// gradient divides by and the one it multiplies by may be two equal nodes.
func sameValue(a, b *graph.Variable) bool { return sameValueDepth(a, b, 6) }

func sameValueDepth(a, b *graph.Variable, depth int) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil || depth == 0 || !a.Type.Equal(b.Type) {
		return false
	}
	if a.IsConstant() || b.IsConstant() {
		x, okA := ConstantValue(a)
		y, okB := ConstantValue(b)
		return okA && okB && x == y && a.IsConstant() && b.IsConstant()
	}
	na, nb := a.Owner, b.Owner
	if na == nil || nb == nil || na.Op != nb.Op || len(na.Inputs) != len(nb.Inputs) || outputIndex(a) != outputIndex(b) {
		return false
	}
	for i := range na.Inputs {
		if !sameValueDepth(na.Inputs[i], nb.Inputs[i], depth-1) {
			return false
		}
	}
	return true
}

func outputIndex(v *graph.Variable) int {
	for i, o := range v.Owner.Outputs {
		if o == v {
			return i
		}
	}
	return -1
}

// isZeros reports whether v is zeros: a constant 0 or zeros_like(x) (second(x, 0)).
func isZeros(v *graph.Variable) bool {
	if _, c, ok := operands(v, "second"); ok {
		return IsConstant(c, 0)
	}
	return IsConstant(v, 0)
}

// cancelTerm recognises a term t that cancels a division when multiplied
// by some factor f and returns the builder of t·f simplified: for f = s,
// true_div(g, s) gives g.
type cancelTerm func(t *graph.Variable) (build func() *graph.Variable, ok bool)

// sumTimes distributes a product over the sum v: it returns Σ t·f over the
// terms t of v (v is a tree of add, sub and negations), built by term where the
// term cancels and by other(t) elsewhere. It declines (ok false) unless at
// least one term cancels.
//
//	sumTimes(e, add(true_div(g, s), h), s-cancelling, times s) -> add(g, mul(h, s))
func sumTimes(e *ops.Expr, v *graph.Variable, term cancelTerm, other func(t *graph.Variable) *graph.Variable) (*graph.Variable, bool) {
	const depth = 4
	if !cancels(v, term, depth) {
		return nil, false
	}
	var build func(v *graph.Variable, depth int) *graph.Variable
	build = func(v *graph.Variable, depth int) *graph.Variable {
		if f, ok := term(v); ok {
			return f()
		}
		if depth > 0 {
			if a, b, ok := operands(v, "add"); ok {
				return e.Add(build(a, depth-1), build(b, depth-1))
			}
			if a, b, ok := operands(v, "sub"); ok {
				return e.Sub(build(a, depth-1), build(b, depth-1))
			}
			if x, ok := negated(v); ok {
				return e.Neg(build(x, depth-1))
			}
		}
		return other(v)
	}
	return build(v, depth), true
}

// cancels reports whether a term of the sum v cancels (see sumTimes).
func cancels(v *graph.Variable, term cancelTerm, depth int) bool {
	if _, ok := term(v); ok {
		return true
	}
	if depth == 0 {
		return false
	}
	if a, b, ok := operands(v, "add"); ok {
		return cancels(a, term, depth-1) || cancels(b, term, depth-1)
	}
	if a, b, ok := operands(v, "sub"); ok {
		return cancels(a, term, depth-1) || cancels(b, term, depth-1)
	}
	if x, ok := negated(v); ok {
		return cancels(x, term, depth-1)
	}
	return false
}

// division returns (p, d) for v = p / d: true_div(p, d), or p times 1/d
// or d⁻¹ (the forms a canonicalizer may leave).
func division(v *graph.Variable) (p, d *graph.Variable, ok bool) {
	if p, d, ok := operands(v, "true_div"); ok {
		return p, d, true
	}
	reciprocal := func(r *graph.Variable) (*graph.Variable, bool) {
		if one, d, ok := operands(r, "true_div"); ok && scalarConstant(one, 1) {
			return d, true
		}
		if d, k, ok := operands(r, "pow"); ok && scalarConstant(k, -1) {
			return d, true
		}
		return nil, false
	}
	if a, b, ok := operands(v, "mul"); ok {
		if d, ok := reciprocal(b); ok {
			return a, d, true
		}
		if d, ok := reciprocal(a); ok {
			return b, d, true
		}
	}
	return nil, nil, false
}

// quotient returns p for v = p / d with d the same value as by.
func quotient(v, by *graph.Variable) (*graph.Variable, bool) {
	if p, d, ok := division(v); ok && sameValue(d, by) {
		return p, true
	}
	return nil, false
}
