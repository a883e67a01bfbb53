package ops

import "theanogo/core/graph"

// Transpose permutes x's dimensions as numpy.transpose does: axes nil
// reverses them, and negative axes count from the end. It is a DimShuffle.
//
//	ops.Transpose(b, x, []int{1, 0, 2}) // dimshuffle{1,0,2}: (2, 3, 4) -> (3, 2, 4)
func Transpose(b *graph.Builder, x *graph.Variable, axes []int) (*graph.Variable, error) {
	if x == nil {
		return nil, graph.TypeErrorf("transpose takes 1 input, got none")
	}
	ndim := x.Type.Ndim()
	pattern := make([]int, ndim)
	if axes == nil {
		for i := range pattern {
			pattern[i] = ndim - 1 - i
		}
		return DimShuffle(b, x, pattern)
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
	return DimShuffle(b, x, pattern)
}
