package main

/*
#include <stdint.h>
*/
import "C"

import (
	"unsafe"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// maxRank bounds the shapes exchanged with Python (numpy's own limit is 64).
const maxRank = 64

// goInts copies n int64 values from a C array.
func goInts(p *C.int64_t, n C.int) []int64 {
	if n <= 0 || p == nil {
		return nil
	}
	src := unsafe.Slice((*int64)(unsafe.Pointer(p)), int(n))
	return append([]int64{}, src...)
}

// goShape copies a shape from a C array, rejecting negative lengths.
func goShape(p *C.int64_t, n C.int, allowUnknown bool) ([]int, error) {
	if n < 0 || n > maxRank {
		return nil, graph.ValueErrorf("rank %d out of range [0, %d]", n, maxRank)
	}
	dims := goInts(p, n)
	shape := make([]int, len(dims))
	for i, d := range dims {
		if d < 0 && !(allowUnknown && d == graph.Unknown) {
			return nil, graph.ValueErrorf("negative dimension %d in shape %v", d, dims)
		}
		shape[i] = int(d)
	}
	return shape, nil
}

// parseDType reads a dtype name as a TypeError when unknown.
func parseDType(name *C.char) (dtype.DType, error) {
	dt, err := dtype.Parse(C.GoString(name))
	if err != nil {
		return dt, graph.TypeErrorf("%v", err)
	}
	return dt, nil
}

// arrayFromC copies a C-contiguous numpy buffer into a new Go array. The
// buffer is read only during this call.
func arrayFromC(dtypeName *C.char, ndim C.int, shape *C.int64_t, data unsafe.Pointer, nbytes C.int64_t) (*tensor.Array, error) {
	dt, err := parseDType(dtypeName)
	if err != nil {
		return nil, err
	}
	dims, err := goShape(shape, ndim, false)
	if err != nil {
		return nil, err
	}
	a := tensor.New(dt, dims)
	dst := a.Bytes()
	if int64(len(dst)) != int64(nbytes) {
		return nil, graph.ValueErrorf("buffer of %d bytes does not hold a %v array of shape %v (%d bytes)", nbytes, dt, dims, len(dst))
	}
	if len(dst) > 0 {
		copy(dst, unsafe.Slice((*byte)(data), len(dst)))
	}
	return a, nil
}

// tg_array_new copies a numpy buffer into a Go array and returns its handle.
//
//export tg_array_new
func tg_array_new(dtypeName *C.char, ndim C.int, shape *C.int64_t, data unsafe.Pointer, nbytes C.int64_t, errOut **C.char) (h C.int64_t) {
	guard(errOut, func() error {
		a, err := arrayFromC(dtypeName, ndim, shape, data, nbytes)
		if err != nil {
			return err
		}
		h = C.int64_t(sess.handles.put(a))
		return nil
	})
	return h
}

// tg_array_meta writes an array's rank into *ndim and its shape into shape
// (room for maxRank entries) and returns its dtype name (free it).
//
//export tg_array_meta
func tg_array_meta(h C.int64_t, shape *C.int64_t, ndim *C.int, errOut **C.char) (name *C.char) {
	guard(errOut, func() error {
		a, err := array(int64(h))
		if err != nil {
			return err
		}
		writeShape(a.Shape, shape, ndim)
		name = cString(a.DType.String())
		return nil
	})
	return name
}

// tg_array_copy copies an array's bytes into a numpy buffer of nbytes bytes.
//
//export tg_array_copy
func tg_array_copy(h C.int64_t, dst unsafe.Pointer, nbytes C.int64_t, errOut **C.char) {
	guard(errOut, func() error {
		a, err := array(int64(h))
		if err != nil {
			return err
		}
		src := a.Bytes()
		if int64(len(src)) != int64(nbytes) {
			return graph.ValueErrorf("array of %d bytes does not fit a buffer of %d bytes", len(src), nbytes)
		}
		if len(src) > 0 {
			copy(unsafe.Slice((*byte)(dst), len(src)), src)
		}
		return nil
	})
}

// writeShape stores shape into a C array of maxRank entries and its length into *ndim.
func writeShape(shape []int, out *C.int64_t, ndim *C.int) {
	dst := unsafe.Slice((*int64)(unsafe.Pointer(out)), maxRank)
	for i, d := range shape {
		dst[i] = int64(d)
	}
	*ndim = C.int(len(shape))
}
