package ops

import (
	"theanogo/core/graph"
)

// compositeConstructors are ops that are compositions of scalar rows: Build
// knows them by name (so Python builds each with one call), their gradients
// and generated code are those of the rows they are made of.
var compositeConstructors = map[string]Constructor{
	"clip":                buildClip,               // minimum(maximum(x, lo), hi)
	"relu":                buildRelu,               // maximum(x, 0), or switch(x > 0, x, alpha·x)
	"zeros_like":          buildFilled(0),          // second(x, 0)
	"ones_like":           buildFilled(1),          // second(x, 1)
	"binary_crossentropy": buildBinaryCrossentropy, // -(t log o + (1 - t) log(1 - o))
}

// buildClip is x limited to [lo, hi], numpy.clip's value (lo wins where lo > hi):
//
//	clip([-2, 0.5, 3], 0, 1) -> [0, 0.5, 1]
func buildClip(b *graph.Builder, _ Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if err := checkArity("clip", inputs, 3); err != nil {
		return nil, err
	}
	e := NewExpr(b)
	return e.Call("minimum", e.Call("maximum", inputs[0], inputs[1]), inputs[2]), e.Err
}

// buildRelu is max(x, 0); with a second input alpha (not a constant 0) it
// is the leaky version switch(x > 0, x, alpha · x), as Theano's relu(x, alpha):
//
//	relu([-2, 3]) -> [0, 3]        relu([-2, 3], 0.1) -> [-0.2, 3]
func buildRelu(b *graph.Builder, _ Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if len(inputs) != 1 && len(inputs) != 2 {
		return nil, graph.TypeErrorf("relu takes 1 or 2 inputs (x, alpha), got %d", len(inputs))
	}
	x, e := inputs[0], NewExpr(b)
	if len(inputs) == 1 || isConstantZero(inputs[1]) {
		return e.Call("maximum", x, e.Const(0, x)), e.Err
	}
	return e.Call("switch", e.Call("gt", x, e.Const(0, x)), x, e.Mul(inputs[1], x)), e.Err
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

// buildFilled makes zeros_like and ones_like: x's shape filled with value,
// of x's dtype or of the "dtype" parameter:
//
//	zeros_like(int32 vector (3,)) -> [0, 0, 0] (int32)
func buildFilled(value float64) Constructor {
	return func(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
		name := map[float64]string{0: "zeros_like", 1: "ones_like"}[value]
		if err := checkArity(name, inputs, 1); err != nil {
			return nil, err
		}
		dt, err := p.DType("dtype", inputs[0].Type.DType)
		if err != nil {
			return nil, graph.TypeErrorf("%s: %v", name, err)
		}
		e := NewExpr(b)
		return e.Second(inputs[0], e.ConstOf(value, dt)), e.Err
	}
}

// buildBinaryCrossentropy is Theano's binary_crossentropy(output, target),
// elementwise: -(target · log(output) + (1 - target) · log(1 - output)).
//
//	binary_crossentropy(0.25, 1) -> -log 0.25
func buildBinaryCrossentropy(b *graph.Builder, _ Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if err := checkArity("binary_crossentropy", inputs, 2); err != nil {
		return nil, err
	}
	o, t, e := inputs[0], inputs[1], NewExpr(b)
	hit := e.Mul(t, e.Log(o))
	miss := e.Mul(e.Sub(e.Const(1, t), t), e.Log(e.Sub(e.Const(1, o), o)))
	return e.Neg(e.Add(hit, miss)), e.Err
}
