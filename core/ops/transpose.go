package ops

import "theanogo/core/graph"

// buildTranspose reads {"axes": null | [ints]} and builds the DimShuffle that
// permutes x's dimensions as numpy.transpose does: null reverses them, and
// negative axes count from the end.
//
//	transpose{axes=[1,0,2]}(tensor3 (2, 3, 4)) -> dimshuffle{1,0,2} -> (3, 2, 4)
func buildTranspose(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if err := checkArity("transpose", inputs, 1); err != nil {
		return nil, err
	}
	x := inputs[0]
	ndim := x.Type.Ndim()
	axes, given, err := p.Ints("axes")
	if err != nil {
		return nil, graph.TypeErrorf("transpose: %v", err)
	}
	pattern := make([]int, ndim)
	if !given {
		for i := range pattern {
			pattern[i] = ndim - 1 - i
		}
		return b.Apply1(&DimShuffle{Pattern: pattern}, x)
	}
	if len(axes) != ndim {
		return nil, graph.ValueErrorf("transpose: axes %v do not match %v (rank %d)", axes, x.Type, ndim)
	}
	seen := make([]bool, ndim)
	for i, a := range axes {
		if a < -ndim || a >= ndim {
			return nil, graph.ValueErrorf("transpose: axis %d is out of bounds for %v", a, x.Type)
		}
		if a < 0 {
			a += ndim
		}
		if seen[a] {
			return nil, graph.ValueErrorf("transpose: axes %v repeat axis %d", axes, a)
		}
		seen[a] = true
		pattern[i] = a
	}
	return b.Apply1(&DimShuffle{Pattern: pattern}, x)
}
