package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Lengths builds the int64 scalar expressions of symbolic shapes, computing
// at build time whatever is constant, so that a static length stays a
// constant (and a shape graph of static shapes has no nodes at all):
//
//	l := NewLengths(b)
//	n := l.Mul(l.Const(3), rows) // 3*rows, or 12 when rows is the constant 4
//
// Errors are sticky, as in Expr: check Err once at the end.
type Lengths struct {
	e *Expr
}

// NewLengths returns a Lengths building into b.
func NewLengths(b *graph.Builder) *Lengths { return &Lengths{e: NewExpr(b)} }

// Err is the first error met, or nil.
func (l *Lengths) Err() error { return l.e.Err }

// Const is the length n as a constant.
func (l *Lengths) Const(n int) *graph.Variable {
	return l.e.B.Constant(tensor.Scalar(dtype.Int64, float64(n)))
}

// Value returns v's value when v is an int64 scalar constant.
func Value(v *graph.Variable) (int64, bool) {
	if v == nil || !v.IsConstant() || v.Type.Ndim() != 0 || v.Type.DType.IsComplex() {
		return 0, false
	}
	return v.Value.Int64s()[0], true
}

// Int64 converts a scalar to an int64 length (a no-op on int64).
func (l *Lengths) Int64(v *graph.Variable) *graph.Variable {
	if n, ok := Value(v); ok && v.Type.DType.IsDiscrete() {
		return l.Const(int(n))
	}
	return l.e.Cast(v, dtype.Int64)
}

// fold applies the scalar op called name, or computes it when every input
// is a constant.
func (l *Lengths) fold(name string, f func(a, b int64) int64, x, y *graph.Variable) *graph.Variable {
	if l.e.Err != nil || x == nil || y == nil {
		return nil
	}
	a, okA := Value(x)
	b, okB := Value(y)
	if okA && okB && f != nil {
		return l.Const(int(f(a, b)))
	}
	return l.e.Call(name, x, y)
}

// Add is x + y.
func (l *Lengths) Add(x, y *graph.Variable) *graph.Variable {
	if a, ok := Value(x); ok && a == 0 {
		return y
	}
	if b, ok := Value(y); ok && b == 0 {
		return x
	}
	return l.fold("add", func(a, b int64) int64 { return a + b }, x, y)
}

// Sub is x - y.
func (l *Lengths) Sub(x, y *graph.Variable) *graph.Variable {
	if b, ok := Value(y); ok && b == 0 {
		return x
	}
	return l.fold("sub", func(a, b int64) int64 { return a - b }, x, y)
}

// Mul is x * y.
func (l *Lengths) Mul(x, y *graph.Variable) *graph.Variable {
	if a, ok := Value(x); ok && a == 1 {
		return y
	}
	if b, ok := Value(y); ok && b == 1 {
		return x
	}
	return l.fold("mul", func(a, b int64) int64 { return a * b }, x, y)
}

// FloorDiv is x // y (Python's floor division; y must not be 0).
func (l *Lengths) FloorDiv(x, y *graph.Variable) *graph.Variable {
	if b, ok := Value(y); ok && b == 1 {
		return x
	}
	var f func(a, b int64) int64
	if b, ok := Value(y); ok && b != 0 {
		f = floorDivLength
	}
	return l.fold("int_div", f, x, y)
}

// CeilDiv is ceil(x / y) for y > 0.
func (l *Lengths) CeilDiv(x, y *graph.Variable) *graph.Variable {
	return l.Neg(l.FloorDiv(l.Neg(x), y))
}

// Neg is -x.
func (l *Lengths) Neg(x *graph.Variable) *graph.Variable {
	return l.Sub(l.Const(0), x)
}

// Max is max(x, y).
func (l *Lengths) Max(x, y *graph.Variable) *graph.Variable {
	return l.fold("maximum", func(a, b int64) int64 { return max(a, b) }, x, y)
}

// Min is min(x, y).
func (l *Lengths) Min(x, y *graph.Variable) *graph.Variable {
	return l.fold("minimum", func(a, b int64) int64 { return min(a, b) }, x, y)
}

// Less is the bool x < y.
func (l *Lengths) Less(x, y *graph.Variable) *graph.Variable {
	if l.e.Err != nil || x == nil || y == nil {
		return nil
	}
	a, okA := Value(x)
	b, okB := Value(y)
	if okA && okB {
		return l.e.B.Constant(tensor.FromBools(nil, []bool{a < b}))
	}
	return l.e.Call("lt", x, y)
}

// Switch is cond ? x : y, decided at build time when cond is constant.
func (l *Lengths) Switch(cond, x, y *graph.Variable) *graph.Variable {
	if l.e.Err != nil || cond == nil || x == nil || y == nil {
		return nil
	}
	if cond.IsConstant() {
		if cond.Value.Bools()[0] {
			return x
		}
		return y
	}
	return l.e.Call("switch", cond, x, y)
}

// Product is the product of the lengths (1 for none).
func (l *Lengths) Product(dims []*graph.Variable) *graph.Variable {
	p := l.Const(1)
	for _, d := range dims {
		p = l.Mul(p, d)
	}
	return p
}

// Static returns the lengths of t's static shape as constants, or the
// given dims where t's length is unknown: the shape of an output whose type
// knows some lengths.
func (l *Lengths) Static(t graph.Type, dims []*graph.Variable) []*graph.Variable {
	out := make([]*graph.Variable, len(t.Shape))
	for d, n := range t.Shape {
		if n != graph.Unknown {
			out[d] = l.Const(n)
		} else {
			out[d] = dims[d]
		}
	}
	return out
}

// floorDivLength is Python's a // b for b != 0.
func floorDivLength(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// reducedLengths removes the reduced axes from a shape, or sets them to 1
// with keepdims: the shape of a reduction.
func reducedLengths(l *Lengths, dims []*graph.Variable, axes graph.AxisSet, keepdims bool) []*graph.Variable {
	out := []*graph.Variable{}
	for d, n := range dims {
		if axes.Has(d) {
			if keepdims {
				out = append(out, l.Const(1))
			}
			continue
		}
		out = append(out, n)
	}
	return out
}

// Equal is the bool x == y.
func (l *Lengths) Equal(x, y *graph.Variable) *graph.Variable {
	if l.e.Err != nil || x == nil || y == nil {
		return nil
	}
	a, okA := Value(x)
	b, okB := Value(y)
	if okA && okB {
		return l.e.B.Constant(tensor.FromBools(nil, []bool{a == b}))
	}
	return l.e.Call("eq", x, y)
}
