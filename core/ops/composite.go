package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
)

// The composite ops are compositions of scalar rows: their gradients and
// generated code are those of the rows they are made of.

// Clip is x limited to [lo, hi], numpy.clip's value (lo wins where lo > hi):
// minimum(maximum(x, lo), hi). Its gradient is theirs: at a bound (x == lo
// or x == hi) it is split evenly between x and that bound (tieSplitGrad),
// so clip(a, a, hi) has derivative 1 in a.
//
//	clip([-2, 0.5, 3], 0, 1) -> [0, 0.5, 1]
func Clip(b *graph.Builder, x, lo, hi *graph.Variable) (*graph.Variable, error) {
	e := NewExpr(b)
	return e.Call("minimum", e.Call("maximum", x, lo), hi), e.Err
}

// Relu is max(x, 0); with alpha (not nil, not a constant 0) it is the leaky
// version switch(x > 0, x, alpha · x), as Theano's relu(x, alpha). The
// gradient of max(x, 0) at 0 is 1/2 (tieSplitGrad), as Theano's
// 0.5 · (x + |x|) gives; the leaky version's is alpha there.
//
//	relu([-2, 3]) -> [0, 3]        relu([-2, 3], 0.1) -> [-0.2, 3]
func Relu(b *graph.Builder, x, alpha *graph.Variable) (*graph.Variable, error) {
	e := NewExpr(b)
	if x == nil {
		return nil, graph.TypeErrorf("relu takes 1 or 2 inputs (x, alpha), got none")
	}
	if alpha == nil || isConstantZero(alpha) {
		return e.Call("maximum", x, e.Const(0, x)), e.Err
	}
	return e.Call("switch", e.Call("gt", x, e.Const(0, x)), x, e.Mul(alpha, x)), e.Err
}

// isConstantZero reports whether v is a constant whose elements are all 0.
func isConstantZero(v *graph.Variable) bool {
	if !v.IsConstant() {
		return false
	}
	for _, z := range v.Value.Complex128s() {
		if z != 0 {
			return false
		}
	}
	return true
}

// ZerosLike is x's shape filled with zeros of dtype dt (dtype.Invalid: x's
// dtype): second(x, 0).
//
//	zeros_like(int32 vector (3,)) -> [0, 0, 0] (int32)
func ZerosLike(b *graph.Builder, x *graph.Variable, dt dtype.DType) (*graph.Variable, error) {
	return filled(b, x, 0, dt)
}

// OnesLike is x's shape filled with ones of dtype dt (dtype.Invalid: x's dtype).
func OnesLike(b *graph.Builder, x *graph.Variable, dt dtype.DType) (*graph.Variable, error) {
	return filled(b, x, 1, dt)
}

func filled(b *graph.Builder, x *graph.Variable, value float64, dt dtype.DType) (*graph.Variable, error) {
	if x == nil {
		return nil, graph.TypeErrorf("zeros_like/ones_like take 1 input, got none")
	}
	if dt == dtype.Invalid {
		dt = x.Type.DType
	}
	e := NewExpr(b)
	return e.Second(x, e.ConstOf(value, dt)), e.Err
}

// BinaryCrossentropy is Theano's binary_crossentropy(output, target),
// elementwise: -(target · log(output) + (1 - target) · log(1 - output)).
//
//	binary_crossentropy(0.25, 1) -> -log 0.25
func BinaryCrossentropy(b *graph.Builder, output, target *graph.Variable) (*graph.Variable, error) {
	o, t, e := output, target, NewExpr(b)
	hit := e.Mul(t, e.Log(o))
	miss := e.Mul(e.Sub(e.Const(1, t), t), e.Log(e.Sub(e.Const(1, o), o)))
	return e.Neg(e.Add(hit, miss)), e.Err
}
