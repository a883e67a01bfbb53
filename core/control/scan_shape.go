package control

import (
	"slices"

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
		rows, err := op.stepShapes(b, in, node.Inputs[s.nonSeqStart():])
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, append([]*graph.Variable{n}, r...))
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
			nits, err := n.Op.(Scan).stepShapes(b, in, n.Inputs[s.nonSeqStart():])
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

// RowLength is one length of a nit-sot output's row when a while loop ran
// no step: the constant Const when Input < 0, else length Dim of the
// node's input Input.
type RowLength struct{ Input, Dim, Const int }

// NoStepRows gives the row lengths of node's nit-sot outputs for a while
// loop that ran no step (its outputs are allocated only as steps run, so
// the compiled loop cannot evaluate a general shape expression there): a
// length the step's shape rules state as a constant or as a length of one
// of the node's inputs (the step maps a sequence's rows: map(exp, m) of a
// (0, 3) matrix has rows of length m.shape[1] = 3), else the row type's
// static length, else 0. The evaluator and the C++ loop both use it, so
// they agree.
func (op Scan) NoStepRows(node *graph.Apply) [][]RowLength {
	s := op.Info
	b := graph.NewBuilder()
	tr := shape.NewTracker(b)
	in := make([][]*graph.Variable, len(node.Inputs))
	fresh := map[*graph.Variable]int{}
	ok := true
	for i, x := range node.Inputs {
		v := b.Input(x.Type, x.Name)
		fresh[v] = i
		d, err := tr.Of(v)
		if err != nil {
			ok = false
			break
		}
		in[i] = d
	}
	var rows [][]*graph.Variable
	if ok {
		var err error
		if rows, err = op.stepShapes(b, in, nil); err != nil {
			rows = nil
		}
	}
	out := make([][]RowLength, s.NNitSot)
	for k := range out {
		t := s.Inner.Outputs[len(s.Taps)+k].Type
		out[k] = make([]RowLength, t.Ndim())
		for d, l := range t.Shape {
			out[k][d] = RowLength{Input: -1, Const: max(l, 0)}
			if rows == nil || l != graph.Unknown {
				continue
			}
			if v := rows[k][d]; v.IsConstant() {
				out[k][d].Const = int(v.Value.Int64s()[0])
			} else if i, dim, ok := inputLength(v, fresh); ok {
				out[k][d] = RowLength{Input: i, Dim: dim}
			}
		}
	}
	return out
}

// inputLength reports whether v is shape(x)[d] of a variable x of fresh,
// and which (fresh[x], d).
func inputLength(v *graph.Variable, fresh map[*graph.Variable]int) (int, int, bool) {
	n := v.Owner
	if n == nil || len(n.Inputs) != 1 || n.Inputs[0].Owner == nil {
		return 0, 0, false
	}
	sub, ok := n.Op.(ops.SubtensorOp)
	if !ok {
		return 0, 0, false
	}
	items := sub.Items.List()
	if len(items) != 1 || items[0].Slice || items[0].Entries[0].Kind != ops.EntryConst {
		return 0, 0, false
	}
	sh := n.Inputs[0].Owner
	if _, isShape := sh.Op.(ops.ShapeOp); !isShape {
		return 0, 0, false
	}
	i, ok := fresh[sh.Inputs[0]]
	d := items[0].Entries[0].Value
	return i, d, ok && d >= 0 && d < sh.Inputs[0].Type.Ndim()
}

// ShapeKnown reports whether node's output lengths are known before it
// runs: it is no while loop, and its nit-sot rows have a shape rule in
// outer terms (not one reading a value the step computes, such as
// arange(x_t)). A scan whose lengths are not known runs as a while loop
// does in compiled code: its outputs are allocated once its rows' shape
// is known (after the first step), and what reads them runs after it.
func (op Scan) ShapeKnown(node *graph.Apply) bool {
	s := op.Info
	if s.Until {
		return false
	}
	if s.NNitSot == 0 {
		return true
	}
	b := graph.NewBuilder()
	tr := shape.NewTracker(b)
	in := make([][]*graph.Variable, len(node.Inputs))
	fresh := make([]*graph.Variable, len(node.Inputs))
	for i, x := range node.Inputs {
		fresh[i] = b.Input(x.Type, x.Name)
		d, err := tr.Of(fresh[i])
		if err != nil {
			return false
		}
		in[i] = d
	}
	_, err := op.stepShapes(b, in, fresh[s.nonSeqStart():])
	return err == nil
}
