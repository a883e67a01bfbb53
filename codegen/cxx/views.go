package cxx

import (
	"fmt"

	"theanogo/core/graph"
	"theanogo/core/ops"
)

// View lowerings set out0 from in0 without copying: dimshuffle permutes
// and inserts dimensions, subtensor offsets the data and scales strides,
// reshape and flatten reuse contiguous memory (and copy into their
// scratch slot when the input is not contiguous).

// lowerDimShuffle permutes in0's dimensions; "x" entries are new
// dimensions of length 1 (stride 0).
func lowerDimShuffle(e *Emitter, n *graph.Apply) error {
	op := n.Op.(ops.DimShuffleOp)
	e.Line("out0->data = in0->data;")
	e.Line("out0->ndim = %d;", op.Pattern.Len())
	for i, p := range op.Pattern.Ints() {
		if p == ops.Broadcast {
			e.Line("out0->shape[%d] = 1; out0->strides[%d] = 0;", i, i)
		} else {
			e.Line("out0->shape[%d] = in0->shape[%d]; out0->strides[%d] = in0->strides[%d];", i, p, i, p)
		}
	}
	return nil
}

// lowerSubtensor resolves basic indices as numpy does (negative indices
// count from the end, slices clamp; an integer out of range is an
// IndexError) into an offset and strides.
func lowerSubtensor(e *Emitter, n *graph.Apply) error {
	items := n.Op.(ops.SubtensorOp).Items.List()
	x := n.Inputs[0].Type
	es := x.DType.Size()
	next := 1
	entry := func(en ops.IndexEntry) (string, string) { // value, present
		switch en.Kind {
		case ops.EntryConst:
			return fmt.Sprintf("INT64_C(%d)", en.Value), "1"
		case ops.EntryInput:
			k := next
			next++
			return fmt.Sprintf("tg_read_int(in%d)", k), "1"
		}
		return "0", "0"
	}
	e.Line("char *data = in0->data;")
	od := 0
	for d := 0; d < x.Ndim(); d++ {
		if d >= len(items) {
			e.Line("out0->shape[%d] = in0->shape[%d]; out0->strides[%d] = in0->strides[%d];", od, d, od, d)
			od++
			continue
		}
		it := items[d]
		if !it.Slice {
			v, _ := entry(it.Entries[0])
			e.Line("{ int64_t i = %s, n = in0->shape[%d];", v, d)
			e.Line("if (i < -n || i >= n) return tg_set_error(err, \"IndexError: subtensor: index %%lld is out of bounds for axis %d with size %%lld\", (long long)i, (long long)n);", d)
			e.Line("if (i < 0) i += n;")
			e.Line("data += i * in0->strides[%d] * %d; }", d, es)
			continue
		}
		start, hasStart := entry(it.Entries[0])
		stop, hasStop := entry(it.Entries[1])
		step, hasStep := entry(it.Entries[2])
		e.Line("{ int64_t s, st, len;")
		e.Line("if (tg_slice(in0->shape[%d], %s, %s, %s, %s, %s, %s, &s, &st, &len, \"subtensor\", err)) return 1;", d, start, stop, step, hasStart, hasStop, hasStep)
		e.Line("data += s * in0->strides[%d] * %d;", d, es)
		e.Line("out0->shape[%d] = len; out0->strides[%d] = in0->strides[%d] * st; }", od, od, d)
		od++
	}
	e.Line("out0->ndim = %d;", od)
	e.Line("out0->data = data;")
	return nil
}

// scratchView reports whether n is a view that copies when its input is
// not contiguous, and so needs a workspace slot.
func scratchView(n *graph.Apply) bool {
	switch n.Op.(type) {
	case ops.ReshapeOp, ops.FlattenOp:
		return true
	}
	return false
}

// lowerReshape shares in0's memory when it is contiguous and otherwise
// gathers it into the scratch slot; out0's shape is the symbolic one,
// which the body checks against in0's size.
func lowerReshape(e *Emitter, n *graph.Apply) error {
	if e.scratch < 0 {
		return fmt.Errorf("cxx: %s has no scratch slot", n.Op.Name())
	}
	es := n.Inputs[0].Type.DType.Size()
	e.Line("const int64_t size = tg_view_size(in0);")
	e.Line("if (size != tg_view_size(out0)) return tg_set_error(err, \"ValueError: %s: cannot reshape an array of size %%lld into one of size %%lld\", (long long)size, (long long)tg_view_size(out0));", n.Op.Name())
	e.Line("if (tg_is_contiguous(in0)) {")
	e.Line("out0->data = in0->data;")
	e.Line("} else {")
	e.Line("out0->data = (char *)tg_slot_get(st, %d, (size_t)(size * %d > 0 ? size * %d : 1));", e.scratch, es, es)
	e.Line("if (!out0->data) return tg_set_error(err, \"MemoryError: no memory for a copy of the %s input\");", n.Op.Name())
	e.Line("tg_gather(out0->data, in0);")
	e.Line("}")
	return nil
}
