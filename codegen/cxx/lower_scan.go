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
// the loop runs), except a while loop's (until) and those of a scan whose
// rows' shape needs a step's values: the loop allocates them (see
// lowerScanUntil).
//
//	for (t = 0; t < n; t++) {
//	  tg_view s0 = tg_scan_row(in1, t), s1 = tg_scan_row(out0, L0 + t - 1);
//	  if (tg_region_call(tg_region_1, st, 0, 4, 2, rin, &sink, err)) return 1;
//	  ... sink_out[0] is row L0 + t of out0: the region computed it there ...
//	  if (until) { steps = t + 1; break; }   // a while loop
//	}
func lowerScan(e *Emitter, n *graph.Apply) error {
	op := n.Op.(control.Scan)
	s := op.Info
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
	dynamic := !op.ShapeKnown(n) // a while loop, or rows known after a step: outputs allocated here
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
		if rows[i].ring > 0 { // a ring instead (the buffer, a while loop's too, is set after the loop)
			continue
		}
		if dynamic {
			whileBuffer(e, n.Outputs[i], fmt.Sprintf("out%d", i), fmt.Sprintf("L%d", i), initIn(i))
		}
		e.Line("{ tg_view head = *out%d; head.shape[0] = L%d; tg_copy(&head, %s); }", i, i, initIn(i))
	}
	for o := nR; dynamic && o < len(rows); o++ {
		if rows[o].ring > 0 { // its row shape is known only after the first step
			return fmt.Errorf("scan: a loop allocating its outputs as it runs keeps only the last rows of its output %d, not fed back (%s)", o, graph.OpString(n.Op))
		}
	}
	for o, rw := range rows {
		if rw.ring > 0 {
			allocRing(e, o, rw)
		}
	}
	sink := rowSink(e, graph.TypesOf(s.Inner.Outputs))
	for o := len(rows); o < len(s.Inner.Outputs); o++ {
		e.Line("%s_dst[%d].ndim = -1; /* the until condition: in a workspace slot */", sink, o)
	}
	if dynamic {
		e.Line("int64_t t, steps = n;")
		e.Line("for (t = 0; t < n; t++) {")
	} else {
		e.Line("for (int64_t t = 0; t < n; t++) {")
	}
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
		if dynamic && o >= nR { // a dynamic loop's nit-sot exists once the first step gave its row shape
			e.Line("if (t == 0) %s_dst[%d].ndim = -1; else %s_dst[%d] = %s;", sink, o, sink, o, destRow(o, rw))
			continue
		}
		e.Line("%s_dst[%d] = %s;", sink, o, destRow(o, rw))
	}
	e.CallRegion(r, args, sink)
	for o := range rows {
		if dynamic && o >= nR { // the rows' shape is the first step's
			e.Line("if (t == 0) {")
			whileRows(e, n.Outputs[o], fmt.Sprintf("out%d", o), fmt.Sprintf("&%s_out[%d]", sink, o), nil)
			e.Line("%s_dst[%d] = %s;", sink, o, destRow(o, rows[o]))
			e.Line("}")
		}
		e.Line("if (!tg_scan_same_shape(&%s_dst[%d], &%s_out[%d])) return tg_set_error(err, \"ValueError: scan: step %%lld computed output %d of another shape than its row of the result\", (long long)t);", sink, o, sink, o, o)
		e.Line("tg_copy(&%s_dst[%d], &%s_out[%d]); /* nothing to copy when the step computed the row in place */", sink, o, sink, o)
	}
	if s.Until {
		c := r.Outputs[len(r.Outputs)-1].Type.DType
		if c.IsComplex() {
			return fmt.Errorf("scan: the until condition is complex (%v)", c)
		}
		cc := cTypeOf(c)
		cond := strings.ReplaceAll(cc.Load, "$0", fmt.Sprintf("(*(const %s *)%s_out[%d].data)", cc.Storage, sink, len(r.Outputs)-1))
		e.Line("if ((%s) != 0) { steps = t + 1; break; } /* until: this step's rows are kept */", cond)
	}
	e.Line("}")
	steps := "n"
	if dynamic {
		steps = "steps"
	}
	for o, rw := range rows {
		if rw.ring > 0 {
			if dynamic {
				whileTail(e, o, n.Outputs[o], rw, s.KeepRows(o))
			}
			copyOutOfRing(e, o, rw, steps)
		}
	}
	if dynamic {
		for i := 0; i < nR; i++ {
			if rows[i].ring == 0 {
				e.Line("out%d->shape[0] = L%d + steps;", i, i)
			}
		}
		noStep := op.NoStepRows(n)
		for o := nR; o < nR+s.NNitSot; o++ {
			e.Line("if (steps == 0) {")
			whileRows(e, n.Outputs[o], fmt.Sprintf("out%d", o), "NULL", noStep[o-nR])
			e.Line("}")
			e.Line("out%d->shape[0] = steps;", o)
		}
	}
	return nil
}

