package cxx

import (
	"fmt"
	"math/bits"
	"strings"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/ops"
)

// Reductions (ops.Reduce, ops.FusedReduceOp) lower to a kir.Reduce
// kernel (their ops' Lower, core/ops/reduce_kernel.go), printed here as
// generated loops. Every output position starts at the kernel's identity
// and folds its elements in the accumulator's dtype (the evaluator's
// domain: double for every real float input, int64 for bools and
// integers, complex<double> for complex), rounding once to the output
// dtype at the end; a mean divides the folded value by the count. The fold
// order is the kernel's fold policy (DESIGN.md decision 13):
//
//   - kir.Pairwise (sums of real floats, folded in double) is pairwise,
//     blocked and parallel (tgr_pairwise_fold in codegen/runtime/
//     tg_reduce.h): numpy's pairwise order along each row, rows in order
//     within a piece of the reduced elements, pieces combined pairwise, a
//     one-output reduction's pieces spread over the pool. The result does
//     not depend on the thread count; it is within ops.ReduceTolerance of
//     the evaluator's sequential fold, not bit for bit;
//   - kir.Sequential (integers, bools, prod, max, min, complex) folds in
//     the evaluator's order, exactly: integer folds are exact in any order
//     anyway, and max/min have one answer.
//
// The loop nest is planned at run time from the strides (tgr_plan in
// tg_reduce.h): the kept axes are the output positions, and one of them,
// the block axis, is walked a block at a time inside the reduced loops,
// with one accumulator per block position:
//
//   - when the block axis runs through memory faster than the reduced axes
//     (sum over axis 0 of a C-contiguous matrix, the bias gradient), blocks
//     are long (tgr_wide) and the innermost loop adds one contiguous row
//     segment into the accumulators elementwise: it vectorizes;
//   - otherwise (sum over the last axis) a sequential fold takes blocks of
//     four positions, so four independent chains advance together, and a
//     pairwise fold takes one position at a time (its eight accumulators
//     are the independent chains);
//   - a block of one position keeps its accumulator in a register along
//     the last reduced axis, where integer folds vectorize.
//
// Blocks are tasks; large reductions spread them over the pool with
// tg_parallel_for.

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

