package optable

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// shapeConstructors are the ops that rearrange elements without computing
// new values.
var shapeConstructors = map[string]Constructor{
	"dimshuffle":  buildDimShuffle, // {"pattern": [1, "x", 0]}
	"transpose":   buildTranspose,  // {"axes": null | [ints]}
	"reshape":     buildReshape,    // {"ndim": n}; inputs x, shape
	"flatten":     buildFlatten,    // {"ndim": n}
	"shape":       unary("shape", ops.Shape),
	"make_vector": buildMakeVector, // {"dtype": name}
	"tensor_copy": unary("tensor_copy", ops.Copy),
}

// unary is the row of a one-input op without parameters.
func unary(name string, f func(*graph.Builder, *graph.Variable) (*graph.Variable, error)) Constructor {
	return func(b *graph.Builder, _ Params, inputs []*graph.Variable) (*graph.Variable, error) {
		if err := ops.CheckArity(name, inputs, 1); err != nil {
			return nil, err
		}
		return f(b, inputs[0])
	}
}

// buildDimShuffle reads {"pattern": [1, "x", 0]} ("x" inserts a dimension).
func buildDimShuffle(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if err := ops.CheckArity("dimshuffle", inputs, 1); err != nil {
		return nil, err
	}
	list, ok := p["pattern"].([]any)
	if !ok {
		return nil, graph.TypeErrorf("dimshuffle: pattern must be a list, got %v", p["pattern"])
	}
	pattern := make([]int, len(list))
	for i, e := range list {
		switch v := e.(type) {
		case string:
			if v != "x" {
				return nil, graph.ValueErrorf("dimshuffle: bad pattern entry %q (use an integer or 'x')", v)
			}
			pattern[i] = ops.Broadcast
		case float64:
			if v != float64(int(v)) || v < 0 {
				return nil, graph.ValueErrorf("dimshuffle: bad pattern entry %v", v)
			}
			pattern[i] = int(v)
		default:
			return nil, graph.ValueErrorf("dimshuffle: bad pattern entry %v", e)
		}
	}
	return ops.DimShuffle(b, inputs[0], pattern)
}

// buildTranspose reads {"axes": null | [ints]}: null reverses the dimensions.
func buildTranspose(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if err := ops.CheckArity("transpose", inputs, 1); err != nil {
		return nil, err
	}
	axes, err := ops.AxesParam("transpose", p, "axes")
	if err != nil {
		return nil, err
	}
	return ops.Transpose(b, inputs[0], axes)
}

// buildReshape reads {"ndim": n}; inputs are (x, shape). ndim defaults to
// the static length of the shape vector.
func buildReshape(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if err := ops.CheckArity("reshape", inputs, 2); err != nil {
		return nil, err
	}
	s := inputs[1]
	if s.Type.Ndim() != 1 || !s.Type.DType.IsInteger() {
		return nil, graph.TypeErrorf("reshape: the shape must be an integer vector, got %v (x is %v)", s.Type, inputs[0].Type)
	}
	ndim, err := p.Int("ndim", s.Type.Shape[0])
	if err != nil {
		return nil, graph.TypeErrorf("reshape: %v", err)
	}
	if ndim < 0 {
		return nil, graph.TypeErrorf("reshape: ndim must be given when the length of the shape vector %v is not known", s.Type)
	}
	return ops.Reshape(b, inputs[0], s, ndim)
}

// buildFlatten reads {"ndim": n}, the number of output dimensions (default 1).
func buildFlatten(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if err := ops.CheckArity("flatten", inputs, 1); err != nil {
		return nil, err
	}
	outdim, err := p.Int("ndim", 1)
	if err != nil {
		return nil, graph.TypeErrorf("flatten: %v", err)
	}
	return ops.Flatten(b, inputs[0], outdim)
}

// buildMakeVector reads {"dtype": name}; the default is the inputs'
// promoted dtype (int64 when there are none).
func buildMakeVector(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
	dt, err := p.DType("dtype", dtype.Invalid)
	if err != nil {
		return nil, graph.TypeErrorf("make_vector: %v", err)
	}
	return ops.MakeVector(b, dt, inputs...)
}