// whileBuffer gives a while loop's recurrent output out (a view the loop
// sets, C++ name view) a workspace slot of its own holding the initial
// rows L and the bound's n rows, each of init's row shape; the loop sets
// its first length to the rows computed once it stops.
func whileBuffer(e *Emitter, o *graph.Variable, view, rows, init string) {
	e.Line("if (n > INT64_MAX - %s) return tg_set_error(err, \"ValueError: scan: %%lld steps and %%lld initial rows overflow int64\", (long long)n, (long long)%s);", rows, rows)
	e.Line("{")
	e.Line("int64_t shp[TG_MAXDIM]; shp[0] = %s + n;", rows)
	e.Line("for (int d = 1; d < %d; d++) shp[d] = %s->shape[d];", o.Type.Ndim(), init)
	whileAlloc(e, o, view)
	e.Line("}")
}

// whileRows allocates a while loop's nit-sot output (the view named view)
// with the bound's n rows of row's shape (a `const tg_view *`), once its
// first step has run; with no step (row NULL) it has 0 rows of the lengths
// noStep gives (control.NoStepRows, as the evaluator gives).
func whileRows(e *Emitter, o *graph.Variable, view, row string, noStep []control.RowLength) {
	nd := o.Type.Ndim()
	e.Line("int64_t shp[TG_MAXDIM]; shp[0] = n;")
	if row == "NULL" {
		e.Line("shp[0] = 0;")
		for d := 1; d < nd; d++ {
			if l := noStep[d-1]; l.Input >= 0 {
				e.Line("shp[%d] = in%d->shape[%d];", d, l.Input, l.Dim)
			} else {
				e.Line("shp[%d] = %d;", d, l.Const)
			}
		}
	} else {
		e.Line("for (int d = 1; d < %d; d++) shp[d] = (%s)->shape[d - 1];", nd, row)
	}
	whileAlloc(e, o, view)
}

// whileAlloc points view at a workspace slot of its own (fresh: the body
// plans no other variable in it) big enough for shape shp.
func whileAlloc(e *Emitter, o *graph.Variable, view string) {
	slot := e.gen.nslots
	e.gen.nslots++
	nd, dt := o.Type.Ndim(), o.Type.DType
	e.Line("int64_t cnt;")
	e.Line("if (!tg_size_ok(%d, shp, %d, &cnt)) return tg_set_error(err, \"ValueError: scan: the buffer of a while loop's output has a size that overflows int64\");", nd, dt.Size())
	e.Line("void *p = tg_slot_get(st, %d, cnt > 0 ? (size_t)cnt * %d : 1);", slot, dt.Size())
	e.Line("if (!p) return tg_set_error(err, \"MemoryError: no memory for %%lld rows of a while loop's output\", (long long)shp[0]);")
	e.Line("tg_view_init(%s, p, %d, %d, shp);", view, int(dt), nd)
}

// lowerScanUntil lowers a while loop, a dynamic node (region.go): its
// outputs' lengths are the steps it ran, known only once it stops (and
// likewise a scan whose rows' shape is known only once a step ran,
// control.Scan.ShapeKnown: its outputs are allocated after the first
// step). Its node
// function (lowerScan) runs the loop in buffers of the bound's rows
// (n_steps, or the sequences' length) in workspace slots of its own and
// sets each output view's first length to the rows computed; the nodes
// reading them run in the body's continuation, whose shape phase comes
// after. An output that is a result of the body is copied into the
// result's memory, allocated with its final shape.
func lowerScanUntil(g *gen, n *graph.Apply) error {
	for _, in := range n.Inputs {
		g.ensureView(in, 2)
	}
	for _, o := range n.Outputs {
		g.declared[g.name(o, 2)] = true
	}
	before := len(g.k.Fallback)
	fn := g.function(n, "k", g.nsteps, false)
	g.nsteps++
	if len(g.k.Fallback) > before { // its outputs are not planned: no evaluator fallback here
		return fmt.Errorf("cxx: a while loop: %s", g.k.FallbackErrors[len(g.k.FallbackErrors)-1])
	}
	g.line("if (%s) return 1; /* a while loop: its outputs' lengths are the steps it ran */", g.call(fn, n, 2))
	for _, o := range n.Outputs {
		j, ok := g.dest[o]
		if !ok {
			continue
		}
		v, nd := g.name(o, 2), o.Type.Ndim()
		g.line("{ char *r = (char *)args->alloc(args->alloc_ctx, %d, %d, %s.shape);", j, nd, v)
		g.line("  if (!r && tg_view_size(&%s) > 0) return tg_set_error(err, \"MemoryError: cannot allocate result %d (%s)\");", v, j, cFormat(brief(o.String())))
		g.line("  tg_view dst; tg_view_init(&dst, r, %d, %d, %s.shape); tg_copy(&dst, &%s); }", int(o.Type.DType), nd, v, v)
	}
	return nil
}