// accumulatorOf reads a reduce kernel's accumulator: its dtype is the
// identity's, the combining row is the step's (kir.Reduce.Combine).
func accumulatorOf(k *kir.Kernel, b *kir.Reduce, combine kir.Row) reduceAccumulator {
	acc := reduceAccumulator{ctype: cTypeOf(b.Identity.DType()).Storage, identity: cxxTarget{}.Literal(b.Identity),
		combine: combine.CTemplate(), mean: b.Mean}
	if out := k.Outputs[0].DType; out == dtype.Float16 {
		acc.store = "tg_double_to_half($0)" // one rounding from double, as tensor.Float64ToHalf
	} else {
		acc.store = "static_cast<" + cTypeOf(out).Storage + ">($0)"
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
	views  []string      // each input's view (in2)
	// element returns the C++ expression of one element in the
	// accumulator's type, given each input's element expression.
	element  func(loads []string) string
	acc      reduceAccumulator
	nonEmpty bool // max and min: an empty fold is a ValueError
	out      dtype.DType
	pairwise bool // kir.Pairwise: the fold of tgr_pairwise_fold
}

// emitReduceLoops writes the body that plans and runs a reduction (its
// task body is a helper, which the reductions of a kernel that fold alike
// share: one copy to compile); the
// caller has declared `int64_t shape[TG_MAXDIM]` (the index space) and
// `int64_t strides[NIN][TG_MAXDIM]` (each input's strides over it).
func emitReduceLoops(e *Emitter, r reduceNest) {
	e.Include("tg_nnet.h")
	e.Include("tg_scalar.h")
	e.Include("tg_reduce.h")
	e.Line("tgr_plan<%d> plan;", r.nin)
	for i := 0; i < r.nin; i++ {
		e.Line("plan.in[%d] = %s->data;", i, r.views[i])
	}
	e.Line("tgr_plan_init(&plan, %d, shape, strides, UINT64_C(%#x), out0, %t);", r.ndim, uint64(r.axes), r.pairwise)
	if r.nonEmpty {
		e.Line("if (plan.count == 0 && plan.n > 0) {")
		e.Line(`return tg_set_error(err, "ValueError: %s: zero-size array to reduction operation %s which has no identity");`, r.op, r.op)
		e.Line("}")
	}
	node := e
	work := parallelWork
	if node.unit.blas {
		work = parallelWorkBLAS
	}
	rangeFn := ""
	if r.pairwise && r.axes != 0 {
		rangeFn = emitPairwiseRange(node, r)
	}
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
		if r.pairwise {
			e.Line("acc[0] = %s;", reduceTemplate(r.acc.combine, "acc[0]", fmt.Sprintf("tgr_pairwise_fold<%d>(p, %s, off, %d)", r.nin, rangeFn, work)))
		} else {
			emitReduceScalarNest(e, r)
		}
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

// emitReduceScalarNest writes the reduced loops for a single output of a
// sequential fold, its accumulator in a register and the last reduced axis
// as the inner loop (integer folds vectorize there: wrapping add, mul, max
// and min are associative).
func emitReduceScalarNest(e *Emitter, r reduceNest) {
	nr := bits.OnesCount64(uint64(r.axes))
	e.Line("%s a0 = acc[0];", r.acc.ctype)
	for d := 0; d < nr-1; d++ {
		e.Line("for (int64_t r%d = 0; r%d < p->rl[%d]; r%d++) {", d, d, d, d)
	}
	loads := make([]string, r.nin)
	for i := 0; i < r.nin; i++ {
		terms := []string{fmt.Sprintf("x%d", i)}
		for d := 0; d < nr-1; d++ {
			terms = append(terms, fmt.Sprintf("r%d * p->rs[%d][%d]", d, i, d))
		}
		e.Line("const %s *y%d = %s;", ops.CTypeOf(r.inputs[i]).Storage, i, strings.Join(terms, " + "))
		e.Line("const int64_t s%d = p->rs[%d][%d];", i, i, nr-1)
		loads[i] = fmt.Sprintf("y%d[l * s%d]", i, i)
	}
	e.Line("const int64_t len = p->rl[%d];", nr-1)
	e.Line("for (int64_t l = 0; l < len; l++) a0 = %s;", reduceTemplate(r.acc.combine, "a0", r.element(loads)))
	for d := 0; d < nr-1; d++ {
		e.Line("}")
	}
	e.Line("acc[0] = a0;")
}

// emitPairwiseRange writes the tgr_range_fn of a pairwise fold (a helper
// shared by the reductions that fold alike) and returns its name: it folds
// the elements [f0, f1) of one output, in C order of the reduced axes, as
// runs along the last reduced axis, each run in tgr_pairwise_sum's order
// (a copy for contiguous inputs, where the eight accumulators vectorize)
// and the runs added in order.
func emitPairwiseRange(node *Emitter, r reduceNest) string {
	nr := bits.OnesCount64(uint64(r.axes))
	e := node.unit.newEmitter()
	e.Line("int64_t q[%d];  // the reduced index of f0, then of each run", nr)
	e.Line("int64_t rest = f0;")
	e.Line("for (int32_t d = %d; d >= 0; d--) {", nr-1)
	e.Line("q[d] = rest %% p->rl[d];")
	e.Line("rest /= p->rl[d];")
	e.Line("}")
	e.Line("double sum = -0.0;")
	e.Line("for (int64_t f = f0; f < f1;) {")
	e.Line("const int64_t len = p->rl[%d] - q[%d] < f1 - f ? p->rl[%d] - q[%d] : f1 - f;", nr-1, nr-1, nr-1, nr-1)
	unit := make([]string, r.nin)
	contiguous := make([]string, r.nin)
	strided := make([]string, r.nin)
	for i := 0; i < r.nin; i++ {
		st := ops.CTypeOf(r.inputs[i]).Storage
		e.Line("const %s *y%d = (const %s *)p->in[%d] + off[%d];", st, i, st, i, i)
		e.Line("for (int32_t d = 0; d < %d; d++) y%d += q[d] * p->rs[%d][d];", nr, i, i)
		e.Line("const int64_t s%d = p->rs[%d][%d];", i, i, nr-1)
		unit[i] = fmt.Sprintf("s%d == 1", i)
		contiguous[i] = fmt.Sprintf("y%d[l]", i)
		strided[i] = fmt.Sprintf("y%d[l * s%d]", i, i)
	}
	e.Line("if (%s) {", strings.Join(unit, " && "))
	e.Line("sum += tgr_pairwise_sum([&](int64_t l) { return %s; }, 0, len);", r.element(contiguous))
	e.Line("} else {")
	e.Line("sum += tgr_pairwise_sum([&](int64_t l) { return %s; }, 0, len);", r.element(strided))
	e.Line("}")
	e.Line("f += len;")
	e.Line("q[%d] += len;", nr-1)
	e.Line("for (int32_t d = %d; d > 0 && q[d] == p->rl[d]; d--) {", nr-1)
	e.Line("q[d] = 0;")
	e.Line("q[d - 1]++;")
	e.Line("}")
	e.Line("}")
	e.Line("return sum;")
	return sharedHelper(node, "tgr_range", fmt.Sprintf("static double NAME(const tgr_plan<%d> *p, const int64_t *off, int64_t f0, int64_t f1) {\n", r.nin)+e.String()+"\n}")
}

// printReduce prints a reduce kernel: the index space's shape and each
// read input's strides over it (stride 0 along the axes its type says are
// statically 1, and the check that the inputs that run along an axis
// agree on its length), then the planned loops (emitReduceLoops) folding
// the element expression, rendered once as an element function of the
// read inputs' stored values.
func printReduce(e *Emitter, k *kir.Kernel, b *kir.Reduce) error {
	row, element, ok := b.Combine()
	if !ok {
		return fmt.Errorf("cxx: kernel %s: a fold whose step is not acc = row(acc, element)", k.Name)
	}
	acc := accumulatorOf(k, b, row)
	reads := k.Reads()
	var in []int // the read inputs, in order: the plan's inputs
	for i, r := range reads {
		if r {
			in = append(in, i)
		}
	}
	if element.ReadsIndex() {
		// the fold's planner (tg_reduce.h) visits the input in blocks and
		// pairs, not in flat order: the position is not at hand
		return fmt.Errorf("cxx: kernel %s: a reduction whose element reads the flat element index runs in the evaluator", k.Name)
	}
	r, err := kir.Render(cxxTarget{}, element, func(i int) string { return fmt.Sprintf("a%d", i-1) })
	if err != nil {
		return fmt.Errorf("cxx: kernel %s: %v", k.Name, err)
	}
	params := make([]string, len(in))
	inDT := make([]dtype.DType, len(in))
	for j, i := range in {
		inDT[j] = k.Inputs[i].DType
		params[j] = fmt.Sprintf("%s a%d", cTypeOf(inDT[j]).Storage, i)
	}
	fn := sharedHelper(e, "tg_elem", fmt.Sprintf("static inline %s NAME(%s) {\n    %s\n}", acc.ctype, strings.Join(params, ", "),
		strings.Join(append(append([]string{}, r.Body...), "return "+r.Result+";"), "\n    ")))
	e.Include("tg_loops.h")
	nd := k.Rank()
	e.Line("int64_t shape[TG_MAXDIM];")
	e.Line("int64_t strides[%d][TG_MAXDIM];", max(len(in), 1))
	for d := 0; d < nd; d++ {
		e.Line("shape[%d] = 1;", d)
	}
	// the space's shape: each axis's length from the first read input
	// that runs along it; the others must agree
	first := make([]int, nd)
	for d := range first {
		first[d] = -1
	}
	for j, i := range in {
		o := k.Inputs[i]
		for d := 0; d < nd; d++ {
			if o.Broadcasts(d) {
				e.Line("strides[%d][%d] = 0;", j, d)
				continue
			}
			pd := fmt.Sprintf("in%d->ndim - %d + %d", i, nd, d) // the input's own axis (padded on the left)
			e.Line("strides[%d][%d] = in%d->strides[%s];", j, d, i, pd)
			if first[d] < 0 {
				first[d] = i
				e.Line("shape[%d] = in%d->shape[%s];", d, i, pd)
				continue
			}
			e.Line("if (in%d->shape[%s] != shape[%d]) {", i, pd, d)
			e.Line(`return tg_set_error(err, "ValueError: %s: input dimension mismatch: dimension %d has length %%lld in input %d and %%lld in input %d", (long long)shape[%d], (long long)in%d->shape[%s]);`,
				cFormat(k.Name), d, first[d], i, d, i, pd)
			e.Line("}")
		}
	}
	nest := reduceNest{op: k.Name, ndim: nd, axes: graph.NewAxisSet(b.Axes...), nin: len(in), inputs: inDT,
		acc: acc, nonEmpty: b.NonEmpty, out: k.Outputs[0].DType, pairwise: b.Fold == kir.Pairwise,
		element: func(loads []string) string { return fn + "(" + strings.Join(loads, ", ") + ")" }}
	for _, i := range in {
		nest.views = append(nest.views, fmt.Sprintf("in%d", i))
	}
	if len(in) == 0 { // a map of constants: one pseudo-input that is never read
		nest.nin, nest.inputs, nest.views = 1, []dtype.DType{dtype.Bool}, []string{"out0"}
		e.Line("for (int d = 0; d < TG_MAXDIM; d++) strides[0][d] = 0;")
		nest.element = func([]string) string { return fn + "()" }
	}
	emitReduceLoops(e, nest)
	return nil
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
