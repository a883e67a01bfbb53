package cxx

import (
	"slices"

	"theanogo/core/graph"
)

// In-place intermediates (Theano's inplace elemwise): an elementwise node
// whose input is an intermediate dying at that node writes its output into
// that input's workspace slot instead of a slot of its own.
//
//	h = dot(x, W1)              slot 0
//	a = tanh(h + b1)            slot 0 too: h is read last here
//
// The memory planner (gen.memory) asks reusableInput for each output it
// places; the node is then marked aliased (its loops drop __restrict), as
// an in-place update's writer is.

// reusableInput returns the slot of an input of node n (at position p of
// the run order) that n's output o may take over, and whether there is
// one. The input must be:
//   - an intermediate in a workspace slot of this body (not a function
//     input, a shared value, a result, a view, a region's output or a
//     reshape's scratch copy: only those get slotOf);
//   - of o's dtype and of o's lengths (the same C expressions: no
//     broadcasting), so o fills exactly the bytes the input held;
//   - read for the last time at p, directly or through a view (last holds
//     the last position reading each variable along its chain of views);
//   - read by n only directly, at the position n writes (the lowering's
//     InPlace rule: no broadcast dimension, no check that can fail after
//     writing), never also through a view (x + x.T must not overwrite x).
//
// n must be an elementwise node with one output that its lowering computes
// (the evaluator fallback allocates its own results).
func (g *gen) reusableInput(n *graph.Apply, o *graph.Variable, p int, last map[*graph.Variable]int) (int, bool) {
	if _, _, ok := elementwiseOf(n); !ok || g.separate || len(n.Outputs) != 1 || o != n.Outputs[0] || g.dynamic[n] {
		return 0, false
	}
	l, ok := lookup(n)
	if !ok || l.InPlace == nil {
		return 0, false
	}
	for i, in := range n.Inputs {
		s, ok := g.slotOf[in]
		if !ok || in.Type.DType != o.Type.DType || !slices.Equal(g.dims[in], g.dims[o]) || lastUse(last, in, p) != p {
			continue
		}
		if !l.InPlace(n, i) || readsThroughView(n, in) {
			continue
		}
		if g.failure(n) == failsAnywhere { // the evaluator runs it (last: a trial lowering)
			return 0, false
		}
		return s, true
	}
	return 0, false
}

// readsThroughView reports whether node n reads v's memory through a
// view of v (an input whose chain of views ends at v, other than v).
func readsThroughView(n *graph.Apply, v *graph.Variable) bool {
	for _, in := range n.Inputs {
		if in != v && aliasRoot(in) == v {
			return true
		}
	}
	return false
}
