package cxx

import (
	"fmt"
	"strings"

	"theanogo/core/control"
	"theanogo/core/graph"
)

// Where a scan step's results go and where its taps come from.
//
// In place: the step's region allocates each result through the sink's
// parent, tg_scan_row_alloc, which hands it the row of the output (or of
// the ring) that the result belongs in, so the region computes the row
// where it stays and the loop copies nothing. This is sound because the
// row a step writes is never a row the step reads: a tap -d reads row
// t - d with d >= 1, and a ring holds at least depth + 1 rows
// (ScanInfo.RingRows). A result of another shape goes to a workspace slot
// instead, and the loop's shape check then raises.
//
// Rings: an output keeping only its last k rows (ScanInfo.Keep, the
// scan_save_mem rewrite) lives during the loop in a workspace ring of R
// rows: step t writes ring row t % R; a tap -d at step t < d reads the
// initial value's row L + t - d, later ones ring row (t - d) % R. After the
// loop the output's rows (the last min(k, L + n) of initial rows then
// steps) are copied out of the initial value and the ring.
const scanRowHelpers = `typedef struct tg_scan_rows {
    tg_view *dst;          /* the row each result belongs in, this step */
    tg_state *st;
    const int32_t *slot;   /* a workspace slot per result: the fallback */
    const int32_t *dtype;
} tg_scan_rows;

static void *tg_scan_row_alloc(void *vctx, int32_t i, int32_t ndim, const int64_t *shape) {
    tg_scan_rows *r = (tg_scan_rows *)vctx;
    tg_view *d = &r->dst[i];
    bool same = d->ndim == ndim;
    for (int k = 0; same && k < ndim; k++) same = d->shape[k] == shape[k];
    if (same) return d->data;
    int64_t n;
    if (ndim > TG_MAXDIM || !tg_size_ok(ndim, shape, tg_dtype_size(r->dtype[i]), &n)) return NULL;
    return tg_slot_get(r->st, r->slot[i], (size_t)n * (size_t)tg_dtype_size(r->dtype[i]));
}`

// scanRows is what lowerScan knows of one output's storage.
type scanRows struct {
	out  string // the node's output view (out%d, a pointer)
	ring int    // rows of its ring; 0: the loop writes out directly
	init string // recurrent: the initial value's view (in%d); "" for a nit-sot
	lead string // recurrent: its initial rows' count (L%d); "0" for a nit-sot
}

// storage describes output o of the scan node.
func scanStorage(s *control.ScanInfo, o int) scanRows {
	r := scanRows{out: fmt.Sprintf("out%d", o), ring: s.RingRows(o), lead: "0"}
	if o < len(s.Taps) {
		r.init = fmt.Sprintf("in%d", 1+s.NSeqs+o)
		r.lead = fmt.Sprintf("L%d", o)
	}
	return r
}

// allocRing declares ring%d, a workspace buffer of r.ring rows shaped as
// the output's rows (a recurrent output's are its initial value's: a
// while loop's output view is set only once it stops).
func allocRing(e *Emitter, o int, r scanRows) {
	like := r.out // the view whose rows the ring's take after
	if r.init != "" {
		like = r.init
	}
	slot := e.gen.nslots
	e.gen.nslots++
	e.Line("tg_view ring%d;", o)
	e.Line("{")
	e.Line("int64_t sh[TG_MAXDIM], cnt;")
	e.Line("sh[0] = %d;", r.ring)
	e.Line("for (int d = 1; d < %s->ndim; d++) sh[d] = %s->shape[d];", like, like)
	e.Line("if (!tg_size_ok(%s->ndim, sh, tg_dtype_size(%s->dtype), &cnt)) return tg_set_error(err, \"ValueError: scan: the ring of output %d has a size that overflows int64\");", like, like, o)
	e.Line("void *p = tg_slot_get(st, %d, (size_t)cnt * (size_t)tg_dtype_size(%s->dtype));", slot, like)
	e.Line("if (!p && cnt > 0) return tg_set_error(err, \"MemoryError: scan: no memory for the ring of output %d\");", o)
	e.Line("tg_view_init(&ring%d, p, %s->dtype, %s->ndim, sh);", o, like, like)
	e.Line("}")
}

