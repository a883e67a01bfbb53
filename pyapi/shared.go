package main

/*
#include <stdint.h>
*/
import "C"

import (
	"unsafe"

	"theanogo/core/graph"
)

// tg_shared creates a shared variable holding a copy of a numpy buffer.
// staticShape gives the variable's type (-1 unknown, 1 broadcastable) and
// has the value's rank; the value must fit it.
//
//export tg_shared
func tg_shared(dtypeName *C.char, ndim C.int, shape *C.int64_t, staticShape *C.int64_t, data unsafe.Pointer, nbytes C.int64_t, name *C.char, errOut **C.char) (h C.int64_t) {
	guard(errOut, func() error {
		a, err := arrayFromC(dtypeName, ndim, shape, data, nbytes)
		if err != nil {
			return err
		}
		static, err := goShape(staticShape, ndim, true)
		if err != nil {
			return err
		}
		v, err := sess.builder.Shared(graph.NewType(a.DType, static...), a, C.GoString(name))
		if err != nil {
			return err
		}
		h = C.int64_t(sess.handles.put(v))
		return nil
	})
	return h
}

// tg_shared_set replaces a shared variable's value by the array behind
// arrayHandle, which must have the variable's dtype and fit its static shape.
//
//export tg_shared_set
func tg_shared_set(h C.int64_t, arrayHandle C.int64_t, errOut **C.char) {
	guard(errOut, func() error {
		v, err := variable(int64(h))
		if err != nil {
			return err
		}
		if !v.IsShared() {
			return graph.TypeErrorf("%v is not a shared variable", v)
		}
		a, err := array(int64(arrayHandle))
		if err != nil {
			return err
		}
		if a.DType != v.Type.DType || !v.Type.AcceptsShape(a.Shape) {
			return graph.TypeErrorf("shared variable %v of type %v cannot hold a value of dtype %v and shape %v", v, v.Type, a.DType, a.Shape)
		}
		v.Shared.Set(a)
		return nil
	})
}
