package cxx

import (
	"fmt"
	"math/bits"
	"strings"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// Reductions (ops.Reduce, ops.FusedReduceOp) lower to generated loops that
// fold exactly as the Go evaluator folds (core/ops/reduce.go): every output
// position starts at the reduction's identity and folds its elements in C
// order of the reduced axes, in the evaluator's domain (double for every
// real float input, int64 for bools and integers, complex<double> for
// complex), rounding once to the output dtype at the end; mean divides
// the folded value by the count.
//
// The loop nest is planned at run time from the strides (tgr_plan, a
// helper in every translation unit that reduces): the kept axes are the
// output positions, and one of them, the block axis, is walked a block at
// a time inside the reduced loops, with one accumulator per block position:
//
//   - when the block axis runs through memory faster than the reduced axes
//     (sum over axis 0 of a C-contiguous matrix, the bias gradient), blocks
//     are long (tgr_wide) and the innermost loop adds one contiguous row
//     segment into the accumulators elementwise: it vectorizes without
//     reordering any sum;
//   - otherwise (sum over the last axis) blocks have four positions, so
//     four independent sums advance together instead of one chain waiting
//     on the adder's latency; each still folds in order;
//   - a block of one position (a reduction over every axis) keeps its
//     accumulator in a register along the last reduced axis, where integer
//     folds vectorize; sums of float32 and float16 (folded in double) use
//     sixteen partial sums there (reduceLanesAllowed), the one place the
//     order of a fold differs from the evaluator's.
//
// Blocks are tasks; large reductions spread them over the pool with
// tg_parallel_for. A reduction over every axis is one task: splitting it
// would change the order of the fold, and so the rounding of float64 sums.

// reduceHelper is the C++ plan shared by every reduction of a translation
// unit: from the map's shape, each input's strides over it, the reduced
// axes and the output view, it orders the loops and splits the work.
const reduceHelper = `// tgr_plan: the loops of a reduction over NIN inputs (core/ops/reduce.go's
// fold), planned from the run-time shape and strides. Kept axes are output
// positions; the block axis (the last kept one here) is walked tgr_block()
// positions at a time inside the reduced loops, which run in C order.
enum { tgr_wide = 128, tgr_narrow = 4 };
template <int NIN>
struct tgr_plan {
    int32_t nk, nr;                          // kept axes (block axis last), reduced axes
    int64_t kl[TG_MAXDIM], rl[TG_MAXDIM];    // their lengths
    int64_t ks[NIN][TG_MAXDIM];              // input strides along the kept axes
    int64_t rs[NIN][TG_MAXDIM];              // input strides along the reduced axes (C order)
    int64_t ko[TG_MAXDIM];                   // output strides along the kept axes
    int64_t count, n;                        // elements folded per output; outputs
    int64_t block, blocks, tasks;            // block length; blocks per outer position; tasks
    const char *in[NIN];
    char *out;
};

// tgr_plan_init plans the reduction of an ndim-dimensional index space of
// the given shape; st[i] are input i's strides over it (0: broadcast).
template <int NIN>
static void tgr_plan_init(tgr_plan<NIN> *p, int32_t ndim, const int64_t *shape, const int64_t (*st)[TG_MAXDIM],
                          uint64_t axes, tg_view *out) {
    int32_t kept[TG_MAXDIM];
    int64_t cost[TG_MAXDIM];
    p->nk = p->nr = 0;
    p->count = p->n = 1;
    bool keepdims = out->ndim == ndim;
    int32_t od = 0;
    for (int32_t d = 0; d < ndim; d++) {
        cost[d] = 0;
        for (int i = 0; i < NIN; i++) cost[d] += st[i][d] < 0 ? -st[i][d] : st[i][d];
        if (axes >> d & 1) {
            p->rl[p->nr] = shape[d];
            for (int i = 0; i < NIN; i++) p->rs[i][p->nr] = st[i][d];
            p->nr++;
            p->count *= shape[d];
            if (keepdims) od++;
            continue;
        }
        p->ko[p->nk] = out->strides[od++];
        kept[p->nk++] = d;
        p->n *= shape[d];
    }
    // The block axis: the kept axis of length > 1 cheapest to step along.
    int32_t b = -1;
    for (int32_t k = 0; k < p->nk; k++) {
        if (shape[kept[k]] > 1 && (b < 0 || cost[kept[k]] <= cost[kept[b]])) b = k;
    }
    int64_t inner = -1;  // the cost of stepping the innermost reduced axis of length > 1
    for (int32_t d = ndim - 1; d >= 0 && inner < 0; d--) {
        if ((axes >> d & 1) && shape[d] > 1) inner = cost[d];
    }
    p->block = b >= 0 && (inner < 0 || cost[kept[b]] < inner) ? tgr_wide : tgr_narrow;
    if (b >= 0 && b != p->nk - 1) {  // rotate the block axis to the end
        int32_t kb = kept[b];
        int64_t ko = p->ko[b];
        for (int32_t k = b; k + 1 < p->nk; k++) {
            kept[k] = kept[k + 1];
            p->ko[k] = p->ko[k + 1];
        }
        kept[p->nk - 1] = kb;
        p->ko[p->nk - 1] = ko;
    }
    if (p->nk == 0) {  // every axis reduced: one output, a kept axis of length 1
        kept[0] = -1;
        p->ko[0] = 0;
        p->nk = 1;
    }
    for (int32_t k = 0; k < p->nk; k++) {
        int32_t d = kept[k];
        p->kl[k] = d < 0 ? 1 : shape[d];
        for (int i = 0; i < NIN; i++) p->ks[i][k] = d < 0 ? 0 : st[i][d];
    }
    int64_t last = p->kl[p->nk - 1];
    p->blocks = (last + p->block - 1) / p->block;
    p->tasks = last == 0 ? 0 : p->n / last * p->blocks;
    p->out = out->data;
}

// tgr_task finds task t's first element: each input's offset, the output's
// offset, and how many positions of the block axis it covers.
template <int NIN>
static inline void tgr_task(const tgr_plan<NIN> *p, int64_t t, int64_t *off, int64_t *oo, int64_t *w) {
    int32_t last = p->nk - 1;
    int64_t j0 = t % p->blocks * p->block, o = t / p->blocks;
    *w = p->kl[last] - j0 < p->block ? p->kl[last] - j0 : p->block;
    *oo = j0 * p->ko[last];
    for (int i = 0; i < NIN; i++) off[i] = j0 * p->ks[i][last];
    for (int32_t k = last - 1; k >= 0; k--) {
        int64_t q = o % p->kl[k];
        o /= p->kl[k];
        *oo += q * p->ko[k];
        for (int i = 0; i < NIN; i++) off[i] += q * p->ks[i][k];
    }
}

// tgr_run runs the tasks, over the pool when there are at least work
// elements to fold.
template <int NIN>
static void tgr_run(tgr_plan<NIN> *p, tg_range_fn body, int64_t work) {
    int64_t per_task = p->block * (p->count > 0 ? p->count : 1);
    if (p->tasks < 2 || per_task * p->tasks < work) {
        body(p, 0, p->tasks);
        return;
    }
    int64_t grain = work / 2 / per_task;
    tg_parallel_for(p->tasks, grain > 0 ? grain : 1, body, p);
}
`

// reduceAccumulator is how a reduction folds: the C++ type it folds in, its
// identity there, the combining template ($0 the accumulator, $1 the
// element), and the rounding of the result to the output's storage.
type reduceAccumulator struct {
	ctype    string
	identity string
	combine  string
	store    string // template: $0 the accumulator
	mean     bool
}

// newReduceAccumulator follows Reduce.Evaluate's choice of domain for
// reduction k with output dtype out.
func newReduceAccumulator(k *ops.Reduction, out dtype.DType) reduceAccumulator {
	compute := k.ComputeDType(out)
	acc := reduceAccumulator{combine: k.Scalar.C, mean: k.Mean}
	switch {
	case compute.IsComplex():
		acc.ctype = "std::complex<double>"
	case compute == dtype.Int64:
		acc.ctype = "int64_t"
	default:
		acc.ctype = "double"
	}
	acc.identity = k.Identity.C(acc.ctype)
	if out == dtype.Float16 {
		acc.store = "tg_double_to_half($0)" // one rounding from double, as tensor.Float64ToHalf
	} else {
		acc.store = "static_cast<" + ops.CTypeOf(out).Storage + ">($0)"
	}
	return acc
}

// reduceTemplate fills $0, $1, ... of a C template.
func reduceTemplate(t string, args ...string) string {
	for i := len(args) - 1; i >= 0; i-- {
		t = strings.ReplaceAll(t, fmt.Sprintf("$%d", i), args[i])
	}
	return t
}

// reduceNest describes one reduction loop nest for emitReduceLoops.
type reduceNest struct {
	op     string // the op's name, for messages ("sum")
	ndim   int    // rank of the index space
	axes   graph.AxisSet
	nin    int
	inputs []dtype.DType // each input's dtype
	// element returns the C++ expression of one element in the
	// accumulator's type, given each input's element expression.
	element  func(loads []string) string
	acc      reduceAccumulator
	nonEmpty bool // max and min: an empty fold is a ValueError
	out      dtype.DType
	lanes    bool // reduceLanesAllowed
}

// emitReduceLoops writes the body that plans and runs a reduction (its
// task body is a helper, which the reductions of a kernel that fold alike
// share: one copy to compile); the
// caller has declared `int64_t shape[TG_MAXDIM]` (the index space) and
// `int64_t strides[NIN][TG_MAXDIM]` (each input's strides over it).
func emitReduceLoops(e *Emitter, r reduceNest) {
	e.Include("tg_nnet.h")
	e.Include("tg_scalar.h")
	e.Helper("tgr_plan", reduceHelper)
	e.Line("tgr_plan<%d> plan;", r.nin)
	for i := 0; i < r.nin; i++ {
		e.Line("plan.in[%d] = in%d->data;", i, i)
	}
	e.Line("tgr_plan_init(&plan, %d, shape, strides, UINT64_C(%#x), out0);", r.ndim, uint64(r.axes))
	if r.nonEmpty {
		e.Line("if (plan.count == 0 && plan.n > 0) {")
		e.Line(`return tg_set_error(err, "ValueError: %s: zero-size array to reduction operation %s which has no identity");`, r.op, r.op)
		e.Line("}")
	}
	node := e
	e = e.unit.newEmitter() // the task body: a helper, shared by the nodes that fold alike
	e.Line("const tgr_plan<%d> *p = (const tgr_plan<%d> *)ctx;", r.nin, r.nin)
	e.Line("%s acc[tgr_wide];", r.acc.ctype)
	e.Line("%s *out = (%s *)p->out;", ops.CTypeOf(r.out).Storage, ops.CTypeOf(r.out).Storage)
	e.Line("const int32_t last = p->nk - 1;")
	e.Line("for (int64_t t = t0; t < t1; t++) {")
	e.Line("int64_t off[%d], oo, w;", r.nin)
	e.Line("tgr_task(p, t, off, &oo, &w);")
	e.Line("for (int64_t j = 0; j < w; j++) acc[j] = %s;", r.acc.identity)
	for i := 0; i < r.nin; i++ {
		st := ops.CTypeOf(r.inputs[i]).Storage
		e.Line("const %s *x%d = (const %s *)p->in[%d] + off[%d];", st, i, st, i, i)
		e.Line("const int64_t k%d = p->ks[%d][last];", i, i)
	}
	// Copies of the nest: one output at a time (a scalar accumulator), a
	// contiguous block (vectorizes), four positions (unrolled: four
	// chains), anything else.
	unit := make([]string, r.nin)
	for i := range unit {
		unit[i] = fmt.Sprintf("k%d == 1", i)
	}
	if bits.OnesCount64(uint64(r.axes)) > 0 {
		e.Line("if (w == 1) {")
		emitReduceScalarNest(e, r)
		e.Line("} else if (%s) {", strings.Join(unit, " && "))
	} else {
		e.Line("if (%s) {", strings.Join(unit, " && "))
	}
	emitReduceNest(e, r, "w", func(i int) string { return "j" })
	e.Line("} else if (w == tgr_narrow) {")
	emitReduceNest(e, r, "tgr_narrow", func(i int) string { return fmt.Sprintf("j * k%d", i) })
	e.Line("} else {")
	emitReduceNest(e, r, "w", func(i int) string { return fmt.Sprintf("j * k%d", i) })
	e.Line("}")
	result := "acc[j]"
	if r.acc.mean {
		result = "acc[j] / double(p->count)"
	}
	e.Line("for (int64_t j = 0; j < w; j++) out[oo + j * p->ko[last]] = %s;", reduceTemplate(r.acc.store, result))
	e.Line("}")
	work := parallelWork
	if node.unit.blas {
		work = parallelWorkBLAS
	}
	node.Line("tgr_run(&plan, %s, %d);", sharedHelper(node, "tgr_body", "static void NAME(void *ctx, int64_t t0, int64_t t1) {\n"+e.String()+"\n}"), work)
}

// emitReduceNest writes the reduced loops (C order) around the block loop
// of width w; index(i) is input i's offset of block position j.
func emitReduceNest(e *Emitter, r reduceNest, w string, index func(i int) string) {
	nr := bits.OnesCount64(uint64(r.axes))
	for d := 0; d < nr; d++ {
		e.Line("for (int64_t r%d = 0; r%d < p->rl[%d]; r%d++) {", d, d, d, d)
	}
	loads := make([]string, r.nin)
	for i := 0; i < r.nin; i++ {
		terms := []string{fmt.Sprintf("x%d", i)}
		for d := 0; d < nr; d++ {
			terms = append(terms, fmt.Sprintf("r%d * p->rs[%d][%d]", d, i, d))
		}
		e.Line("const %s *y%d = %s;", ops.CTypeOf(r.inputs[i]).Storage, i, strings.Join(terms, " + "))
		loads[i] = fmt.Sprintf("y%d[%s]", i, index(i))
	}
	e.Line("for (int64_t j = 0; j < %s; j++) {", w)
	e.Line("acc[j] = %s;", reduceTemplate(r.acc.combine, "acc[j]", r.element(loads)))
	e.Line("}")
	for d := 0; d < nr; d++ {
		e.Line("}")
	}
}

// emitReduceScalarNest writes the reduced loops for a single output, its
// accumulator in a register and the last reduced axis as the inner loop
// (integer folds vectorize there: wrapping add, mul, max and min are
// associative). With r.lanes, reduceLanes accumulators take every
// reduceLanes-th element and are combined pairwise at the end: that many
// chains instead of one.
func emitReduceScalarNest(e *Emitter, r reduceNest) {
	nr := bits.OnesCount64(uint64(r.axes))
	combine := func(a, x string) string { return reduceTemplate(r.acc.combine, a, x) }
	e.Line("%s a0 = acc[0];", r.acc.ctype)
	if r.lanes {
		for k := 1; k < reduceLanes; k++ {
			e.Line("%s a%d = %s;", r.acc.ctype, k, r.acc.identity)
		}
	}
	for d := 0; d < nr-1; d++ {
		e.Line("for (int64_t r%d = 0; r%d < p->rl[%d]; r%d++) {", d, d, d, d)
	}
	atStrided := func(l string, contiguous bool) string {
		loads := make([]string, r.nin)
		for i := range loads {
			loads[i] = fmt.Sprintf("y%d[(%s) * s%d]", i, l, i)
			if contiguous {
				loads[i] = fmt.Sprintf("y%d[%s]", i, l)
			}
		}
		return r.element(loads)
	}
	at := func(l string) string { return atStrided(l, false) }
	for i := 0; i < r.nin; i++ {
		terms := []string{fmt.Sprintf("x%d", i)}
		for d := 0; d < nr-1; d++ {
			terms = append(terms, fmt.Sprintf("r%d * p->rs[%d][%d]", d, i, d))
		}
		e.Line("const %s *y%d = %s;", ops.CTypeOf(r.inputs[i]).Storage, i, strings.Join(terms, " + "))
		e.Line("const int64_t s%d = p->rs[%d][%d];", i, i, nr-1)
	}
	e.Line("const int64_t len = p->rl[%d];", nr-1)
	e.Line("int64_t l = 0;")
	if r.lanes {
		// contiguous inputs get their own copy of the loop, whose partial
		// sums the compiler packs into vectors (a run-time stride keeps
		// them scalar)
		unit := make([]string, r.nin)
		for i := range unit {
			unit[i] = fmt.Sprintf("s%d == 1", i)
		}
		for _, contiguous := range []bool{true, false} {
			if contiguous {
				e.Line("if (%s) {", strings.Join(unit, " && "))
			}
			e.Line("for (; l + %d <= len; l += %d) {", reduceLanes, reduceLanes)
			for k := 0; k < reduceLanes; k++ {
				e.Line("a%d = %s;", k, combine(fmt.Sprintf("a%d", k), atStrided(fmt.Sprintf("l + %d", k), contiguous)))
			}
			e.Line("}")
			if contiguous {
				e.Line("}")
			}
		}
	}
	e.Line("for (; l < len; l++) a0 = %s;", combine("a0", at("l")))
	for d := 0; d < nr-1; d++ {
		e.Line("}")
	}
	if r.lanes { // pairwise: a0 + a1, a2 + a3, ..., then their sums
		for w := 1; w < reduceLanes; w *= 2 {
			for k := 0; k+w < reduceLanes; k += 2 * w {
				e.Line("a%d = %s;", k, combine(fmt.Sprintf("a%d", k), fmt.Sprintf("a%d", k+w)))
			}
		}
	}
	e.Line("acc[0] = a0;")
}

// reduceLanes is the number of partial sums of a lanes fold: sixteen
// doubles are four AVX2 vectors, so four independent vector additions
// advance together (four chains of scalar partial sums vectorized into one
// vector left the adder's latency in the way: sum(W ** 2) over the MLP's
// 784x500 float32 W1 ran at one element a cycle, 117 µs, as long as the
// penalty's whole remaining cost).
const reduceLanes = 16

// reduceLanesAllowed says whether a fold may keep reduceLanes partial
// accumulators, which changes the order of the fold: only for sums of
// float32 and float16 elements in double, where the reordering moves the
// double result by a few of its ulps, far below the float32 rounding of
// the result (the evaluator's sequential fold is reproduced within float32
// precision, not bit for bit). Integer folds are exact in any order (the
// compiler vectorizes them itself); float64 sums keep the evaluator's order.
func reduceLanesAllowed(k *ops.Reduction, acc reduceAccumulator, element dtype.DType) bool {
	return acc.ctype == "double" && k.Scalar.Name == "add" && (element == dtype.Float32 || element == dtype.Float16)
}

// reduceLoad converts a stored element of dtype d to the accumulator's type.
func reduceLoad(d dtype.DType, acc reduceAccumulator, stored string) string {
	return "static_cast<" + acc.ctype + ">(" + reduceTemplate(ops.CTypeOf(d).Load, stored) + ")"
}

// lowerReduce lowers sum, prod, max, min and mean over axes.
func lowerReduce(e *Emitter, n *graph.Apply) error {
	op := n.Op.(ops.Reduce)
	x := n.Inputs[0].Type
	out := n.Outputs[0].Type.DType
	acc := newReduceAccumulator(op.Kind, out)
	ndim := x.Ndim()
	e.Line("// %s over axes %v of %s, folded in %s", op.Kind.Name, op.Axes, x.DType, acc.ctype)
	e.Line("int64_t shape[TG_MAXDIM] = {%s};", reduceList(ndim, "in0->shape[%d]"))
	e.Line("int64_t strides[1][TG_MAXDIM] = {{%s}};", reduceList(ndim, "in0->strides[%d]"))
	emitReduceLoops(e, reduceNest{
		op: op.Kind.Name, ndim: ndim, axes: op.Axes, nin: 1, inputs: []dtype.DType{x.DType},
		element:  func(loads []string) string { return reduceLoad(x.DType, acc, loads[0]) },
		acc:      acc,
		nonEmpty: op.Kind.NonEmpty,
		out:      out,
		lanes:    reduceLanesAllowed(op.Kind, acc, x.DType),
	})
	return nil
}

// reduceList is "f(0), f(1), ..." for n items, or "0" when n is 0 (an
// initializer list may not be empty).
func reduceList(n int, format string) string {
	if n == 0 {
		return "0"
	}
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(format, i)
	}
	return strings.Join(items, ", ")
}

