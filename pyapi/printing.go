package main

/*
#include <stdint.h>
*/
import "C"

import "theanogo/core/graph"

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
