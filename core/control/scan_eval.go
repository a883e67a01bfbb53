package control

import (
	"slices"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// Evaluate runs the loop in Go: the reference the compiled loop is tested
// against. Each recurrent output keeps its history as rows (its initial
// rows first), each step reads its taps from it and appends its new value;
// a while loop stops after the first step whose condition holds.
func (op Scan) Evaluate(node *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	s := op.Info
	n := int(in[0].Int64s()[0])
	if n < 0 {
		return nil, graph.ValueErrorf("scan: the number of steps is negative (%d): n_steps < 0, or a sequence is shorter than its taps span", n)
	}
	seqs := in[s.seqStart():s.initStart()]
	for j, seq := range seqs {
		if seq.Shape[0] < n {
			return nil, graph.ValueErrorf("scan: sequence %d has %d entries, fewer than the %d steps to run", j, seq.Shape[0], n)
		}
	}
	hist := make([][]*tensor.Array, len(s.Taps))
	for i := range s.Taps {
		init := in[s.initStart()+i]
		if init.Shape[0] < s.Depth(i) {
			return nil, graph.ValueErrorf("scan: the initial value of output %d has %d rows, its taps %v need %d", i, init.Shape[0], s.Taps[i], s.Depth(i))
		}
		for r := 0; r < init.Shape[0]; r++ {
			hist[i] = append(hist[i], Row(init, r))
		}
	}
	nits := make([][]*tensor.Array, s.NNitSot)
	args := make([]*tensor.Array, len(s.Inner.Inputs))
	copy(args[s.stepNonSeqStart():], in[s.nonSeqStart():])
	for t := 0; t < n; t++ {
		for j, seq := range seqs {
			args[j] = Row(seq, t)
		}
		k := s.NSeqs
		for i, taps := range s.Taps {
			base := len(hist[i])
			for _, tap := range taps {
				args[k] = hist[i][base+tap]
				k++
			}
		}
		outs, err := s.Inner.Run(args)
		if err != nil {
			return nil, err
		}
		for i := range s.Taps {
			prev := hist[i][len(hist[i])-1]
			if !slices.Equal(outs[i].Shape, prev.Shape) {
				return nil, graph.ValueErrorf("scan: step %d computed output %d of shape %v, but its state has shape %v", t, i, outs[i].Shape, prev.Shape)
			}
			hist[i] = keepTail(append(hist[i], outs[i]), s.RingRows(i))
		}
		for k := range nits {
			o := outs[len(s.Taps)+k]
			if t > 0 && !slices.Equal(o.Shape, nits[k][0].Shape) {
				return nil, graph.ValueErrorf("scan: step %d computed output %d of shape %v, the first step's has shape %v", t, len(s.Taps)+k, o.Shape, nits[k][0].Shape)
			}
			nits[k] = keepTail(append(nits[k], o), s.RingRows(len(s.Taps)+k))
		}
		if s.Until && outs[len(outs)-1].Float64s()[0] != 0 {
			break
		}
	}
	var res []*tensor.Array
	for i := range s.Taps {
		res = append(res, Stack(tail(hist[i], s.KeepRows(i)), in[s.initStart()+i].Shape[1:], in[s.initStart()+i].DType))
	}
	var rows [][]int
	if len(nits) > 0 && len(nits[0]) == 0 {
		if s.Until { // the compiled loop's rule (NoStepRows)
			rows = noStepRows(op.NoStepRows(node), in)
		} else {
			rows = op.zeroStepRows(in)
		}
	}
	for k := range nits {
		t := s.Inner.Outputs[len(s.Taps)+k].Type
		elem := make([]int, t.Ndim())
		for d, l := range t.Shape {
			elem[d] = max(l, 0) // no step ran: unknown lengths are 0 ...
		}
		if rows != nil {
			elem = rows[k] // ... unless the step's shape rules give them
		}
		res = append(res, Stack(tail(nits[k], s.KeepRows(len(s.Taps)+k)), elem, t.DType))
	}
	return res, nil
}

// zeroStepRows gives the nit-sot outputs' row shapes when no step ran,
// from the step's shape rules on the inputs' lengths (what the compiled
// loop allocates: map(f, x) of a (0, 3) matrix x is (0, 3), not (0, 0)),
// or nil when a row length depends on a value computed in the step.
func (op Scan) zeroStepRows(in []*tensor.Array) [][]int {
	b := graph.NewBuilder()
	l := ops.NewLengths(b)
	dims := make([][]*graph.Variable, len(in))
	for i, a := range in {
		dims[i] = []*graph.Variable{}
		for _, d := range a.Shape {
			dims[i] = append(dims[i], l.Const(d))
		}
	}
	var nonSeqs []*graph.Variable // their values, as constants
	for _, a := range in[op.Info.nonSeqStart():] {
		nonSeqs = append(nonSeqs, b.Constant(a))
	}
	rows, err := op.stepShapes(b, dims, nonSeqs)
	if err != nil || l.Err() != nil {
		return nil
	}
	var flat []*graph.Variable
	for _, r := range rows {
		flat = append(flat, r...)
	}
	if len(flat) == 0 {
		return rows2ints(rows, nil)
	}
	prog, err := eval.NewProgram(nil, flat)
	if err != nil {
		return nil
	}
	vals, err := prog.Run(nil)
	if err != nil {
		return nil
	}
	return rows2ints(rows, vals)
}

// noStepRows evaluates a while loop's no-step row lengths on its inputs.
func noStepRows(lens [][]RowLength, in []*tensor.Array) [][]int {
	out := make([][]int, len(lens))
	for k, r := range lens {
		out[k] = make([]int, len(r))
		for d, l := range r {
			out[k][d] = l.Const
			if l.Input >= 0 {
				out[k][d] = in[l.Input].Shape[l.Dim]
			}
		}
	}
	return out
}

// rows2ints shapes vals (one int64 scalar per length) as rows.
func rows2ints(rows [][]*graph.Variable, vals []*tensor.Array) [][]int {
	out := make([][]int, len(rows))
	k := 0
	for i, r := range rows {
		out[i] = make([]int, len(r))
		for d := range r {
			out[i][d] = int(vals[k].Int64s()[0])
			if out[i][d] < 0 {
				return nil
			}
			k++
		}
	}
	return out
}

// Row copies row r of a (a[r], one step's slice) into a new array.
func Row(a *tensor.Array, r int) *tensor.Array {
	out := tensor.New(a.DType, a.Shape[1:])
	size := len(out.Bytes())
	copy(out.Bytes(), a.Bytes()[r*size:(r+1)*size])
	return out
}

// Stack stacks rows of shape elem into one array (len(rows), elem...).
func Stack(rows []*tensor.Array, elem []int, dt dtype.DType) *tensor.Array {
	if len(rows) > 0 {
		elem = rows[0].Shape
	}
	out := tensor.New(dt, append([]int{len(rows)}, elem...))
	dst := out.Bytes()
	off := 0
	for _, r := range rows {
		off += copy(dst[off:], r.Bytes())
	}
	return out
}
