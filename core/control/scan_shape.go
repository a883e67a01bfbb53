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
		for _, r := range graph.Roots(dims) {
			if inner[r] {
				return nil, graph.ValueErrorf("scan: the shape of output %d depends on values computed in the loop", len(s.Taps)+k)
			}
		}
		rows = append(rows, dims)
	}
	return rows, nil
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

// assumeWhileLoops tells tr the shapes of the outputs of the while loops
// (scans with until) among outputs' nodes, which have no shape rule: each
// length but the first is known (an initial value's row, or the loop's
// step shape), the first is shape(out)[0], a value of the step, so that a
// step result reading only the known lengths (the last row of a nested
// while loop) has a shape, and one reading the first does not. A loop
// whose step shapes are unknown is left alone (Of then fails on it).
func assumeWhileLoops(b *graph.Builder, tr *shape.Tracker, outputs []*graph.Variable) {
	e := ops.NewExpr(b)
	for _, n := range graph.Toposort(outputs) {
		if !isWhileLoop(n) {
			continue
		}
		s := n.Op.(Scan).Info
		in := make([][]*graph.Variable, len(n.Inputs))
		for i, x := range n.Inputs {
			d, err := tr.Of(x)
			if err != nil {
				return
			}
			in[i] = d
		}
		rows := make([][]*graph.Variable, 0, len(n.Outputs))
		for i := range s.Taps {
			rows = append(rows, in[s.initStart()+i][1:])
		}
		if s.NNitSot > 0 {
			nits, err := n.Op.(Scan).stepShapes(b, in)
			if err != nil {
				return
			}
			rows = append(rows, nits...)
		}
		for i, o := range n.Outputs {
			tr.Assume(o, append([]*graph.Variable{e.Index(e.Shape(o), 0)}, rows[i]...))
		}
		if e.Err != nil {
			return
		}
	}
}

// isWhileLoop reports whether n is a scan with until.
func isWhileLoop(n *graph.Apply) bool {
	if n == nil {
		return false
	}
	op, ok := n.Op.(Scan)
	return ok && op.Info.Until
}
