package cxx

import (
	"fmt"
	"strings"

	"theanogo/core/graph"
	"theanogo/core/ops"
)

// The loops of an elementwise node are decided at generation time from
// what the types say about each input (an operand):
//
//   - scalar: every dimension statically 1; its one element is read once,
//     before the loop;
//   - contiguous by construction: a kernel input, a constant, a workspace
//     slot or a result (all C-contiguous), or a view that keeps that
//     layout (a dimshuffle that only adds or drops broadcast dimensions,
//     a reshape); along each output dimension it either runs (its length
//     is the output's: phase 1 checked it) or broadcasts (statically 1:
//     stride 0);
//   - possibly strided: any other view (a transpose, a basic subtensor).
//
// One loop version is emitted for what the contiguous operands allow: a
// flat loop over __restrict pointers when no operand broadcasts (the
// compiler vectorizes it), else a nest whose inner loop runs over the
// trailing output dimensions along which every operand behaves the same
// (each one's inner step is statically 0 or 1, so it vectorizes too) and
// whose outer positions come from the strides. Only a node with a possibly
// strided operand also gets the generic nest, which reads every operand
// through its run-time strides; the kernel takes it when such an operand
// is not contiguous at run time.
//
// Above a size that depends on the element's cost (elemwise.go's
// parallelWork) the loop runs through tg_parallel_for.

// operand is what the generator knows about input i of an elementwise
// node whose output has rank r.
type operand struct {
	scalar bool
	known  bool   // C-contiguous by construction
	runs   []bool // per output dimension: the operand runs along it (false: broadcast)
}

// flat reports whether a contiguous operand reads the output's positions
// in order: it runs along every dimension the output may have longer
// than 1.
func (o operand) flat(out graph.Type) bool {
	for d, r := range o.runs {
		if !r && out.Shape[d] != 1 {
			return false
		}
	}
	return true
}

// operandsOf classifies n's inputs.
func operandsOf(n *graph.Apply) []operand {
	out := n.Outputs[0].Type
	r := out.Ndim()
	res := make([]operand, len(n.Inputs))
	for i, in := range n.Inputs {
		t := in.Type
		o := operand{scalar: staticScalar(t), known: contiguousByConstruction(in), runs: make([]bool, r)}
		pad := r - t.Ndim()
		for d := pad; d < r; d++ {
			o.runs[d] = t.Shape[d-pad] != 1
		}
		res[i] = o
	}
	return res
}

// staticScalar reports whether every dimension of t is statically 1.
func staticScalar(t graph.Type) bool {
	for _, d := range t.Shape {
		if d != 1 {
			return false
		}
	}
	return true
}

// contiguousByConstruction reports whether v's memory is C-contiguous
// whatever the arguments: every variable but a view is (inputs,
// constants, slots, results and the outputs the evaluator fallback
// writes), and so is a view that keeps its base's layout.
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

