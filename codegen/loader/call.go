package loader

/*
// (tg_rt.h: tg_state holds its regions' child states, tg_state_child)
#include <stdlib.h>
#include "helpers.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Call runs kernel (a tg_kernel_fn from Module.Kernel) with state as its
// function (tg_args.function) on inputs, and returns its results, one per
// entry of resultTypes. The kernel borrows the inputs' memory (pinned for
// the call, never copied); it allocates each result through a malloc-based
// alloc callback, and Call copies the results into new Go arrays and frees
// the C memory. A kernel's "Class: message" error comes back as an error of
// that kind (graph.Error for ValueError, TypeError, IndexError,
// MemoryError).
func Call(kernel, state uintptr, inputs []*tensor.Array, resultTypes []dtype.DType) ([]*tensor.Array, error) {
	if kernel == 0 {
		return nil, fmt.Errorf("loader: Call with a nil kernel")
	}
	for i, t := range resultTypes {
		if t == dtype.Invalid || t > dtype.Complex128 {
			return nil, graph.TypeErrorf("loader: result %d has invalid dtype %v", i, t)
		}
	}
	var pin runtime.Pinner
	defer pin.Unpin()

	nIn, nOut := len(inputs), len(resultTypes)
	args := (*C.tg_args)(cmalloc(C.sizeof_tg_args))
	defer C.free(unsafe.Pointer(args))
	bufs := unsafe.Slice((*C.tg_buffer)(cmalloc(C.size_t(nIn)*C.sizeof_tg_buffer)), nIn)
	defer C.free(unsafe.Pointer(unsafe.SliceData(bufs)))
	ndims := 0
	for _, a := range inputs {
		ndims += a.Ndim()
	}
	shapes := unsafe.Slice((*C.int64_t)(cmalloc(C.size_t(ndims)*8)), ndims)
	defer C.free(unsafe.Pointer(unsafe.SliceData(shapes)))
	off := 0
	for i, a := range inputs {
		if a == nil {
			return nil, graph.ValueErrorf("loader: input %d is nil", i)
		}
		b := &bufs[i]
		b.ndim, b.dtype, b.shape, b.data = C.int32_t(a.Ndim()), C.int32_t(a.DType), nil, nil
		if a.Ndim() > 0 {
			b.shape = &shapes[off]
		}
		for _, d := range a.Shape {
			shapes[off] = C.int64_t(d)
			off++
		}
		if raw := a.Bytes(); len(raw) > 0 {
			pin.Pin(&raw[0])
			b.data = unsafe.Pointer(&raw[0])
		}
	}

	res := (*C.tgl_results)(cmalloc(C.sizeof_tgl_results))
	defer C.free(unsafe.Pointer(res))
	sizes := unsafe.Slice((*C.int64_t)(cmalloc(C.size_t(nOut)*8)), nOut)
	defer C.free(unsafe.Pointer(unsafe.SliceData(sizes)))
	// data is zeroed by calloc and written only by C: a Go store of a
	// pointer into C memory would run the write barrier on the old
	// (garbage) word, which the GC then takes for a heap pointer.
	data := unsafe.Slice((*unsafe.Pointer)(ccalloc(C.size_t(nOut)*C.size_t(unsafe.Sizeof(unsafe.Pointer(nil))))), nOut)
	defer C.free(unsafe.Pointer(unsafe.SliceData(data)))
	rdims := unsafe.Slice((*C.int32_t)(cmalloc(C.size_t(nOut)*4)), nOut)
	defer C.free(unsafe.Pointer(unsafe.SliceData(rdims)))
	rshapes := unsafe.Slice((*C.int64_t)(cmalloc(C.size_t(nOut)*C.TG_MAXDIM*8)), nOut*C.TG_MAXDIM)
	defer C.free(unsafe.Pointer(unsafe.SliceData(rshapes)))
	for i, t := range resultTypes {
		sizes[i], rdims[i] = C.int64_t(t.Size()), 0
	}
	defer func() {
		for i := range data {
			C.free(data[i])
		}
	}()
	res.n = C.int32_t(nOut)
	res.elem_size = unsafe.SliceData(sizes)
	res.data = unsafe.SliceData(data)
	res.ndim = unsafe.SliceData(rdims)
	res.shape = unsafe.SliceData(rshapes)

	// work (tg_kernel.h) stays NULL: this caller has no GIL to release.
	// (Go's build cache does not see changes to tg_kernel.h, which lives
	// outside this package: a change of tg_args must change this file too.)
	*args = C.tg_args{
		function:  C.int64_t(state),
		n_inputs:  C.int32_t(nIn),
		inputs:    unsafe.SliceData(bufs),
		n_results: C.int32_t(nOut),
		alloc:     C.tg_alloc_fn(C.tgl_alloc),
		alloc_ctx: unsafe.Pointer(res),
	}
	if C.tgl_call_kernel(C.uintptr_t(kernel), args) != 0 {
		return nil, kernelError(takeString(args.error, "RuntimeError: the kernel failed without a message"))
	}
	if args.error != nil { // success with a message: drop it
		C.free(unsafe.Pointer(args.error))
	}
	out := make([]*tensor.Array, nOut)
	for i, t := range resultTypes {
		if data[i] == nil {
			return nil, fmt.Errorf("loader: the kernel succeeded without allocating result %d", i)
		}
		shape := make([]int, int(rdims[i]))
		for d := range shape {
			shape[d] = int(rshapes[i*C.TG_MAXDIM+d])
		}
		a, err := tensor.Alloc(t, shape)
		if err != nil {
			return nil, graph.MemoryErrorf("loader: result %d: %v", i, err)
		}
		if raw := a.Bytes(); len(raw) > 0 {
			copy(raw, unsafe.Slice((*byte)(data[i]), len(raw)))
		}
		out[i] = a
	}
	return out, nil
}

// ccalloc is calloc of n bytes (at least 1), panicking (recovered by
// callers' guards) on exhaustion.
func ccalloc(n C.size_t) unsafe.Pointer {
	p := C.calloc(max(n, 1), 1)
	if p == nil {
		panic("loader: out of C memory")
	}
	return p
}

// cmalloc is ccalloc: every C block Go fills is zeroed first, because a
// Go store into a pointer field of C memory (tg_buffer.data, tg_args.inputs)
// runs the write barrier on the old word, and malloc's garbage there would
// be taken for a heap pointer by the GC ("found bad pointer in Go heap").
func cmalloc(n C.size_t) unsafe.Pointer { return ccalloc(n) }

// callAlloc calls a kernel's alloc callback (Go cannot call a C function
// pointer itself).
func callAlloc(alloc C.tg_alloc_fn, ctx unsafe.Pointer, index, ndim int, shape *C.int64_t) unsafe.Pointer {
	return C.tgl_call_alloc(alloc, ctx, C.int32_t(index), C.int32_t(ndim), shape)
}
