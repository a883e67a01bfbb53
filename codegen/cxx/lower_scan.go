package cxx

import (
	"fmt"
	"strings"

	"theanogo/core/control"
	"theanogo/core/graph"
)

// scanHelpers are the row views the loop hands to the step's region.
const scanHelpers = `static inline tg_view tg_scan_row(const tg_view *v, int64_t r) {
    tg_view row = *v;
    row.data = v->data + r * v->strides[0] * tg_dtype_size(v->dtype);
    row.ndim = v->ndim - 1;
    for (int d = 0; d < row.ndim; d++) {
        row.shape[d] = v->shape[d + 1];
        row.strides[d] = v->strides[d + 1];
    }
    return row;
}

static inline bool tg_scan_same_shape(const tg_view *a, const tg_view *b) {
    if (a->ndim != b->ndim) return false;
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d]) return false;
    return true;
}`

// lowerScan runs the loop inside the kernel: the step graph is a region
// (a static function of the same translation unit, with its own shape
// phase and workspace), called once per step on row views of the
// sequences and of the recurrent outputs' buffers; each call computes its
// results in place, in row L+t of their buffer (or row t of a nit-sot
// output, or a ring's row: lower_scan_rows.go). The
// outputs are allocated by the shape phase (their lengths are known before
// the loop runs), so a while loop (until), whose length is not, runs in the
// evaluator.
//
//	for (int64_t t = 0; t < n; t++) {
//	  tg_view s0 = tg_scan_row(in1, t), s1 = tg_scan_row(out0, L0 + t - 1);
//	  if (tg_region_call(tg_region_1, st, 0, 4, 2, rin, &sink, err)) return 1;
//	  ... sink_out[0] is row L0 + t of out0: the region computed it there ...
//	}
func lowerScan(e *Emitter, n *graph.Apply) error {
	op := n.Op.(control.Scan)
	s := op.Info
	if s.Until {
		return fmt.Errorf("a while loop's length is known only when it has run")
	}
	// (no source line: the generated source is the cache key; see function)
	r, err := e.Region(s.Inner, "step of "+graph.OpString(n.Op))
	if err != nil {
		return err
	}
	e.Include("tg_loops.h")
	e.Helper("tg_scan_row", scanHelpers)
	// the region functions follow the node functions: declare this one
	// (and keep this node's function in the main part, split.go)
	e.Helper(regionDeclPrefix+r.Name, fmt.Sprintf("static int %s(tg_args *args, tg_state *st);", r.Name))
	nR, nSeq := len(s.Taps), s.NSeqs
	initIn := func(i int) string { return fmt.Sprintf("in%d", 1+nSeq+i) }
	nsteps := n.Inputs[0]
	ct := cTypeOf(nsteps.Type.DType)
	load := strings.ReplaceAll(ct.Load, "$0", fmt.Sprintf("(*(const %s *)in0->data)", ct.Storage))
	e.Line("const int64_t n = (int64_t)(%s);", load)
	e.Line("if (n < 0) return tg_set_error(err, \"ValueError: scan: the number of steps is negative (%%lld): n_steps < 0, or a sequence is shorter than its taps span\", (long long)n);")
	for j := 0; j < nSeq; j++ {
		e.Line("if (in%d->shape[0] < n) return tg_set_error(err, \"ValueError: scan: sequence %d has %%lld entries, fewer than the %%lld steps to run\", (long long)in%d->shape[0], (long long)n);", 1+j, j, 1+j)
	}
	rows := make([]scanRows, nR+s.NNitSot)
	for o := range rows {
		rows[o] = scanStorage(s, o)
	}
	for i := 0; i < nR; i++ {
		e.Line("const int64_t L%d = %s->shape[0];", i, initIn(i))
		e.Line("if (L%d < %d) return tg_set_error(err, \"ValueError: scan: the initial value of output %d has %%lld rows, its taps need %d\", (long long)L%d);", i, s.Depth(i), i, s.Depth(i), i)
		if rows[i].ring == 0 {
			e.Line("{ tg_view head = *out%d; head.shape[0] = L%d; tg_copy(&head, %s); }", i, i, initIn(i))
		}
	}
	for o, rw := range rows {
		if rw.ring > 0 {
			allocRing(e, o, rw)
		}
	}
	sink := rowSink(e, graph.TypesOf(s.Inner.Outputs[:nR+s.NNitSot]))
	e.Line("for (int64_t t = 0; t < n; t++) {")
	var args []string
	k := 0
	for j := 0; j < nSeq; j++ {
		e.Line("tg_view a%d = tg_scan_row(in%d, t);", k, 1+j)
		args = append(args, fmt.Sprintf("&a%d", k))
		k++
	}
	for i, taps := range s.Taps {
		for _, tap := range taps {
			e.Line("tg_view a%d = %s;", k, tapRow(i, -tap, rows[i]))
			args = append(args, fmt.Sprintf("&a%d", k))
			k++
		}
	}
	for m := 0; m < s.NNonSeqs; m++ {
		args = append(args, fmt.Sprintf("in%d", 1+nSeq+nR+m))
	}
	for o, rw := range rows {
		e.Line("%s_dst[%d] = %s;", sink, o, destRow(o, rw))
	}
	e.CallRegion(r, args, sink)
	for o := range rows {
		e.Line("if (!tg_scan_same_shape(&%s_dst[%d], &%s_out[%d])) return tg_set_error(err, \"ValueError: scan: step %%lld computed output %d of another shape than its row of the result\", (long long)t);", sink, o, sink, o, o)
		e.Line("tg_copy(&%s_dst[%d], &%s_out[%d]); /* nothing to copy when the step computed the row in place */", sink, o, sink, o)
	}
	e.Line("}")
	for o, rw := range rows {
		if rw.ring > 0 {
			copyOutOfRing(e, o, rw)
		}
	}
	return nil
}
