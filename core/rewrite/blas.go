package rewrite

import (
	"slices"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// blasRules fold the scaling and accumulation around a dot into one BLAS
// op (ops.GemmOp, GemvOp, GerOp). They look at a sum or difference of a
// scaled dot and a scaled accumulator, where a scale is a product of signs
// and scalar factors (0-d, constant or symbolic, broadcast by dimshuffles):
// the SGD update `W - lr*dot(X.T, G)` is one gemm. They do not fire when the
// dtype is not float32 or float64, when the dot's operands, the accumulator
// and the result differ in dtype, or when the accumulator is broadcast
// (a bias row `b + dot(X, W)` stays a dot and an add: that is an epilogue
// for fusion, not an accumulation). A plain dot is left alone: dot already
// evaluates with gemm. ger is tried first: its pattern is a matrix dot too.
var blasRules = []*Rule{
	{Name: "ger", Tags: blasTags, Roots: accumulations, Rewrite: toGer},   // Z ± a*dot(x[:, None], y[None, :]) -> ger(Z, ±a, x, y)
	{Name: "gemv", Tags: blasTags, Roots: accumulations, Rewrite: toGemv}, // b*y ± a*dot(A, x) -> gemv(y, ±a, A, x, b); dot(x, A) -> gemv(y, ±a, A.T, x, b)
	{Name: "gemm", Tags: blasTags, Roots: accumulations, Rewrite: toGemm}, // b*Z ± a*dot(X, Y) -> gemm(Z, ±a, X, Y, b)
	// b*Z ± a*gemm(c*Z, α, X, Y, β) -> gemm(Z, ±aα, X, Y, b ± aβc), the same for gemv, when nothing else reads the inner one
	{Name: "gemm_accumulate", Tags: blasTags, Roots: accumulations, RewriteUses: foldAccumulation},
}

var (
	blasTags      = []string{"specialize", "fast_run"}
	accumulations = []string{"add", "sub"}
)

// toGer rewrites Z ± a*outer(x, y), the outer product written as a dot of a
// column and a row; Z must not be scaled (ger has no b).
func toGer(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	m := matchAccumulation(n)
	if m == nil || m.x.Type.Ndim() != 2 || m.y.Type.Ndim() != 2 || m.acc.neg || len(m.acc.factors) > 0 {
		return nil, nil
	}
	x, okX := shuffled(m.x, 0, ops.Broadcast)
	y, okY := shuffled(m.y, ops.Broadcast, 0)
	if !okX || !okY {
		return nil, nil
	}
	e := ops.NewExpr(b)
	out := e.Apply(ops.GerOp{}, m.acc.v, m.dot.scalar(e, m.dt), x, y)
	return []*graph.Variable{out}, e.Err
}

// toGemv rewrites b*y ± a*dot(A, x) and b*y ± a*dot(x, A).
func toGemv(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	m := matchAccumulation(n)
	if m == nil || m.x.Type.Ndim()+m.y.Type.Ndim() != 3 {
		return nil, nil
	}
	e := ops.NewExpr(b)
	a, x := m.x, m.y
	if a.Type.Ndim() == 1 { // x·A = Aᵀ·x
		a, x = e.DimShuffle(m.y, []int{1, 0}), m.x
	}
	out := e.Apply(ops.GemvOp{}, m.acc.v, m.dot.scalar(e, m.dt), a, x, m.acc.scalar(e, m.dt))
	return []*graph.Variable{out}, e.Err
}

// toGemm rewrites b*Z ± a*dot(X, Y) for matrices.
func toGemm(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	m := matchAccumulation(n)
	if m == nil || m.x.Type.Ndim() != 2 || m.y.Type.Ndim() != 2 {
		return nil, nil
	}
	e := ops.NewExpr(b)
	out := e.Apply(ops.GemmOp{}, m.acc.v, m.dot.scalar(e, m.dt), m.x, m.y, m.acc.scalar(e, m.dt))
	return []*graph.Variable{out}, e.Err
}

// accumulation is a matched b*Z ± a*dot(x, y).
type accumulation struct {
	acc, dot scaledTerm // b*Z, and a*dot(x, y) with its sign
	x, y     *graph.Variable
	dt       dtype.DType
}

// matchAccumulation matches n, an add or a sub, as a scaled dot plus a
// scaled accumulator, or returns nil. The dot's operands, the accumulator
// and n's output have one float dtype, the accumulator has the dot's
// broadcast pattern (neither broadcasts against the other), and neither
// scale is the constant 0 (BLAS would not read the operand it multiplies,
// so a NaN there would not propagate).
func matchAccumulation(n *graph.Apply) *accumulation {
	out := n.Outputs[0]
	dt := out.Type.DType
	if len(n.Inputs) != 2 || (dt != dtype.Float32 && dt != dtype.Float64) {
		return nil
	}
	_, name := ScalarNode(out)
	for _, order := range [][2]int{{0, 1}, {1, 0}} {
		acc, dot := splitScale(n.Inputs[order[0]]), splitScale(n.Inputs[order[1]])
		if name == "sub" {
			if order[0] == 0 {
				dot.neg = !dot.neg
			} else {
				acc.neg = !acc.neg
			}
		}
		if dot.v.Owner == nil {
			continue
		}
		if _, ok := dot.v.Owner.Op.(ops.DotOp); !ok {
			continue
		}
		x, y := dot.v.Owner.Inputs[0], dot.v.Owner.Inputs[1]
		z := acc.v.Type
		if x.Type.DType != dt || y.Type.DType != dt || z.DType != dt || dot.v.Type.DType != dt ||
			!slices.Equal(z.Broadcastable(), dot.v.Type.Broadcastable()) || acc.isZero() || dot.isZero() {
			continue
		}
		return &accumulation{acc: acc, dot: dot, x: x, y: y, dt: dt}
	}
	return nil
}

// scaledTerm is a term of a sum taken apart: ±(factors...)*v, each factor
// scalar-like (isScalarLike).
type scaledTerm struct {
	v       *graph.Variable
	factors []*graph.Variable
	neg     bool
}

// splitScale takes the negations and scalar factors off v:
// -(a*(b*dot(x, y))) -> {dot(x, y), [a, b], neg}.
func splitScale(v *graph.Variable) scaledTerm {
	t := scaledTerm{v: v}
	for {
		n, name := ScalarNode(t.v)
		switch {
		case name == "neg":
			t.neg, t.v = !t.neg, n.Inputs[0]
		case name == "mul" && len(n.Inputs) == 2 && isScalarLike(n.Inputs[0]):
			t.factors, t.v = append(t.factors, n.Inputs[0]), n.Inputs[1]
		case name == "mul" && len(n.Inputs) == 2 && isScalarLike(n.Inputs[1]):
			t.factors, t.v = append(t.factors, n.Inputs[1]), n.Inputs[0]
		default:
			return t
		}
	}
}

// isScalarLike reports whether v holds one real number: a 0-d tensor or a
// broadcast one (every static length 1).
func isScalarLike(v *graph.Variable) bool {
	if v.Type.DType.IsComplex() {
		return false
	}
	for _, d := range v.Type.Shape {
		if d != 1 {
			return false
		}
	}
	return true
}

// isZero reports whether the term's scale is the constant 0.
func (t scaledTerm) isZero() bool {
	for _, f := range t.factors {
		if IsConstant(f, 0) {
			return true
		}
	}
	return false
}

// scalar builds the term's scale as a 0-d tensor of dtype dt: the constant
// factors and the sign folded into one constant, times each symbolic
// factor (taken back to 0-d and cast to dt).
func (t scaledTerm) scalar(e *ops.Expr, dt dtype.DType) *graph.Variable {
	c := 1.0
	if t.neg {
		c = -1
	}
	var symbolic []*graph.Variable
	for _, f := range t.factors {
		if x, ok := ConstantValue(f); ok {
			c *= x
			continue
		}
		if f.Owner != nil && f.Type.Ndim() > 0 {
			if _, ok := f.Owner.Op.(ops.DimShuffleOp); ok && f.Owner.Inputs[0].Type.Ndim() == 0 {
				f = f.Owner.Inputs[0] // the scalar a broadcast shuffled up
			}
		}
		if f.Type.Ndim() > 0 {
			f = e.DimShuffle(f, []int{})
		}
		symbolic = append(symbolic, e.Cast(f, dt))
	}
	var s *graph.Variable
	if c != 1 || len(symbolic) == 0 {
		s = e.B.Constant(tensor.Scalar(dt, c))
	}
	for _, f := range symbolic {
		if s == nil {
			s = f
		} else {
			s = e.Mul(s, f)
		}
	}
	return s
}

// shuffled returns x when v is dimshuffle{pattern}(x).
func shuffled(v *graph.Variable, pattern ...int) (*graph.Variable, bool) {
	if v.Owner == nil {
		return nil, false
	}
	d, ok := v.Owner.Op.(ops.DimShuffleOp)
	if !ok || !slices.Equal(d.Pattern.Ints(), pattern) {
		return nil, false
	}
	return v.Owner.Inputs[0], true
}

// foldAccumulation folds a scaled accumulation of Z around a gemm or gemv
// whose own accumulator is a scaled Z into that gemm: the SGD step of a
// weight with an L2 penalty, W - lr*(dot(X.T, G) + 2λ*W), is gemm(W, -lr,
// X.T, G, 1 - 2λlr), one pass over W, where it was a gemm into a scaled
// copy of W and an elementwise pass. Only when the inner product has no
// other reader (it would be computed twice), and never when the folded
// scale of Z is the constant 0 (BLAS would not read Z, and a NaN in it
// would not propagate).
func foldAccumulation(b *graph.Builder, n *graph.Apply, uses Uses) ([]*graph.Variable, error) {
	out := n.Outputs[0]
	dt := out.Type.DType
	if len(n.Inputs) != 2 || (dt != dtype.Float32 && dt != dtype.Float64) {
		return nil, nil
	}
	_, name := ScalarNode(out)
	for _, order := range [][2]int{{0, 1}, {1, 0}} {
		acc, inner := splitScale(n.Inputs[order[0]]), splitScale(n.Inputs[order[1]])
		if name == "sub" {
			if order[0] == 0 {
				inner.neg = !inner.neg
			} else {
				acc.neg = !acc.neg
			}
		}
		p := inner.v.Owner
		if p == nil || uses(inner.v) != 1 || inner.v.Type.DType != dt {
			continue
		}
		switch p.Op.(type) {
		case ops.GemmOp, ops.GemvOp:
		default:
			continue
		}
		z, alpha, beta := splitScale(p.Inputs[0]), p.Inputs[1], p.Inputs[4]
		if z.v != acc.v || acc.v.Type.DType != dt ||
			!slices.Equal(acc.v.Type.Broadcastable(), out.Type.Broadcastable()) || inner.isZero() {
			continue
		}
		e := ops.NewExpr(b)
		s := inner.scalar(e, dt)
		newBeta := scalarAdd(e, dt, acc.scalar(e, dt), scalarMul(e, dt, s, scalarMul(e, dt, beta, z.scalar(e, dt))))
		if IsConstant(newBeta, 0) {
			return nil, e.Err
		}
		r := e.Apply(p.Op, acc.v, scalarMul(e, dt, s, alpha), p.Inputs[2], p.Inputs[3], newBeta)
		return []*graph.Variable{r}, e.Err
	}
	return nil, nil
}

// scalarMul and scalarAdd combine two 0-d scales of dtype dt, folding
// constants.
func scalarMul(e *ops.Expr, dt dtype.DType, x, y *graph.Variable) *graph.Variable {
	return scalarOp(e, dt, x, y, "mul", func(a, b float64) float64 { return a * b })
}

func scalarAdd(e *ops.Expr, dt dtype.DType, x, y *graph.Variable) *graph.Variable {
	return scalarOp(e, dt, x, y, "add", func(a, b float64) float64 { return a + b })
}

func scalarOp(e *ops.Expr, dt dtype.DType, x, y *graph.Variable, name string, f func(a, b float64) float64) *graph.Variable {
	if e.Err != nil || x == nil || y == nil {
		return e.Call(name, x, y) // records the error
	}
	a, okA := ConstantValue(x)
	c, okC := ConstantValue(y)
	if okA && okC {
		return e.ConstOf(f(a, c), dt)
	}
	return e.Cast(e.Call(name, x, y), dt)
}
