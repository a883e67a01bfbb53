package cxx

import (
	"fmt"
	"slices"
	"strings"

	"theanogo/core/graph"
	"theanogo/core/kir"
)

// An op that implements kir.Lowerable needs no row in the lowerings table:
// lookup falls back to kernelLowering, which asks the op for its kernel
// (kernelOf) and prints it here. The kernel's text is the node function's
// first comment. Maps (every elementwise node: loops.go), reductions
// (Reduce and FusedReduceOp: lower_reduce.go), scans (cumsum, cumprod) and
// runtime calls (BLAS, softmax, argmax, indexing, arange: lower_call.go)
// are printed.

// kernelLowering is the lowering of every kir.Lowerable op; whether the
// output may take an input's memory and when the body may fail are read
// from the kernel too. It is set in init: printing consults lookup
// (contiguousByConstruction asks which nodes are views).
var kernelLowering Lowering

func init() {
	kernelLowering = Lowering{Lower: lowerKernel, InPlace: kernelInPlace, Fails: kernelFails}
}

// kernelOf is n's kernel (its op's Lower, checked), its inputs' layouts
// set from the memory plan: contiguous by construction
// (contiguousByConstruction) or strided.
func kernelOf(n *graph.Apply) (*kir.Kernel, error) {
	k, err := n.Op.(kir.Lowerable).Lower(n)
	if err != nil {
		return nil, fmt.Errorf("cxx: lowering %s: %v", n.Op.Name(), err)
	}
	if len(k.Inputs) != len(n.Inputs) || len(k.Outputs) != len(n.Outputs) {
		return nil, fmt.Errorf("cxx: lowering %s: a kernel of %d inputs and %d outputs for a node of %d and %d",
			n.Op.Name(), len(k.Inputs), len(k.Outputs), len(n.Inputs), len(n.Outputs))
	}
	for i, in := range n.Inputs {
		if contiguousByConstruction(in) {
			k.Inputs[i].Layout = kir.Contiguous
		}
	}
	return k, k.Check()
}

// lowerKernel prints n's kernel as the node's body.
func lowerKernel(e *Emitter, n *graph.Apply) error {
	k, err := kernelOf(n)
	if err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimSpace(k.String()), "\n") {
		e.Line("// %s", line)
	}
	switch b := k.Body.(type) {
	case *kir.Map:
		return printMap(e, k, b)
	case *kir.Reduce:
		return printReduce(e, k, b)
	case *kir.Scan:
		return printScan(e, k, b)
	case *kir.Call:
		return printCall(e, k, b)
	}
	return fmt.Errorf("cxx: kernel %s: a %T body is not printed for the CPU yet", k.Name, k.Body)
}

// kernelInPlace: a map writes each output element right after reading the
// inputs' elements at the same point, so output 0 may take the memory of
// an input that it reads at every point, never broadcast, unless a check
// may stop the map after writing. A runtime call's output 0 may take the
// inputs its call names (gemm's Z, an index update's x: lower_call.go). No
// other body computes in place.
func kernelInPlace(n *graph.Apply, i int) bool {
	k, err := kernelOf(n)
	if err != nil {
		return false
	}
	if c, ok := k.Body.(*kir.Call); ok {
		return slices.Contains(c.InPlace, i)
	}
	b, ok := k.Body.(*kir.Map)
	if !ok || len(b.Outputs) != 1 || len(kir.Checked(b.Outputs[0])) > 0 || !k.Reads()[i] {
		return false
	}
	in, out := k.Inputs[i], k.Outputs[0]
	for d := 0; d < k.Rank(); d++ {
		if in.Broadcasts(d) && !out.Broadcasts(d) {
			return false
		}
	}
	return true
}

