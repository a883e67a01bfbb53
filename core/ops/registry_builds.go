package ops

import "theanogo/core/graph"

// The Build functions registrations share: an op without parameters
// applied to a fixed number of inputs, and the reading of an axes
// parameter. An op with parameters of its own reads them in its file
// (cumop.go's buildCumulative).

// buildUnary is the Build of a one-input op without parameters.
func buildUnary(name string, f func(b *graph.Builder, x *graph.Variable) (*graph.Variable, error)) func(*graph.Builder, Params, []*graph.Variable) (*graph.Variable, error) {
	return func(b *graph.Builder, _ Params, inputs []*graph.Variable) (*graph.Variable, error) {
		if err := CheckArity(name, inputs, 1); err != nil {
			return nil, err
		}
		return f(b, inputs[0])
	}
}

// buildBinary is the Build of a two-input op without parameters.
func buildBinary(name string, f func(b *graph.Builder, x, y *graph.Variable) (*graph.Variable, error)) func(*graph.Builder, Params, []*graph.Variable) (*graph.Variable, error) {
	return func(b *graph.Builder, _ Params, inputs []*graph.Variable) (*graph.Variable, error) {
		if err := CheckArity(name, inputs, 2); err != nil {
			return nil, err
		}
		return f(b, inputs[0], inputs[1])
	}
}

// AxesParam reads a list of axes: nil when the key is absent or null
// (every axis, or numpy's default order for transpose), a non-nil slice
// (possibly empty) when it is given; an error names op.
func AxesParam(op string, p Params, key string) ([]int, error) {
	axes, given, err := p.Ints(key)
	if err != nil {
		return nil, graph.TypeErrorf("%s: %v", op, err)
	}
	if given && axes == nil {
		axes = []int{}
	}
	return axes, nil
}

// types lists an Example's input types: types(graph.NewType(dtype.Float64, -1, 3)).
func types(ts ...graph.Type) []graph.Type { return ts }