// whileTail gives a while loop's recurrent output o, kept in a ring, its
// memory once the loop has stopped after steps steps: a workspace slot of
// its own holding its last min(k, L + steps) rows (the rows it returns).
func whileTail(e *Emitter, o int, v *graph.Variable, r scanRows, keep int) {
	e.Line("{")
	e.Line("int64_t shp[TG_MAXDIM]; shp[0] = %s + steps < %d ? %s + steps : %d;", r.lead, keep, r.lead, keep)
	e.Line("for (int d = 1; d < %d; d++) shp[d] = %s->shape[d];", v.Type.Ndim(), r.init)
	whileAlloc(e, v, r.out)
	e.Line("}")
}

// tapRow is the C expression of the view a tap -d of output o reads at
// step t.
func tapRow(o, d int, r scanRows) string {
	if r.ring == 0 {
		return fmt.Sprintf("tg_scan_row(%s, %s + t - %d)", r.out, r.lead, d)
	}
	return fmt.Sprintf("(t < %d ? tg_scan_row(%s, %s + t - %d) : tg_scan_row(&ring%d, (t - %d) %% %d))", d, r.init, r.lead, d, o, d, r.ring)
}

// destRow is the C expression of the row step t of output o goes to.
func destRow(o int, r scanRows) string {
	if r.ring > 0 {
		return fmt.Sprintf("tg_scan_row(&ring%d, t %% %d)", o, r.ring)
	}
	if r.lead == "0" {
		return fmt.Sprintf("tg_scan_row(%s, t)", r.out)
	}
	return fmt.Sprintf("tg_scan_row(%s, %s + t)", r.out, r.lead)
}

// copyOutOfRing copies the output's rows (the last of the initial rows
// then the steps: steps names their count) out of the initial value and
// the ring.
func copyOutOfRing(e *Emitter, o int, r scanRows, steps string) {
	e.Line("{")
	e.Line("const int64_t H = %s + %s, m = %s->shape[0];", r.lead, steps, r.out)
	e.Line("for (int64_t h = H - m; h < H; h++) {")
	e.Line("tg_view dst = tg_scan_row(%s, h - (H - m));", r.out)
	src := fmt.Sprintf("tg_scan_row(&ring%d, (h - %s) %% %d)", o, r.lead, r.ring)
	if r.init != "" {
		src = fmt.Sprintf("h < %s ? tg_scan_row(%s, h) : %s", r.lead, r.init, src)
	}
	e.Line("tg_view src = %s;", src)
	e.Line("tg_copy(&dst, &src);")
	e.Line("}")
	e.Line("}")
}

// rowSink declares the sink placing the step's results (types) in place:
// sink rows_dst[o] is set to each result's row before every call.
func rowSink(e *Emitter, types []graph.Type) string {
	e.Helper("tg_scan_row_alloc", scanRowHelpers)
	name := e.Fresh("sink")
	var res, slots, dt []string
	for i, t := range types {
		res = append(res, fmt.Sprint(i))
		slots = append(slots, fmt.Sprint(e.gen.nslots))
		e.gen.nslots++
		dt = append(dt, fmt.Sprint(int(t.DType)))
	}
	n := len(types)
	e.Line("static const int32_t %s_res[] = {%s}, %s_slot[] = {%s}, %s_dt[] = {%s};", name, strings.Join(res, ", "), name, strings.Join(slots, ", "), name, strings.Join(dt, ", "))
	e.Line("tg_view %s_out[%d], %s_dst[%d];", name, n, name, n)
	e.Line("tg_scan_rows %s_rows = {%s_dst, st, %s_slot, %s_dt};", name, name, name, name)
	e.Line("tg_args %s_parent;", name)
	e.Line("memset(&%s_parent, 0, sizeof %s_parent);", name, name)
	e.Line("%s_parent.alloc = tg_scan_row_alloc;", name)
	e.Line("%s_parent.alloc_ctx = &%s_rows;", name, name)
	e.Line("tg_region_sink %s = {%d, &%s_parent, %s_res, st, %s_slot, %s_dt, %s_out};", name, n, name, name, name, name, name)
	return name
}
