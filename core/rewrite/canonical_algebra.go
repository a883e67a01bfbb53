package rewrite

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// The add/mul normal forms, as Theano's local_mul_canonizer and
// local_add_canonizer compute them. A tree of mul, true_div and neg nodes
// (or of add, sub and neg nodes) of one dtype is flattened into operands
// with a side (numerator or denominator; plus or minus) and a constant
// coefficient; equal operands on both sides cancel, and the tree is
// rebuilt as
//
//	c * n1 * n2 ... / (d1 * d2 ...)      p1 + p2 ... + c - m1 - m2 ...
//
// when that is smaller (fewer nodes and constants) or cancels something.
// Only nodes whose output has the root's dtype are flattened, so integer
// division (int_div, mod) and the float true_div of integers stay leaves,
// and the casts the tree performed are made explicit on the operands.
//
// Cancellation assumes a cancelled operand is finite (and, for division,
// nonzero), as Theano does: x / x is 1 even where x is 0. Nothing else
// changes NaN or inf results: x * 0 stays for floats.

// algebra describes one of the two families: its tree ops and how
// constants combine.
type algebra struct {
	combine, inverse string // "mul", "true_div" or "add", "sub"
	identity         float64
}

var (
	mulAlgebra = algebra{combine: "mul", inverse: "true_div", identity: 1}
	addAlgebra = algebra{combine: "add", inverse: "sub", identity: 0}
)

// operand is a leaf of the tree: its variable and whether it is inverted
// (in the denominator, or subtracted).
type operand struct {
	v   *graph.Variable
	inv bool
}

// flatTree is a flattened tree.
type flatTree struct {
	dt       dtype.DType
	operands []operand
	consts   []operand // constant leaves, folded into the coefficient
	negated  bool      // an odd number of neg nodes (mul trees)
	nodes    int       // tree nodes flattened
}

// canonicalizable reports whether trees of dtype dt are normalized: real
// floats and integers (bools and complex numbers are left alone).
func canonicalizable(dt dtype.DType) bool {
	return dt.IsFloat() || dt.IsInteger()
}

// maxTreeNodes bounds the nodes flattened into one tree: a tree whose
// subexpressions are shared (x2 = x1*x1, x3 = x2*x2, ...) is a DAG whose
// expansion grows exponentially; past the bound, subtrees stay operands.
const maxTreeNodes = 128

// flatten walks the tree under v (of dtype dt) into t.
func (a algebra) flatten(t *flatTree, v *graph.Variable, inv bool) {
	n, name := ScalarNode(v)
	if n != nil && v.Type.DType == t.dt && t.nodes < maxTreeNodes {
		switch name {
		case a.combine, a.inverse:
			t.nodes++
			a.flatten(t, n.Inputs[0], inv)
			a.flatten(t, n.Inputs[1], inv != (name == a.inverse))
			return
		case "neg":
			t.nodes++
			if a.combine == "mul" {
				t.negated = !t.negated
				a.flatten(t, n.Inputs[0], inv)
			} else {
				a.flatten(t, n.Inputs[0], !inv)
			}
			return
		}
	}
	if _, _, ok := uniformConst(v); ok {
		t.consts = append(t.consts, operand{v, inv})
		return
	}
	t.operands = append(t.operands, operand{v, inv})
}

// coefficient folds the constant leaves (and a mul tree's sign) into one
// number, computed in float64 for floats and wrapping int64 for integers.
func (a algebra) coefficient(t *flatTree) (f float64, i int64) {
	f, i = a.identity, int64(a.identity)
	for _, c := range t.consts {
		cf, ci, _ := uniformConst(c.v)
		switch {
		case a.combine == "add" && c.inv:
			f, i = f-cf, i-ci
		case a.combine == "add":
			f, i = f+cf, i+ci
		case c.inv:
			f = f / cf // only float trees have a denominator
		default:
			f, i = f*cf, i*ci
		}
	}
	if t.negated {
		f, i = -f, -i
	}
	return f, i
}