// kernelFails: a map never fails (phase 1 checked the broadcast), unless
// a row checks its operands (integer pow), which it does before writing;
// a fold never fails unless it has no identity (max and min of nothing)
// or checks that its inputs' lengths agree, before writing; a runtime call
// says itself (a BLAS call after its shape-phase checks never fails); other
// bodies may check before they write.
func kernelFails(n *graph.Apply) Failure {
	k, err := kernelOf(n)
	if err != nil {
		return failsAnywhere
	}
	if _, ok := k.Body.(*kir.Call); ok {
		if k.Failure() == kir.NeverFails {
			return neverFails
		}
		return failsBeforeWriting
	}
	if b, ok := k.Body.(*kir.Map); ok {
		for _, x := range b.Outputs {
			if len(kir.Checked(x)) > 0 {
				return failsBeforeWriting
			}
		}
		return neverFails
	}
	if b, ok := k.Body.(*kir.Reduce); ok {
		read := 0
		for _, r := range k.Reads() {
			if r {
				read++
			}
		}
		if !b.NonEmpty && read <= 1 {
			return neverFails
		}
	}
	return failsBeforeWriting
}

// printScan prints a scan: an odometer over the positions outside the
// axis (C order), and at each one the carried accumulator along the axis:
//
//	for (int64_t o = 0; o < outer; o++) {
//	    ... line offsets ...
//	    double acc = 0.0;
//	    for (int64_t s = 0; s < n; s++) {
//	        const int64_t k = s;
//	        const double t0 = ... acc + p0[k * a0] ...;
//	        acc = t0;
//	        q0[k * b0] = acc;
//	    }
//	    ... next position ...
//	}
//
// An input of length 1 along an axis where the space is longer reads with
// stride 0 there (broadcasting).
func printScan(e *Emitter, k *kir.Kernel, b *kir.Scan) error {
	t := cxxTarget{}
	outDT := k.Outputs[0].DType
	ext := k.OperandName(k.Extents[0].Operand) // every extent is an axis of one operand: the space's shape
	r, err := kir.Render(t, b.Step, func(i int) string {
		if i == 0 {
			return "acc"
		}
		return fmt.Sprintf("p%d[k * a%d]", i-1, i-1)
	})
	if err != nil {
		return fmt.Errorf("cxx: kernel %s: %v", k.Name, err)
	}
	e.Line("{")
	e.Line("const int32_t ax = %d, nd = %s->ndim;", b.Axis, ext)
	e.Line("const int64_t n = %s->shape[ax];", ext)
	e.Line("int64_t outer = 1, pos[TG_MAXDIM] = {0};")
	e.Line("for (int32_t d = 0; d < nd; d++) if (d != ax) outer *= %s->shape[d];", ext)
	for i := range k.Inputs {
		e.Line("int64_t s%d[TG_MAXDIM];  // in%d's strides over the space, 0 where it broadcasts", i, i)
		e.Line("for (int32_t d = 0; d < nd; d++) s%d[d] = in%d->shape[d] == 1 ? 0 : in%d->strides[d];", i, i, i)
		e.Line("const int64_t a%d = s%d[ax];", i, i)
	}
	e.Line("const int64_t b0 = out0->strides[ax];")
	e.Line("for (int64_t o = 0; o < outer; o++) {")
	for i, in := range k.Inputs {
		e.Line("int64_t o%d = 0;", i)
		e.Line("for (int32_t d = 0; d < nd; d++) o%d += pos[d] * s%d[d];", i, i)
		st := t.Storage(in.DType)
		e.Line("const %s *p%d = (const %s *)in%d->data + o%d;", st, i, st, i, i)
	}
	e.Line("int64_t r0 = 0;")
	e.Line("for (int32_t d = 0; d < nd; d++) r0 += pos[d] * out0->strides[d];")
	so := t.Storage(outDT)
	e.Line("%s *q0 = (%s *)out0->data + r0;", so, so)
	e.Line("%s acc = %s;", so, t.Literal(b.Identity))
	e.Line("for (int64_t s = 0; s < n; s++) {")
	if b.Reverse {
		e.Line("const int64_t k = n - 1 - s;")
	} else {
		e.Line("const int64_t k = s;")
	}
	for _, line := range r.Body {
		e.Line("%s", line)
	}
	e.Line("acc = %s;", r.Result)
	e.Line("q0[k * b0] = acc;")
	e.Line("}")
	e.Line("// the next position outside the axis, in C order")
	e.Line("for (int32_t d = nd - 1; d >= 0; d--) {")
	e.Line("if (d == ax) continue;")
	e.Line("if (++pos[d] < %s->shape[d]) break;", ext)
	e.Line("pos[d] = 0;")
	e.Line("}")
	e.Line("}")
	e.Line("}")
	return nil
}
