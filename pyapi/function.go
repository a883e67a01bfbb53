package main

/*
#include <stdint.h>
*/
import "C"

import (
	"encoding/json"
	"unsafe"

	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// pairs turns a flat list of 2n handles [k0, v0, k1, v1, ...] into variable pairs.
func pairs(flat *C.int64_t, n C.int) ([][2]*graph.Variable, error) {
	vs, err := variables(goInts(flat, 2*n))
	if err != nil {
		return nil, err
	}
	out := make([][2]*graph.Variable, n)
	for i := range out {
		out[i] = [2]*graph.Variable{vs[2*i], vs[2*i+1]}
	}
	return out, nil
}

// tg_function compiles a function (theano.function). updates and givens are
// flat lists of pairs: nup (shared, new value) pairs and ng (replaced,
// replacement) pairs. onUnused is "raise", "warn" or "ignore".
//
//export tg_function
func tg_function(inputs *C.int64_t, nin C.int, outputs *C.int64_t, nout C.int, updates *C.int64_t, nup C.int, givens *C.int64_t, ng C.int, onUnused *C.char, errOut **C.char) (h C.int64_t) {
	guard(errOut, func() error {
		ins, err := variables(goInts(inputs, nin))
		if err != nil {
			return err
		}
		outs, err := variables(goInts(outputs, nout))
		if err != nil {
			return err
		}
		ups, err := pairs(updates, nup)
		if err != nil {
			return err
		}
		gvs, err := pairs(givens, ng)
		if err != nil {
			return err
		}
		fn, err := eval.NewFunction(sess.builder, eval.FunctionSpec{
			Inputs:        ins,
			Outputs:       outs,
			Updates:       ups,
			Givens:        gvs,
			OnUnusedInput: C.GoString(onUnused),
		})
		if err != nil {
			return err
		}
		h = C.int64_t(sess.handles.put(fn))
		return nil
	})
	return h
}

// tg_function_call calls a function on the arrays behind the nargs handles
// in args and writes the handles of its outputs into outs (room for nouts).
// It returns the number of outputs. Updates of shared variables are
// committed only when every output and update was computed.
//
//export tg_function_call
func tg_function_call(fh C.int64_t, args *C.int64_t, nargs C.int, outs *C.int64_t, nouts C.int, errOut **C.char) (n C.int) {
	guard(errOut, func() error {
		fn, err := getAs[*eval.Function](int64(fh), "function")
		if err != nil {
			return err
		}
		handles := goInts(args, nargs)
		arrays := make([]*tensor.Array, len(handles))
		for i, ah := range handles {
			if arrays[i], err = array(ah); err != nil {
				return err
			}
		}
		results, err := fn.Call(arrays)
		if err != nil {
			return err
		}
		if len(results) > int(nouts) {
			return graph.ValueErrorf("function returned %d outputs, room for %d", len(results), nouts)
		}
		dst := unsafe.Slice((*int64)(unsafe.Pointer(outs)), int(nouts))
		for i, r := range results {
			dst[i] = sess.handles.put(r)
		}
		n = C.int(len(results))
		return nil
	})
	return n
}

// tg_function_warnings returns the JSON list of warnings a function raised
// when it was compiled (an unused input with on_unused_input="warn"), for
// Python to re-emit with the warnings module.
//
//export tg_function_warnings
func tg_function_warnings(fh C.int64_t, errOut **C.char) (out *C.char) {
	guard(errOut, func() error {
		fn, err := getAs[*eval.Function](int64(fh), "function")
		if err != nil {
			return err
		}
		text, err := json.Marshal(append([]string{}, fn.Warnings...))
		if err != nil {
			return err
		}
		out = cString(string(text))
		return nil
	})
	return out
}
