package optable

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// nnetConstructors are the compositions of scalar rows that Python builds
// with one call each, and the crossentropies (dot, softmax and logsoftmax
// register themselves in core/ops).
var nnetConstructors = map[string]Constructor{
	"categorical_crossentropy": binary("categorical_crossentropy", ops.CategoricalCrossentropy),
	"binary_crossentropy":      binary("binary_crossentropy", ops.BinaryCrossentropy),
	"clip":                     buildClip,                 // x, lo, hi
	"relu":                     buildRelu,                 // x, or x, alpha
	"zeros_like":               buildFilled("zeros_like"), // {"dtype": name}
	"ones_like":                buildFilled("ones_like"),  // {"dtype": name}
}

// binary is the row of a two-input op without parameters.
func binary(name string, f func(b *graph.Builder, x, y *graph.Variable) (*graph.Variable, error)) Constructor {
	return func(b *graph.Builder, _ Params, inputs []*graph.Variable) (*graph.Variable, error) {
		if err := ops.CheckArity(name, inputs, 2); err != nil {
			return nil, err
		}
		return f(b, inputs[0], inputs[1])
	}
}

func buildClip(b *graph.Builder, _ Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if err := ops.CheckArity("clip", inputs, 3); err != nil {
		return nil, err
	}
	return ops.Clip(b, inputs[0], inputs[1], inputs[2])
}

func buildRelu(b *graph.Builder, _ Params, inputs []*graph.Variable) (*graph.Variable, error) {
	switch len(inputs) {
	case 1:
		return ops.Relu(b, inputs[0], nil)
	case 2:
		return ops.Relu(b, inputs[0], inputs[1])
	}
	return nil, graph.TypeErrorf("relu takes 1 or 2 inputs (x, alpha), got %d", len(inputs))
}

// buildFilled reads {"dtype": name}; the default is x's dtype.
func buildFilled(name string) Constructor {
	fill := map[string]func(*graph.Builder, *graph.Variable, dtype.DType) (*graph.Variable, error){
		"zeros_like": ops.ZerosLike, "ones_like": ops.OnesLike,
	}[name]
	return func(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
		if err := ops.CheckArity(name, inputs, 1); err != nil {
			return nil, err
		}
		dt, err := p.DType("dtype", inputs[0].Type.DType)
		if err != nil {
			return nil, graph.TypeErrorf("%s: %v", name, err)
		}
		return fill(b, inputs[0], dt)
	}
}
