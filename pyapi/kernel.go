package main

/*
// (tg_rt.h: tg_state holds its regions' child states, tg_state_child)
#cgo CFLAGS: -I${SRCDIR}/../codegen/runtime
#include <stdlib.h>
#include "tg_kernel.h"

// tg_call_alloc calls the caller's allocator: Go cannot call a C function
// pointer directly.
static void *tg_call_alloc(tg_args *a, int32_t i, int32_t ndim, const int64_t *shape) {
	return a->alloc(a->alloc_ctx, i, ndim, shape);
}
*/
import "C"

import (
	"fmt"
	"slices"
	"unsafe"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// tg_eval_kernel is the Go evaluator's kernel (tg_kernel.h): theanogo._rt
// calls it through a function pointer with the input buffers, which it
// borrows without copying; it asks the caller to allocate each result and
// copies the result into it. Every error, and every panic, is returned as
// "ExceptionClass: message" in args->error. It never calls args->work:
// theanogo._rt judges it by its inputs. (Go's build cache does not see
// changes to tg_kernel.h, outside this package: a change of tg_args must
// change this file too.)
//
//export tg_eval_kernel
func tg_eval_kernel(args *C.tg_args) C.int {
	err := protect(func() error { return runKernel(args) })
	if err != nil {
		args.error = C.CString(errorString(err))
		return 1
	}
	return 0
}

// runKernel does tg_eval_kernel's work.
func runKernel(args *C.tg_args) error {
	fn, err := getAs[*compile.Function](int64(args.function), "function")
	if err != nil {
		return err
	}
	var bufs []C.tg_buffer
	if args.n_inputs > 0 {
		bufs = unsafe.Slice(args.inputs, int(args.n_inputs))
	}
	inputs := make([]*tensor.Array, len(bufs))
	for i := range bufs {
		if inputs[i], err = borrow(&bufs[i]); err != nil {
			return err
		}
	}
	// Allocate the results from the symbolic shapes first (a result too
	// large fails before any work); then compute and copy them in.
	shapes, planned, err := fn.ResultShapes(inputs)
	if err != nil {
		return err
	}
	var dsts []unsafe.Pointer
	if planned {
		if len(shapes) != int(args.n_results) {
			return graph.ValueErrorf("function computes %d results, the caller expects %d", len(shapes), args.n_results)
		}
		for i, s := range shapes {
			dst, err := allocResult(args, i, s, fn.Graph.Results[i])
			if err != nil {
				return err
			}
			dsts = append(dsts, dst)
		}
	}
	results, err := fn.Run(inputs)
	if err != nil {
		return err
	}
	if len(results) != int(args.n_results) {
		return graph.ValueErrorf("function computes %d results, the caller expects %d", len(results), args.n_results)
	}
	for i, r := range results {
		if planned {
			if !slices.Equal(r.Shape, shapes[i]) {
				return fmt.Errorf("internal error: result %d has shape %v, its symbolic shape said %v", i, r.Shape, shapes[i])
			}
		} else {
			dst, err := allocResult(args, i, r.Shape, fn.Graph.Results[i])
			if err != nil {
				return err
			}
			dsts = append(dsts, dst)
		}
	}
	spans := make([]span, len(bufs))
	for k := range bufs {
		spans[k] = span{bufs[k].data, tensor.Size(bufferShape(&bufs[k])) * dtype.DType(bufs[k].dtype).Size()}
	}
	copyResults(results, dsts, spans)
	return nil
}

// span is a range of memory: the n bytes at p.
type span struct {
	p unsafe.Pointer
	n int
}

// copyResults copies each result into the memory the caller gave it. The
// caller may have given an update the memory of the variable's old value
// (an in-place update, tg_kernel.h): those are written last, after every
// other result (which may still read an input) was copied, and a result
// that reads memory an in-place update overwrites is staged first.
func copyResults(results []*tensor.Array, dsts []unsafe.Pointer, inputs []span) {
	inplace := make([]bool, len(results))
	for i, r := range results {
		n := len(r.Bytes())
		for _, in := range inputs {
			inplace[i] = inplace[i] || overlaps(dsts[i], n, in.p, in.n)
		}
		if !inplace[i] {
			copyInto(dsts[i], r)
		}
	}
	staged := append([]*tensor.Array{}, results...)
	for i := range results {
		if !inplace[i] {
			continue
		}
		for j, r := range results {
			if j != i && inplace[j] && overlaps(dsts[i], len(results[i].Bytes()), bytesPointer(r), len(r.Bytes())) {
				staged[j] = r.Clone()
			}
		}
	}
	for i, r := range staged {
		if inplace[i] {
			copyInto(dsts[i], r)
		}
	}
}

func copyInto(dst unsafe.Pointer, r *tensor.Array) {
	if src := r.Bytes(); len(src) > 0 {
		copy(unsafe.Slice((*byte)(dst), len(src)), src)
	}
}

// bytesPointer is the address of r's first byte (nil when empty).
func bytesPointer(r *tensor.Array) unsafe.Pointer {
	if b := r.Bytes(); len(b) > 0 {
		return unsafe.Pointer(&b[0])
	}
	return nil
}

// overlaps reports whether the n bytes at p and the m bytes at q share memory.
func overlaps(p unsafe.Pointer, n int, q unsafe.Pointer, m int) bool {
	if p == nil || q == nil || n == 0 || m == 0 {
		return false
	}
	a, b := uintptr(p), uintptr(q)
	return a < b+uintptr(m) && b < a+uintptr(n)
}

// bufferShape is a caller's buffer's shape.
func bufferShape(b *C.tg_buffer) []int {
	shape := make([]int, int(b.ndim))
	if b.ndim > 0 {
		for i, d := range unsafe.Slice(b.shape, int(b.ndim)) {
			shape[i] = int(d)
		}
	}
	return shape
}

// allocResult asks the caller for the memory of result i, the variable v.
func allocResult(args *C.tg_args, i int, shape []int, v *graph.Variable) (unsafe.Pointer, error) {
	var first *C.int64_t
	dims := make([]C.int64_t, len(shape))
	for d, n := range shape {
		dims[d] = C.int64_t(n)
	}
	if len(dims) > 0 {
		first = &dims[0]
	}
	dst := C.tg_call_alloc(args, C.int32_t(i), C.int32_t(len(dims)), first)
	if dst == nil {
		return nil, graph.Errorf(graph.KindMemory, "cannot allocate result %d (%v): a %v array of shape %v", i, v, v.Type.DType, shape)
	}
	return dst, nil
}

// borrow wraps a caller's buffer as an Array without copying it.
func borrow(b *C.tg_buffer) (*tensor.Array, error) {
	dt := dtype.DType(b.dtype)
	if dt == dtype.Invalid || dt > dtype.Complex128 {
		return nil, graph.TypeErrorf("buffer of unknown dtype code %d", b.dtype)
	}
	if b.ndim < 0 || b.ndim > maxRank {
		return nil, graph.ValueErrorf("rank %d out of range [0, %d]", b.ndim, maxRank)
	}
	shape := make([]int, int(b.ndim))
	if b.ndim > 0 {
		for i, d := range unsafe.Slice(b.shape, int(b.ndim)) {
			if d < 0 {
				return nil, graph.ValueErrorf("negative dimension %d", d)
			}
			shape[i] = int(d)
		}
	}
	return tensor.View(dt, shape, b.data), nil
}
