package cxx

import (
	"fmt"
	"strings"

	"theanogo/core/graph"
	"theanogo/core/kir"
)

// An op that implements kir.Lowerable needs no row in the lowerings table:
// lookup falls back to kernelLowering, which asks the op for its kernel
// and prints it here. The kernel's text is the node function's first
// comment. Scans are printed today (cumsum, cumprod); the existing rows
// lower maps and reductions, and kernels with those bodies are printed by
// the CUDA printer (cuda/) only, for now.

// kernelLowering is the lowering of every kir.Lowerable op. Its failure
// promise and in-place inputs are the kernel's (lower_call.go).
var kernelLowering = Lowering{Lower: lowerKernel, InPlace: kernelInPlace, Fails: kernelFails}

// lowerKernel prints n's kernel (Lower, checked) as the node's body.
func lowerKernel(e *Emitter, n *graph.Apply) error {
	k, err := n.Op.(kir.Lowerable).Lower(n)
	if err != nil {
		return fmt.Errorf("cxx: lowering %s: %v", n.Op.Name(), err)
	}
	if err := k.Check(); err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimSpace(k.String()), "\n") {
		e.Line("// %s", line)
	}
	switch b := k.Body.(type) {
	case *kir.Scan:
		return printScan(e, k, b)
	case *kir.Call:
		return printCall(e, k, b)
	}
	return fmt.Errorf("cxx: kernel %s: a %T body is not printed for the CPU yet", k.Name, k.Body)
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
