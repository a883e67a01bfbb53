package main

/*
#include <stdlib.h>
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime/debug"
	"unsafe"

	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// exceptionClass maps a graph.Error's kind to the Python exception it
// raises; _lib.py turns the prefix back into that class.
var exceptionClass = map[graph.ErrorKind]string{
	graph.KindValue:        "ValueError",
	graph.KindType:         "TypeError",
	graph.KindMissingInput: "MissingInputError",
	graph.KindDisconnected: "DisconnectedInputError",
	graph.KindMemory:       "MemoryError",
	graph.KindIndex:        "IndexError",
}

// errorString renders err as "Class: message". Errors that are not a
// *graph.Error become RuntimeError.
func errorString(err error) string {
	var ge *graph.Error
	if errors.As(err, &ge) {
		if class, ok := exceptionClass[ge.Kind]; ok {
			return class + ": " + ge.Msg
		}
	}
	return "RuntimeError: " + err.Error()
}

// guard runs f, the body of an export, and reports its error, or a panic
// turned into an error, through errOut. Every export goes through guard:
//
//	func tg_x(h C.int64_t, errOut **C.char) (r C.int64_t) {
//		guard(errOut, func() error { ...; r = ...; return nil })
//		return r
//	}
func guard(errOut **C.char, f func() error) {
	if err := protect(f); err != nil {
		setError(errOut, err)
	}
}

// protect runs f and turns a panic into an error: a MemoryError for an
// allocation tensor refused for its size, else a RuntimeError carrying the
// panic value and the stack.
func protect(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			var se *tensor.SizeError
			if e, ok := r.(error); ok && errors.As(e, &se) {
				err = graph.MemoryErrorf("%v", se) // an allocation refused for its size
				return
			}
			err = fmt.Errorf("go panic: %v\n%s", r, debug.Stack())
		}
	}()
	return f()
}

// setError stores err's string in errOut for Python to read and free.
func setError(errOut **C.char, err error) {
	if errOut != nil {
		*errOut = C.CString(errorString(err))
	}
}

// tg_free frees a string the library returned (an error or a result).
//
//export tg_free
func tg_free(p *C.char) {
	C.free(unsafe.Pointer(p))
}

// cString returns s as a malloc'ed C string owned by the caller.
func cString(s string) *C.char { return C.CString(s) }
