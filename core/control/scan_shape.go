package control

import (
	"slices"

	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/shape"
)

// OutputShapes: a recurrent output's buffer has its initial rows plus
// n_steps rows of the initial value's row shape; a nit-sot output has
// n_steps rows of the step result's shape in outer terms (stepShapes). A
// while loop's length is known only when it has run, and a row shape that
// reads a value the step computes only when a step has: those have no
// shape rule (scan_dynamic.go; the function allocates as they run).
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
		rows, err := op.stepShapes(b, in, node.Inputs[s.nonSeqStart():])
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
// non-sequence), and the step graph's shape rules do the rest. A length
// reading the value of a non-sequence reads the outer variable nonSeqs[m]
// bound to it (loop-invariant: a nested scan's n_steps = k passed in as a
// non-sequence is the outer k); nonSeqs may be nil. A step whose result
// shape depends on another value it reads has none.
func (op Scan) stepShapes(b *graph.Builder, in [][]*graph.Variable, nonSeqs []*graph.Variable) ([][]*graph.Variable, error) {
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
	assumeWhileLoops(b, tr, g.Outputs)
	var rows [][]*graph.Variable
	for k := 0; k < s.NNitSot; k++ {
		o := g.Outputs[len(s.Taps)+k]
		dims, err := tr.Of(o)
		if err != nil {
			return nil, err
		}
		if dims, err = outerLengths(b, tr, dims, inner); err != nil {
			return nil, err
		}
		if dims, err = bindNonSeqs(b, dims, g.Inputs[s.stepNonSeqStart():], nonSeqs); err != nil {
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

// bindNonSeqs replaces, in lengths dims, each non-sequence placeholder by
// the outer variable bound to it (none when outer is nil).
func bindNonSeqs(b *graph.Builder, dims, placeholders, outer []*graph.Variable) ([]*graph.Variable, error) {
	if outer == nil {
		return dims, nil
	}
	subst := map[*graph.Variable]*graph.Variable{}
	for _, r := range graph.Roots(dims) {
		if m := slices.Index(placeholders, r); m >= 0 {
			subst[r] = outer[m]
		}
	}
	if len(subst) == 0 {
		return dims, nil
	}
	return b.Replace(dims, subst)
}

// outerLengths rewrites step lengths dims so that they read no value of
// the step: each shape(x) of a step variable x in them (a nested scan's
// n_steps is shape(row)[0], its row a placeholder of this step) becomes
// x's lengths as the tracker knows them, in outer terms (shape(m)[1] for
// the rows of a sequence m). It repeats while a replacement brings in
// another such shape (a bounded number of times: each round removes one
// level of nesting). A length that needs a value computed in the step
// (arange(x_t.sum())) keeps its inner root.
//
//	shape(row)[0] + 1  ->  shape(m)[1] + 1
func outerLengths(b *graph.Builder, tr *shape.Tracker, dims []*graph.Variable, inner map[*graph.Variable]bool) ([]*graph.Variable, error) {
	const rounds = 16
	for range rounds {
		reads := map[*graph.Variable]bool{} // step variables: inner roots and what they compute
		for _, r := range graph.Roots(dims) {
			reads[r] = inner[r]
		}
		subst := map[*graph.Variable]*graph.Variable{}
		for _, n := range graph.Toposort(dims) {
			from := false
			for _, in := range n.Inputs {
				from = from || reads[in]
			}
			if _, isShape := n.Op.(ops.ShapeOp); isShape && from && !isWhileLoop(n.Inputs[0].Owner) {
				vec, err := tr.Vector(n.Inputs[0])
				if err != nil {
					return nil, err
				}
				subst[n.Outputs[0]] = vec
				continue
			}
			for _, o := range n.Outputs {
				reads[o] = from
			}
		}
		if len(subst) == 0 {
			return dims, nil
		}
		var err error
		if dims, err = b.Replace(dims, subst); err != nil {
			return nil, err
		}
	}
	return dims, nil
}
