package main

/*
#include <stdint.h>
*/
import "C"

import (
	"theanogo/core/compile"
	"theanogo/core/graph"
)

// tg_debugprint returns the text of graph.Debugprint for the n output
// variables (free it).
//
//export tg_debugprint
func tg_debugprint(outputs *C.int64_t, n C.int, errOut **C.char) (out *C.char) {
	guard(errOut, func() error {
		vs, err := variables(goInts(outputs, n))
		if err != nil {
			return err
		}
		out = cString(graph.Debugprint(vs))
		return nil
	})
	return out
}

// tg_function_debugprint returns the graph a compiled function evaluates:
// its outputs, then the new value of each updated shared variable, after
// givens were substituted (free it). THEANOGO_FLAGS=print_graph=True prints
// it when a function is compiled.
//
//export tg_function_debugprint
func tg_function_debugprint(fh C.int64_t, errOut **C.char) (out *C.char) {
	guard(errOut, func() error {
		fn, err := getAs[*compile.Function](int64(fh), "function")
		if err != nil {
			return err
		}
		out = cString(fn.Graph.String())
		return nil
	})
	return out
}
