package control

import (
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/shape"
)

// OutputShapes: a recurrent output's buffer has its initial rows plus
// n_steps rows of the initial value's row shape; a nit-sot output has
// n_steps rows of the step result's shape, known here only when the step's
// type knows every length. A while loop's length is known only when it has
// run: it has no shape rule (the function allocates after running).
//
//	scan(n, x, h0[None]) -> [[1 + n, shape(h0)[0]]]
func (op Scan) OutputShapes(b *graph.Builder, node *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	s := op.Info
	if s.Until {
		return nil, graph.ValueErrorf("scan: a while loop's length is known only at run time")
	}
	l := ops.NewLengths(b)
	n := l.Int64(node.Inputs[0])
	var out [][]*graph.Variable
	for i := range s.Taps {
		init := in[s.initStart()+i]
		out = append(out, append([]*graph.Variable{l.Add(init[0], n)}, init[1:]...))
	}
	if s.NNitSot > 0 {
		rows, err := op.stepShapes(b, in)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, append([]*graph.Variable{n}, r...))
		}
	}
	for o := range out { // an output keeping its last k rows: min(rows, k)
		if k := s.KeepRows(o); k > 0 {
			out[o][0] = l.Min(out[o][0], l.Const(k))
		}
	}
	return out, l.Err()
}

// stepShapes gives the nit-sot step results' shapes in terms of the outer
// inputs' lengths: the step's placeholders are assumed to have the
// lengths of what they are bound to (a sequence's row, a state's row, a
// non-sequence), and the step graph's shape rules do the rest. A step
// whose result shape depends on a value it reads has none.
func (op Scan) stepShapes(b *graph.Builder, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	s, g := op.Info, op.Info.Inner
	tr := shape.NewTracker(b)
	for j := 0; j < s.NSeqs; j++ {
		tr.Assume(g.Inputs[j], in[s.seqStart()+j][1:])
	}
	for i, taps := range s.Taps {
		for k := range taps {
			tr.Assume(g.Inputs[s.stepTapStart(i)+k], in[s.initStart()+i][1:])
		}
	}
	for m := 0; m < s.NNonSeqs; m++ {
		tr.Assume(g.Inputs[s.stepNonSeqStart()+m], in[s.nonSeqStart()+m])
	}
	inner := map[*graph.Variable]bool{}
	for _, p := range g.Inputs {
		inner[p] = true
	}
	var rows [][]*graph.Variable
	for k := 0; k < s.NNitSot; k++ {
		o := g.Outputs[len(s.Taps)+k]
		dims, err := tr.Of(o)
		if err != nil {
			return nil, err
		}
		for _, r := range graph.Roots(dims) {
			if inner[r] {
				return nil, graph.ValueErrorf("scan: the shape of output %d depends on values computed in the loop", len(s.Taps)+k)
			}
		}
		rows = append(rows, dims)
	}
	return rows, nil
}