// innerGroup is the first dimension of the trailing run of output
// dimensions along which every non-scalar operand behaves the same (runs
// or broadcasts); dimensions statically 1 in the output join any run.
func innerGroup(out graph.Type, operands []operand) int {
	r := out.Ndim()
	var pattern []bool
	g := r
	for d := r - 1; d >= 0; d-- {
		if out.Shape[d] == 1 {
			g = d
			continue
		}
		var p []bool
		for _, o := range operands {
			if !o.scalar {
				p = append(p, o.runs[d])
			}
		}
		if pattern == nil {
			pattern = p
		} else if !equalBools(p, pattern) {
			break
		}
		g = d
	}
	return g
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// emitLoops writes the loops applying element function fn over out0.
func emitLoops(e *Emitter, n *graph.Apply, fn string) {
	out := n.Outputs[0].Type
	r := out.Ndim()
	os := cTypeOf(out.DType).Storage
	operands := operandsOf(n)
	allFlat, unknown := true, false
	for _, o := range operands {
		if o.scalar {
			continue
		}
		allFlat = allFlat && o.flat(out)
		unknown = unknown || !o.known
	}
	g := 0
	if !allFlat {
		g = innerGroup(out, operands)
	}
	strides := !allFlat || unknown // the nests read strides and the shape
	fields := []string{os + " *o;"}
	for i, in := range n.Inputs {
		fields = append(fields, fmt.Sprintf("const %s *p%d;", cTypeOf(in.Type.DType).Storage, i))
		if strides && !operands[i].scalar {
			fields = append(fields, fmt.Sprintf("int64_t s%d[%d];", i, r))
		}
	}
	if strides {
		fields = append(fields, fmt.Sprintf("int64_t shape[%d];", r), "int64_t inner;")
	}
	// The context type and the loop bodies are helpers: nodes that loop
	// alike (the same element function over the same layouts) share them.
	ctx := sharedHelper(e, "tg_ctx", fmt.Sprintf("struct NAME { %s };", strings.Join(fields, " ")))
	// call is fn on each operand's element: scalars read once (x<i>),
	// the others through at(i).
	call := func(at func(i int) string) string {
		a := make([]string, len(n.Inputs))
		for i, o := range operands {
			if o.scalar {
				a[i] = fmt.Sprintf("x%d", i)
			} else {
				a[i] = at(i)
			}
		}
		return fn + "(" + strings.Join(a, ", ") + ")"
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
		for i, in := range n.Inputs {
			if operands[i].scalar {
				b.Line("const %s x%d = c->p%d[0];", cTypeOf(in.Type.DType).Storage, i, i)
			}
		}
		write(b)
		return sharedHelper(e, "tg_loop", "static void NAME(void *vc, int64_t b, int64_t end) {\n"+b.String()+"\n}")
	}
	body := loop(func(b *Emitter) {
		if !allFlat {
			emitGroupNest(b, n, operands, g, os, call)
			return
		}
		b.Line("%s *%so = c->o;", os, restrict)
		for i, in := range n.Inputs {
			if !operands[i].scalar {
				b.Line("const %s *%sp%d = c->p%d;", cTypeOf(in.Type.DType).Storage, restrict, i, i)
			}
		}
		b.Line("for (int64_t k = b; k < end; k++) o[k] = %s;", call(func(i int) string { return fmt.Sprintf("p%d[k]", i) }))
	})
	strided := ""
	if unknown {
		strided = loop(func(b *Emitter) { emitStridedNest(b, n, operands, os, call) })
	}
	e.Line("const int64_t size = tg_view_size(out0);")
	e.Line("if (size == 0) return 0;")
	e.Line("%s c;", ctx)
	e.Line("c.o = (%s *)out0->data;", os)
	for i, in := range n.Inputs {
		e.Line("c.p%d = (const %s *)in%d->data;", i, cTypeOf(in.Type.DType).Storage, i)
	}
	if strides {
		e.Line("for (int d = 0; d < %d; d++) c.shape[d] = out0->shape[d];", r)
		e.Line("c.inner = 1; for (int d = %d; d < %d; d++) c.inner *= out0->shape[d];", g, r)
		for i, o := range operands {
			if !o.scalar {
				e.Line("tg_bstrides(in%d, out0, c.s%d);", i, i)
			}
		}
	}
	e.Line("tg_range_fn body = %s;", body)
	if unknown {
		var checks []string
		for i, o := range operands {
			if !o.scalar && !o.known {
				checks = append(checks, fmt.Sprintf("tg_is_contiguous(in%d)", i))
			}
		}
		e.Line("if (!(%s)) body = %s;", strings.Join(checks, " && "), strided)
	}
	work, cost := parallelWork, elementCost(n)
	if e.unit.blas {
		work = parallelWorkBLAS
	}
	e.Line("if (size >= %d) tg_parallel_for(size, %d, body, &c); else body(&c, 0, size);", max(work/cost, 2), max(work/2/cost, 1))
}

// emitGroupNest writes the body of a loop over contiguous operands some of
// which broadcast: output dimensions g.. are one inner loop, in which each
// operand steps by 1 (it runs) or 0 (it broadcasts: read once per row);
// the outer dimensions' offsets come from the strides.
func emitGroupNest(e *Emitter, n *graph.Apply, operands []operand, g int, os string, call func(func(int) string) string) {
	e.Line("const int64_t inner = c->inner;")
	e.Line("int64_t row = b / inner, col = b - row * inner, k = b;")
	e.Line("while (k < end) {")
	e.Line("int64_t len = inner - col;")
	e.Line("if (len > end - k) len = end - k;")
	var offs []string
	for i, o := range operands {
		if !o.scalar {
			offs = append(offs, fmt.Sprintf("off%d = 0", i))
		}
	}
	e.Line("int64_t %s;", strings.Join(offs, ", "))
	if g > 0 {
		var adds []string
		for i, o := range operands {
			if !o.scalar {
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
		if o.scalar {
			continue
		}
		st := cTypeOf(n.Inputs[i].Type.DType).Storage
		if runsIn(o, n.Outputs[0].Type, g) {
			e.Line("const %s *%sq%d = c->p%d + off%d + col;", st, restrict, i, i, i)
		} else {
			e.Line("const %s y%d = c->p%d[off%d];", st, i, i, i)
		}
	}
	e.Line("for (int64_t j = 0; j < len; j++) o[j] = %s;", call(func(i int) string {
		if runsIn(operands[i], n.Outputs[0].Type, g) {
			return fmt.Sprintf("q%d[j]", i)
		}
		return fmt.Sprintf("y%d", i)
	}))
	e.Line("k += len; row++; col = 0;")
	e.Line("}")
}

// runsIn reports whether operand o runs along the inner group g.. (every
// dimension there behaves the same; those statically 1 do not count).
func runsIn(o operand, out graph.Type, g int) bool {
	for d := g; d < out.Ndim(); d++ {
		if out.Shape[d] != 1 {
			return o.runs[d]
		}
	}
	return false
}

// emitStridedNest writes the body of the generic loop: every operand read
// through its run-time strides, the innermost dimension as a tight loop
// and the outer ones as a counter.
func emitStridedNest(e *Emitter, n *graph.Apply, operands []operand, os string, call func(func(int) string) string) {
	r := n.Outputs[0].Type.Ndim()
	var vector []int
	for i, o := range operands {
		if !o.scalar {
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
		e.Line("const %s *p%d = c->p%d;", cTypeOf(n.Inputs[i].Type.DType).Storage, i, i)
		e.Line("int64_t off%d = 0; for (int d = 0; d < %d; d++) off%d += idx[d] * c->s%d[d];", i, r, i, i)
		e.Line("const int64_t t%d = c->s%d[%d];", i, i, r-1)
	}
	e.Line("int64_t k = b;")
	e.Line("while (k < end) {")
	e.Line("int64_t len = c->shape[%d] - idx[%d];", r-1, r-1)
	e.Line("if (len > end - k) len = end - k;")
	e.Line("for (int64_t j = 0; j < len; j++) o[k + j] = %s;", call(func(i int) string { return fmt.Sprintf("p%d[off%d + j * t%d]", i, i, i) }))
	var adv, carry []string
	for _, i := range vector {
		adv = append(adv, fmt.Sprintf("off%d += len * t%d;", i, i))
		carry = append(carry, fmt.Sprintf("off%d += c->s%d[d - 1] - idx[d] * c->s%d[d];", i, i, i))
	}
	e.Line("k += len; idx[%d] += len; %s", r-1, strings.Join(adv, " "))
	e.Line("for (int d = %d; d > 0 && idx[d] == c->shape[d]; d--) { %s idx[d] = 0; idx[d - 1]++; }", r-1, strings.Join(carry, " "))
	e.Line("}")
}
