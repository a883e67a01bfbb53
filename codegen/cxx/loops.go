package cxx

import (
	"fmt"
	"slices"
	"strings"

	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/ops"
)

// A map kernel (kir.Map: every elementwise node, lowered by its op's
// Lower) is printed as loops chosen at generation time from what its
// operands say (kir.Operand: the static broadcast pattern, and the layout
// kernelOf sets from the memory plan):
//
//   - unread: a one-element constant the expression holds as a literal;
//   - scalar: every axis statically 1; its one element is read once,
//     before the loop;
//   - contiguous by construction (kir.Contiguous): a kernel input, a
//     constant, a workspace slot or a result, or a view that keeps that
//     layout (a dimshuffle that only adds or drops broadcast dimensions,
//     a reshape); along each axis it either runs (its length is the
//     output's: phase 1 checked it) or broadcasts (statically 1: stride 0);
//   - possibly strided (kir.Strided): any other view (a transpose, a basic
//     subtensor).
//
// One loop version is emitted for what the contiguous operands allow: a
// flat loop over __restrict pointers when no operand broadcasts (the
// compiler vectorizes it), else a nest whose inner loop runs over the
// trailing axes along which every operand behaves the same (each one's
// inner step is statically 0 or 1, so it vectorizes too) and whose outer
// positions come from the strides. Only a kernel with a possibly strided
// operand also gets the generic nest, which reads every operand through
// its run-time strides; the kernel takes it when such an operand is not
// contiguous at run time.
//
// Above a size that depends on the element's cost (elemwise.go's
// parallelWork and elementCost) the loop runs through tg_parallel_for.
//
// An expression that reads the flat element index (kir.Index) gets it as
// the element function's last parameter: every version loops over flat
// output positions b .. end, so the index is the loop's position, and a
// chunk of the parallel split starts at its own b. An expression that
// does not read it is printed as if the index did not exist.

// operand is what the generator knows about input i of a map kernel: the
// kernel's operand (kir.Operand: its broadcast pattern and layout) and
// whether the body reads it.
type operand struct {
	read   bool   // false: a constant the expression holds; no loop reads it
	scalar bool   // every axis statically 1: read once, before the loop
	known  bool   // C-contiguous by construction (kir.Contiguous)
	runs   []bool // per axis of the space: the operand runs along it (false: broadcast)
}

// vector reports whether the loops read the operand element by element.
func (o operand) vector() bool { return o.read && !o.scalar }

// flat reports whether a contiguous operand reads the output's positions
// in order: it runs along every axis the output may have longer than 1.
func (o operand) flat(outOnes []bool) bool {
	for d, r := range o.runs {
		if !r && !outOnes[d] {
			return false
		}
	}
	return true
}

// operandsOf classifies a map kernel's inputs.
func operandsOf(k *kir.Kernel) []operand {
	reads := k.Reads()
	res := make([]operand, len(k.Inputs))
	for i, in := range k.Inputs {
		o := operand{read: reads[i], scalar: in.Scalar(), known: in.Layout == kir.Contiguous, runs: make([]bool, k.Rank())}
		for d := range o.runs {
			o.runs[d] = !in.Broadcasts(d)
		}
		res[i] = o
	}
	return res
}

// outputOnes is, per axis of the space, whether the output is statically
// 1 there.
func outputOnes(k *kir.Kernel) []bool {
	ones := make([]bool, k.Rank())
	for d := range ones {
		ones[d] = k.Outputs[0].Broadcasts(d)
	}
	return ones
}

// contiguousByConstruction reports whether v's memory is C-contiguous
// whatever the arguments: every variable but a view is (inputs,
// constants, slots, results and the outputs the evaluator fallback
// writes), and so is a view that keeps its base's layout. The generator
// knows which nodes are views (its memory plan), so it sets the kernel
// operands' layout (kernelOf), not the op's Lower.
func contiguousByConstruction(v *graph.Variable) bool {
	if v.Owner == nil || !isView(v.Owner) {
		return true
	}
	switch op := v.Owner.Op.(type) {
	case ops.ReshapeOp, ops.FlattenOp:
		return true // contiguous, or gathered into the scratch slot
	case ops.DimShuffleOp:
		last := -1
		for _, p := range op.Pattern.Ints() {
			if p == ops.Broadcast {
				continue
			}
			if p < last {
				return false // a permutation
			}
			last = p
		}
		return contiguousByConstruction(v.Owner.Inputs[0]) // dropped dimensions are broadcast ones
	}
	return false
}

