package control

import (
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/shape"
)

// Scans whose lengths are known only as they run: a while loop (its
// outputs have as many rows as the steps it ran) and a scan whose rows'
// shape needs a value of the step (arange(k_t)). They have no shape rule;
// compiled code runs them as dynamic nodes (codegen/cxx/lower_scan.go),
// allocating their outputs as the loop learns their lengths.

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