// cancel removes pairs of equal operands on opposite sides and returns the
// operands left and the cancelled ones.
func cancel(ops []operand) (left []operand, cancelled []*graph.Variable) {
	gone := make([]bool, len(ops))
	for i, p := range ops {
		if gone[i] {
			continue
		}
		for j := i + 1; j < len(ops); j++ {
			q := ops[j]
			if !gone[j] && p.inv != q.inv && sameExpr(p.v, q.v, sameExprDepth) {
				gone[i], gone[j] = true, true
				cancelled = append(cancelled, p.v, q.v)
				break
			}
		}
	}
	for i, p := range ops {
		if !gone[i] {
			left = append(left, p)
		}
	}
	return left, cancelled
}

// canonicalize is the rule body shared by the two families.
func (a algebra) canonicalize(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	out := n.Outputs[0]
	if !canonicalizable(out.Type.DType) {
		return nil, nil
	}
	t := &flatTree{dt: out.Type.DType}
	a.flatten(t, out, false)
	left, cancelled := cancel(t.operands)
	f, i := a.coefficient(t)
	isInt := t.dt.IsDiscrete()
	isIdentity := (isInt && i == int64(a.identity)) || (!isInt && f == a.identity)
	minusOne := (isInt && i == -1) || (!isInt && f == -1)

	var num, den []*graph.Variable
	for _, o := range left {
		if o.inv {
			den = append(den, o.v)
		} else {
			num = append(num, o.v)
		}
	}
	dropped := append(cancelled, constVars(t.consts)...)
	e := ops.NewExpr(b)
	coef := func() *graph.Variable { return scalarConst(b, t.dt, f, i) }

	if a.combine == "mul" && isInt && i == 0 && len(t.consts) > 0 {
		// x * 0 -> zeros, for integers only (a float x may be NaN or inf)
		r := fitType(e, coef(), out.Type, append(dropped, vars(t.operands)...))
		return one(r), e.Err
	}

	// The size of the rebuilt tree: nodes plus constants, against the
	// original's, decides whether rebuilding simplifies.
	size := 0
	var r *graph.Variable
	switch {
	case len(num)+len(den) == 0:
		size = 1
		r = coef()
	case a.combine == "mul":
		withCoef := !isIdentity && !(minusOne && len(num) > 0)
		if len(num) == 0 {
			withCoef = true // c / (d1 * ...): the numerator is the constant
		}
		leaves := len(num)
		if withCoef {
			leaves++
			r = coef()
		}
		size = leaves - 1 + boolInt(withCoef)
		for _, v := range num {
			r = product(e, r, e.Cast(v, t.dt), "mul")
		}
		if len(den) > 0 {
			size += len(den)
			var d *graph.Variable
			for _, v := range den {
				d = product(e, d, e.Cast(v, t.dt), "mul")
			}
			r = e.Div(r, d)
		}
		if !withCoef && minusOne {
			size++
			r = e.Neg(r)
		}
	default:
		withCoef := !isIdentity
		leaves := len(num) + boolInt(withCoef)
		size = boolInt(withCoef) + len(den) + max(leaves-1, 0)
		for _, v := range num {
			r = product(e, r, e.Cast(v, t.dt), "add")
		}
		if withCoef {
			r = product(e, r, coef(), "add")
		}
		for _, v := range den {
			if r == nil {
				r = e.Neg(e.Cast(v, t.dt))
			} else {
				r = e.Sub(r, e.Cast(v, t.dt))
			}
		}
	}
	if len(cancelled) == 0 && size >= t.nodes+len(t.consts) {
		return nil, nil
	}
	return one(fitType(e, r, out.Type, dropped)), e.Err
}

// product combines acc (nil: none yet) with v by the op called name.
func product(e *ops.Expr, acc, v *graph.Variable, name string) *graph.Variable {
	if acc == nil {
		return v
	}
	return e.Call(name, acc, v)
}

func constVars(os []operand) []*graph.Variable { return vars(os) }

func vars(os []operand) []*graph.Variable {
	vs := make([]*graph.Variable, len(os))
	for i, o := range os {
		vs[i] = o.v
	}
	return vs
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