// innerGroup is the first axis of the trailing run of axes along which
// every vector operand behaves the same (runs or broadcasts); axes where
// the output is statically 1 join any run.
func innerGroup(outOnes []bool, operands []operand) int {
	r := len(outOnes)
	var pattern []bool
	g := r
	for d := r - 1; d >= 0; d-- {
		if outOnes[d] {
			g = d
			continue
		}
		var p []bool
		for _, o := range operands {
			if o.vector() {
				p = append(p, o.runs[d])
			}
		}
		if pattern == nil {
			pattern = p
		} else if !slices.Equal(p, pattern) {
			break
		}
		g = d
	}
	return g
}

// printMap writes the loops of a one-output map kernel: the element
// function (its expression, kir.Render) applied over out0 by the loop
// version the operands allow, split over the pool above a size that
// shrinks with the element's cost.
func printMap(e *Emitter, k *kir.Kernel, b *kir.Map) error {
	if len(b.Outputs) != 1 {
		return fmt.Errorf("cxx: kernel %s: a map of %d outputs is not printed for the CPU", k.Name, len(b.Outputs))
	}
	operands := operandsOf(k)
	checked, err := mapChecks(e, k, b.Outputs[0])
	if err != nil {
		return err
	}
	fn, err := mapElementFunction(e, k, b.Outputs[0], operands, checked)
	if err != nil {
		return err
	}
	emitLoops(e, k, operands, fn, elementCost(b.Outputs[0]))
	return nil
}

// mapChecks writes, before the loops, the checks of the rows that reject
// some operands (an integer pow raises on a negative exponent: the
// evaluator's ValueError), and reports whether there were any (the
// element function is then rendered with kir.RenderChecked). A checked
// row reads its exponent from an input, which the check scans, or is a
// negative constant, which fails any non-empty map.
func mapChecks(e *Emitter, k *kir.Kernel, x *kir.Expr) (bool, error) {
	nodes := kir.Checked(x)
	for _, n := range nodes {
		cond := ""
		switch y := n.Args()[1]; y.Op() {
		case kir.OpInput:
			cond = fmt.Sprintf(" && tg_any_negative(in%d)", y.InputIndex())
		case kir.OpConst: // negative (kir.Checked)
		default:
			return false, fmt.Errorf("cxx: kernel %s: integer %s of a computed exponent runs in the evaluator (its check)", k.Name, n.Row().RowName())
		}
		e.Line("if (tg_view_size(out0) > 0%s) return tg_set_error(err, \"ValueError: %s: Integers to negative integer powers are not allowed.\");", cond, cFormat(k.Name))
	}
	return len(nodes) > 0, nil
}

// mapElementFunction adds the helper computing one element of x from the
// stored values of the inputs the loops read (parameters a<i>) and, only
// when x reads the flat element index (kir.Index), the element's position
// (a last parameter int64_t ix), and returns it. kir.Render writes the body: one statement per
// computed node, each rounded to its dtype's storage as the Elemwise or
// cast it stands for would store it; constants are literals.
func mapElementFunction(e *Emitter, k *kir.Kernel, x *kir.Expr, operands []operand, checked bool) (elementFunction, error) {
	render := kir.Render
	if checked {
		render = kir.RenderChecked
	}
	index := x.ReadsIndex()
	r, err := render(cxxTarget{index: index}, x, func(i int) string { return fmt.Sprintf("a%d", i) })
	if err != nil {
		return elementFunction{}, fmt.Errorf("cxx: kernel %s: %v", k.Name, err)
	}
	var params []string
	for i, o := range operands {
		if o.read {
			params = append(params, fmt.Sprintf("%s a%d", cTypeOf(k.Inputs[i].DType).Storage, i))
		}
	}
	if index {
		params = append(params, "int64_t ix")
	}
	body := append(append([]string{}, r.Body...), "return "+r.Result+";")
	name := sharedHelper(e, "tg_elem", fmt.Sprintf("static inline %s NAME(%s) {\n    %s\n}",
		cTypeOf(x.DType()).Storage, strings.Join(params, ", "), strings.Join(body, "\n    ")))
	return elementFunction{name: name, index: index}, nil
}

// elementFunction is a map's element function: its name, and whether it
// takes the element's flat position after the operands' values.
type elementFunction struct {
	name  string
	index bool
}