// lowerReducedCount stores the number of elements a reduction over the
// axes folds, as a scalar of the input's dtype.
func lowerReducedCount(e *Emitter, n *graph.Apply) error {
	op := n.Op.(ops.ReducedCount)
	d := n.Outputs[0].Type.DType
	count := "int64_t(1)"
	for _, a := range op.Axes.Axes() {
		count += fmt.Sprintf(" * in0->shape[%d]", a)
	}
	e.Include("tg_nnet.h")
	e.Include("tg_scalar.h")
	e.Line("const int64_t count = %s;", count)
	ct := ops.CTypeOf(d)
	var value string
	switch {
	case d == dtype.Float16:
		value = "tg_double_to_half(double(count))"
	case d.IsComplex():
		value = ct.Storage + "(double(count))"
	default:
		value = "static_cast<" + ct.Storage + ">(count)"
	}
	e.Line("*(%s *)out0->data = %s;", ct.Storage, value)
	return nil
}

// lowerArgReduce calls the runtime's argmax/argmin (tg_nnet.c).
func lowerArgReduce(e *Emitter, n *graph.Apply) error {
	op := n.Op.(ops.ArgReduce)
	e.Include("tg_nnet.h")
	isMin := 0
	if op.Min {
		isMin = 1
	}
	e.Line("// %s over axes %v", op.Name(), op.Axes)
	e.Line("if (tg_argreduce(in0, UINT64_C(%#x), %d, out0, err) != 0) return 1;", uint64(op.Axes), isMin)
	return nil
}

