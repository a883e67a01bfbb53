package main

/*
#cgo CFLAGS: -I${SRCDIR}/../python/theanogo/_rt
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
// "ExceptionClass: message" in args->error.
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
	results, err := fn.Run(inputs)
	if err != nil {
		return err
	}
	if len(results) != int(args.n_results) {
		return graph.ValueErrorf("function computes %d results, the caller expects %d", len(results), args.n_results)
	}
	for i, r := range results {
		var shape *C.int64_t
		dims := make([]C.int64_t, len(r.Shape))
		for d, n := range r.Shape {
			dims[d] = C.int64_t(n)
		}
		if len(dims) > 0 {
			shape = &dims[0]
		}
		dst := C.tg_call_alloc(args, C.int32_t(i), C.int32_t(len(dims)), shape)
		if dst == nil {
			return graph.Errorf(graph.KindMemory, "cannot allocate result %d: a %v array of shape %v", i, r.DType, r.Shape)
		}
		if src := r.Bytes(); len(src) > 0 {
			copy(unsafe.Slice((*byte)(dst), len(src)), src)
		}
	}
	return nil
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