// emitLoops writes the loops applying element function fn over out0.
// Every loop version runs over the flat positions b .. end of the output
// (the parallel split hands each chunk its own), so the flat element
// index a function may take is the loop's position: k in the flat loop,
// k + j in the nests' inner loops.
func emitLoops(e *Emitter, k *kir.Kernel, operands []operand, fn elementFunction, cost int) {
	outOnes := outputOnes(k)
	r := k.Rank()
	os := cTypeOf(k.Outputs[0].DType).Storage
	allFlat, unknown := true, false
	for _, o := range operands {
		if !o.vector() {
			continue
		}
		allFlat = allFlat && o.flat(outOnes)
		unknown = unknown || !o.known
	}
	g := 0
	if !allFlat {
		g = innerGroup(outOnes, operands)
	}
	strides := !allFlat || unknown // the nests read strides and the shape
	storage := func(i int) string { return cTypeOf(k.Inputs[i].DType).Storage }
	fields := []string{os + " *o;"}
	for i, o := range operands {
		if !o.read {
			continue
		}
		fields = append(fields, fmt.Sprintf("const %s *p%d;", storage(i), i))
		if strides && !o.scalar {
			fields = append(fields, fmt.Sprintf("int64_t s%d[%d];", i, r))
		}
	}
	if strides {
		fields = append(fields, fmt.Sprintf("int64_t shape[%d];", r), "int64_t inner;")
	}
	// The context type and the loop bodies are helpers: nodes that loop
	// alike (the same element function over the same layouts) share them.
	ctx := sharedHelper(e, "tg_ctx", fmt.Sprintf("struct NAME { %s };", strings.Join(fields, " ")))
	// call is fn on each read operand's element, scalars read once (x<i>),
	// the others through at(i), and on the flat position pos if fn reads it.
	call := func(at func(i int) string, pos string) string {
		var a []string
		for i, o := range operands {
			switch {
			case !o.read:
			case o.scalar:
				a = append(a, fmt.Sprintf("x%d", i))
			default:
				a = append(a, at(i))
			}
		}
		if fn.index {
			a = append(a, pos)
		}
		return fn.name + "(" + strings.Join(a, ", ") + ")"
	}
	// restrict qualifies the loops' pointers, unless the output may be an
	// input's memory (an in-place update): __restrict over aliased memory
	// is undefined behaviour the compiler may exploit.
	restrict := "__restrict "
	if e.aliased {
		restrict = ""
	}
	loop := func(write func(b *Emitter)) string {
		b := e.unit.newEmitter()
		b.aliased = e.aliased
		b.Line("const %s *c = (const %s *)vc;", ctx, ctx)
		for i, o := range operands {
			if o.read && o.scalar {
				b.Line("const %s x%d = c->p%d[0];", storage(i), i, i)
			}
		}
		write(b)
		return sharedHelper(e, "tg_loop", "static void NAME(void *vc, int64_t b, int64_t end) {\n"+b.String()+"\n}")
	}
	body := loop(func(b *Emitter) {
		if !allFlat {
			emitGroupNest(b, k, operands, g, os, call)
			return
		}
		b.Line("%s *%so = c->o;", os, restrict)
		for i, o := range operands {
			if o.vector() {
				b.Line("const %s *%sp%d = c->p%d;", storage(i), restrict, i, i)
			}
		}
		b.Line("for (int64_t k = b; k < end; k++) o[k] = %s;", call(func(i int) string { return fmt.Sprintf("p%d[k]", i) }, "k"))
	})
	strided := ""
	if unknown {
		strided = loop(func(b *Emitter) { emitStridedNest(b, k, operands, os, call) })
	}
	e.Line("const int64_t size = tg_view_size(out0);")
	e.Line("if (size == 0) return 0;")
	e.Line("%s c;", ctx)
	e.Line("c.o = (%s *)out0->data;", os)
	for i, o := range operands {
		if o.read {
			e.Line("c.p%d = (const %s *)in%d->data;", i, storage(i), i)
		}
	}
	if strides {
		e.Line("for (int d = 0; d < %d; d++) c.shape[d] = out0->shape[d];", r)
		e.Line("c.inner = 1; for (int d = %d; d < %d; d++) c.inner *= out0->shape[d];", g, r)
		for i, o := range operands {
			if o.vector() {
				e.Line("tg_bstrides(in%d, out0, c.s%d);", i, i)
			}
		}
	}
	e.Line("tg_range_fn body = %s;", body)
	if unknown {
		var checks []string
		for i, o := range operands {
			if o.vector() && !o.known {
				checks = append(checks, fmt.Sprintf("tg_is_contiguous(in%d)", i))
			}
		}
		e.Line("if (!(%s)) body = %s;", strings.Join(checks, " && "), strided)
	}
	work := parallelWork
	if e.unit.blas {
		work = parallelWorkBLAS
	}
	e.Line("if (size >= %d) tg_parallel_for(size, %d, body, &c); else body(&c, 0, size);", max(work/cost, 2), max(work/2/cost, 1))
}