// lowerFusedReduce folds a fused map (ops.FusedReduceOp) without storing
// it: the map's element function (as FusedOp computes it, each node
// rounded to its dtype) is called inside the reduction loops, and its
// value, in the map dtype's storage, is folded as Reduce folds the stored
// map. Inputs of lower rank are padded on the left; their statically
// length-1 dimensions broadcast (stride 0).
func lowerFusedReduce(e *Emitter, n *graph.Apply) error {
	op := n.Op.(ops.FusedReduceOp)
	var kind *ops.Reduction
	for _, k := range ops.Reductions() {
		if k.Name == op.Kind {
			kind = k
		}
	}
	if kind == nil {
		return fmt.Errorf("cxx: composite_reduce: no reduction is called %q", op.Kind)
	}
	inDT, err := fusedInputs("composite_reduce", op.Expr, n)
	if err != nil {
		return err
	}
	fn, mapDT, err := fusedElementFunction(e, op.Expr, inDT)
	if err != nil {
		return err
	}
	out := n.Outputs[0].Type.DType
	acc := newReduceAccumulator(kind, out)
	e.Include("tg_loops.h")
	e.Line("// %s over axes %v of the map %s, folded in %s", kind.Name, op.Axes, op.Expr, acc.ctype)
	// The map's shape: each dimension's length from the first input that
	// does not broadcast there (1 if all do); the others must agree.
	e.Line("int64_t shape[TG_MAXDIM];")
	e.Line("int64_t strides[%d][TG_MAXDIM];", max(len(n.Inputs), 1))
	for d := 0; d < op.Ndim; d++ {
		e.Line("shape[%d] = 1;", d)
	}
	for i, in := range n.Inputs {
		t := in.Type
		pad := op.Ndim - t.Ndim()
		for d := 0; d < op.Ndim; d++ {
			if d < pad || t.Shape[d-pad] == 1 {
				e.Line("strides[%d][%d] = 0;", i, d)
				continue
			}
			e.Line("strides[%d][%d] = in%d->strides[%d];", i, d, i, d-pad)
		}
	}
	first := make([]int, op.Ndim)
	for d := range first {
		first[d] = -1
	}
	for i, in := range n.Inputs {
		t := in.Type
		pad := op.Ndim - t.Ndim()
		for d := pad; d < op.Ndim; d++ {
			if t.Shape[d-pad] == 1 {
				continue
			}
			if first[d] < 0 {
				first[d] = i
				e.Line("shape[%d] = in%d->shape[%d];", d, i, d-pad)
				continue
			}
			e.Line("if (in%d->shape[%d] != shape[%d]) {", i, d-pad, d)
			e.Line(`return tg_set_error(err, "ValueError: composite: input dimension mismatch: dimension %d has length %%lld in input %d and %%lld in input %d", (long long)shape[%d], (long long)in%d->shape[%d]);`,
				d, first[d], i, d, i, d-pad)
			e.Line("}")
		}
	}
	nin := len(n.Inputs)
	element := func(loads []string) string {
		return reduceLoad(mapDT, acc, fn+"("+strings.Join(loads, ", ")+")")
	}
	if nin == 0 { // a constant map: one pseudo-input that is never read
		nin = 1
		inDT = []dtype.DType{dtype.Bool}
		e.Line("for (int d = 0; d < TG_MAXDIM; d++) strides[0][d] = 0;")
		e.Line("const tg_view *in0 = out0;")
		element = func([]string) string { return reduceLoad(mapDT, acc, fn+"()") }
	}
	emitReduceLoops(e, reduceNest{
		op: kind.Name, ndim: op.Ndim, axes: op.Axes, nin: nin, inputs: inDT,
		element: element, acc: acc, nonEmpty: kind.NonEmpty, out: out,
		lanes: reduceLanesAllowed(kind, acc, mapDT),
	})
	return nil
}
