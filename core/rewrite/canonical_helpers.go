package rewrite

import (
	"bytes"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// Helpers of the canonicalization rules (canonical*.go).

// canonTags are the tags of every canonicalization rule.
var canonTags = []string{"canonicalize", "fast_run"}

// one wraps a single replacement.
func one(v *graph.Variable) []*graph.Variable { return []*graph.Variable{v} }

// constArray returns the value v has when it is a constant seen through
// dimshuffles and casts, with the casts applied (so cast{int32}(1.5) is 1,
// not 1.5), and whether all its elements are equal; nil when v is not a
// constant.
func constArray(v *graph.Variable) (*tensor.Array, bool) {
	var casts []dtype.DType
	for v != nil && v.Owner != nil {
		switch op := v.Owner.Op.(type) {
		case ops.DimShuffleOp:
		case ops.CastOp:
			casts = append(casts, op.To)
		default:
			return nil, false
		}
		v = v.Owner.Inputs[0]
	}
	if v == nil || !v.IsConstant() || v.Value.Size() == 0 {
		return nil, false
	}
	a := v.Value
	for i := len(casts) - 1; i >= 0; i-- {
		a = a.Astype(casts[i])
	}
	raw, size := a.Bytes(), a.DType.Size()
	for k := size; k < len(raw); k += size {
		if !bytes.Equal(raw[:size], raw[k:k+size]) {
			return a, false
		}
	}
	return a, true
}

// uniformConst returns the value of every element of the constant v (see
// constArray) as a float64 and an int64; ok is false when v is not such a
// constant or its dtype is complex.
func uniformConst(v *graph.Variable) (f float64, i int64, ok bool) {
	a, uniform := constArray(v)
	if a == nil || !uniform || a.DType.IsComplex() {
		return 0, 0, false
	}
	return a.Float64s()[0], a.Int64s()[0], true
}

// sameExpr reports whether a and b compute the same values: the same
// variable, equal constants, or the same op (a comparable value) applied to
// inputs that are the same expressions, to a small depth.
func sameExpr(a, b *graph.Variable, depth int) bool {
	if a == b {
		return true
	}
	if depth == 0 || !a.Type.Equal(b.Type) {
		return false
	}
	if a.IsConstant() && b.IsConstant() {
		return bytes.Equal(a.Value.Bytes(), b.Value.Bytes())
	}
	if a.Owner == nil || b.Owner == nil || a.Index != b.Index ||
		a.Owner.Op != b.Owner.Op || len(a.Owner.Inputs) != len(b.Owner.Inputs) {
		return false
	}
	for i, in := range a.Owner.Inputs {
		if !sameExpr(in, b.Owner.Inputs[i], depth-1) {
			return false
		}
	}
	return true
}

// sameExprDepth bounds sameExpr's recursion.
const sameExprDepth = 8

// fitType makes r stand for an output of type want that was computed from
// r's operands and the dropped ones (cancelled factors, folded constants):
// r is cast to want's dtype, padded on the left to its rank, and broadcast
// (second) against each dropped operand whose shape could make the
// output longer than r in some dimension, so that the replacement has the
// output's shape at run time as well as its type.
//
//	(a * b) / b with a (1, n), b (m, n) -> second(b, a)
func fitType(e *ops.Expr, r *graph.Variable, want graph.Type, dropped []*graph.Variable) *graph.Variable {
	if r == nil {
		return nil
	}
	r = e.Cast(r, want.DType)
	if r == nil {
		return nil
	}
	if k := want.Ndim() - r.Type.Ndim(); k > 0 {
		pattern := make([]int, want.Ndim())
		for d := range pattern {
			pattern[d] = d - k
			if d < k {
				pattern[d] = ops.Broadcast
			}
		}
		r = e.DimShuffle(r, pattern)
	}
	for _, v := range dropped {
		if r == nil {
			return nil
		}
		v = shapeCarrier(v)
		off := r.Type.Ndim() - v.Type.Ndim()
		for d, n := range v.Type.Shape {
			if n != 1 && r.Type.Shape[d+off] == 1 {
				r = e.Second(v, r)
				break
			}
		}
	}
	return r
}

// scalarConst is a 0-d constant of dtype dt holding f (floats) or i
// (integers, wrapping as the dtype does).
func scalarConst(b *graph.Builder, dt dtype.DType, f float64, i int64) *graph.Variable {
	if dt.IsDiscrete() {
		return b.Constant(tensor.FromInt64s(dt, nil, []int64{i}))
	}
	return b.Constant(tensor.Scalar(dt, f))
}

// shapeCarrier returns a variable of v's shape that is cheaper to reach:
// the input of the unary elementwise ops and casts that compute v, and of
// the elementwise ops whose other inputs are broadcast scalars, so that
// x / x broadcast to x's shape keeps x, not exp(x), for exp(x) / exp(x),
// and second(x ** 2, g) becomes second(x, g). Softmax keeps its input's
// shape too: the zeros of log(softmax(x))'s gradient, second(softmax(x), 0),
// become second(x, 0), and no longer need the softmax computed.
func shapeCarrier(v *graph.Variable) *graph.Variable {
	for v.Owner != nil {
		var in *graph.Variable
		switch v.Owner.Op.(type) {
		case ops.Elemwise, ops.CastOp:
			in = shapeOperand(v.Owner)
		case ops.SoftmaxOp:
			in = v.Owner.Inputs[0]
		default:
			return v
		}
		if in == nil {
			return v
		}
		v = in
	}
	return v
}

// shapeOperand returns the input of the elementwise node n that has n's
// output shape by itself: the only one of the output's rank when every
// other input has every static length 1 (x in x ** 2, where the 2 is a
// broadcast constant); nil when there is none.
func shapeOperand(n *graph.Apply) *graph.Variable {
	var carrier, ones *graph.Variable
	rank := n.Outputs[0].Type.Ndim()
	for _, in := range n.Inputs {
		switch {
		case allLengthsOne(in):
			if ones == nil && in.Type.Ndim() == rank {
				ones = in
			}
		case carrier != nil || in.Type.Ndim() != rank:
			return nil
		default:
			carrier = in
		}
	}
	if carrier == nil {
		return ones
	}
	return carrier
}

// allLengthsOne reports whether v has every static length 1 (a scalar
// broadcast to some rank): it cannot make an elementwise output longer.
func allLengthsOne(v *graph.Variable) bool {
	for _, l := range v.Type.Shape {
		if l != 1 {
			return false
		}
	}
	return true
}
