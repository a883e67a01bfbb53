package rewrite

import (
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// Helpers that rules share to recognise their patterns. They only read the
// graph.

// ScalarNode returns v's owner and its scalar row name when v is computed
// by an elementwise op ("log", "add"), or nil and "".
//
//	if n, name := ScalarNode(v); name == "exp" { x := n.Inputs[0] ... }
func ScalarNode(v *graph.Variable) (*graph.Apply, string) {
	if v == nil || v.Owner == nil {
		return nil, ""
	}
	if e, ok := v.Owner.Op.(ops.Elemwise); ok {
		return v.Owner, e.Scalar.Name
	}
	return nil, ""
}

// ConstantValue returns the value every element of v has when v is a
// constant whose elements are all equal, looking through the dimshuffles
// and casts that broadcast a constant to an expression's rank and dtype
// (the 1 in `1 - x` is dimshuffle{x,x}(1) on a matrix).
func ConstantValue(v *graph.Variable) (float64, bool) {
	for v != nil && v.Owner != nil {
		switch v.Owner.Op.(type) {
		case ops.DimShuffleOp, ops.CastOp:
			v = v.Owner.Inputs[0]
		default:
			return 0, false
		}
	}
	if v == nil || !v.IsConstant() || v.Type.DType.IsComplex() {
		return 0, false
	}
	values := v.Value.Float64s()
	if len(values) == 0 {
		return 0, false
	}
	for _, x := range values[1:] {
		if x != values[0] && !(x != x && values[0] != values[0]) {
			return 0, false
		}
	}
	return values[0], true
}

// IsConstant reports whether v is a constant (possibly broadcast or cast)
// whose elements all equal c.
func IsConstant(v *graph.Variable, c float64) bool {
	x, ok := ConstantValue(v)
	return ok && x == c
}