// emitGroupNest writes the body of a loop over contiguous operands some of
// which broadcast: output dimensions g.. are one inner loop, in which each
// operand steps by 1 (it runs) or 0 (it broadcasts: read once per row);
// the outer dimensions' offsets come from the strides.
func emitGroupNest(e *Emitter, k *kir.Kernel, operands []operand, g int, os string, call func(func(int) string, string) string) {
	e.Line("const int64_t inner = c->inner;")
	e.Line("int64_t row = b / inner, col = b - row * inner, k = b;")
	e.Line("while (k < end) {")
	e.Line("int64_t len = inner - col;")
	e.Line("if (len > end - k) len = end - k;")
	var offs []string
	for i, o := range operands {
		if o.vector() {
			offs = append(offs, fmt.Sprintf("off%d = 0", i))
		}
	}
	e.Line("int64_t %s;", strings.Join(offs, ", "))
	if g > 0 {
		var adds []string
		for i, o := range operands {
			if o.vector() {
				adds = append(adds, fmt.Sprintf("off%d += q * c->s%d[d];", i, i))
			}
		}
		e.Line("int64_t rest = row;")
		e.Line("for (int d = %d; d >= 0; d--) { const int64_t q = rest %% c->shape[d]; rest /= c->shape[d]; %s }", g-1, strings.Join(adds, " "))
	}
	restrict := "__restrict "
	if e.aliased {
		restrict = ""
	}
	e.Line("%s *%so = c->o + k;", os, restrict)
	for i, o := range operands {
		if !o.vector() {
			continue
		}
		st := cTypeOf(k.Inputs[i].DType).Storage
		if runsIn(o, outputOnes(k), g) {
			e.Line("const %s *%sq%d = c->p%d + off%d + col;", st, restrict, i, i, i)
		} else {
			e.Line("const %s y%d = c->p%d[off%d];", st, i, i, i)
		}
	}
	e.Line("for (int64_t j = 0; j < len; j++) o[j] = %s;", call(func(i int) string {
		if runsIn(operands[i], outputOnes(k), g) {
			return fmt.Sprintf("q%d[j]", i)
		}
		return fmt.Sprintf("y%d", i)
	}, "k + j"))
	e.Line("k += len; row++; col = 0;")
	e.Line("}")
}

// runsIn reports whether operand o runs along the inner group g.. (every
// dimension there behaves the same; those statically 1 do not count).
func runsIn(o operand, outOnes []bool, g int) bool {
	for d := g; d < len(outOnes); d++ {
		if !outOnes[d] {
			return o.runs[d]
		}
	}
	return false
}

// emitStridedNest writes the body of the generic loop: every operand read
// through its run-time strides, the innermost dimension as a tight loop
// and the outer ones as a counter.
func emitStridedNest(e *Emitter, k *kir.Kernel, operands []operand, os string, call func(func(int) string, string) string) {
	r := k.Rank()
	var vector []int
	for i, o := range operands {
		if o.vector() {
			vector = append(vector, i)
		}
	}
	if e.aliased {
		e.Line("%s *o = c->o;", os)
	} else {
		e.Line("%s *__restrict o = c->o;", os)
	}
	e.Line("int64_t idx[%d];", r)
	e.Line("int64_t rest = b;")
	e.Line("for (int d = %d; d >= 0; d--) { idx[d] = rest %% c->shape[d]; rest /= c->shape[d]; }", r-1)
	for _, i := range vector {
		e.Line("const %s *p%d = c->p%d;", cTypeOf(k.Inputs[i].DType).Storage, i, i)
		e.Line("int64_t off%d = 0; for (int d = 0; d < %d; d++) off%d += idx[d] * c->s%d[d];", i, r, i, i)
		e.Line("const int64_t t%d = c->s%d[%d];", i, i, r-1)
	}
	e.Line("int64_t k = b;")
	e.Line("while (k < end) {")
	e.Line("int64_t len = c->shape[%d] - idx[%d];", r-1, r-1)
	e.Line("if (len > end - k) len = end - k;")
	e.Line("for (int64_t j = 0; j < len; j++) o[k + j] = %s;", call(func(i int) string { return fmt.Sprintf("p%d[off%d + j * t%d]", i, i, i) }, "k + j"))
	var adv, carry []string
	for _, i := range vector {
		adv = append(adv, fmt.Sprintf("off%d += len * t%d;", i, i))
		carry = append(carry, fmt.Sprintf("off%d += c->s%d[d - 1] - idx[d] * c->s%d[d];", i, i, i))
	}
	e.Line("k += len; idx[%d] += len; %s", r-1, strings.Join(adv, " "))
	e.Line("for (int d = %d; d > 0 && idx[d] == c->shape[d]; d--) { %s idx[d] = 0; idx[d - 1]++; }", r-1, strings.Join(carry, " "))
	e.Line("}")
}
