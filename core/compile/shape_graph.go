package compile

import "theanogo/core/graph"

// SimplifyShapes merges and constant-folds scalar shape expressions over
// fg's inputs (as the shape program does) and replaces shape(v) of a
// computed v by v's symbolic lengths (the shape_of pass: an unoptimized
// graph still holds them), so that a backend computing every variable's
// shape evaluates each length once and never computes v for its shape:
//
//	dims, _ := tracker.Of(v)                  // shape(x)[0], shape(x)[0] * 2, ...
//	dims, err := compile.SimplifyShapes(fg, dims)
func SimplifyShapes(fg *FunctionGraph, dims []*graph.Variable) ([]*graph.Variable, error) {
	if len(dims) == 0 {
		return nil, nil
	}
	sg := &FunctionGraph{Inputs: fg.Inputs, Shared: fg.Shared, Results: dims, NumOutputs: len(dims), Builder: fg.Builder}
	for _, pass := range []func(*graph.Builder, *FunctionGraph) error{merge, shapeOf, foldConstants, merge} {
		if err := pass(fg.Builder, sg); err != nil {
			return nil, err
		}
	}
	return sg.Results, nil
}
