package main

/*
#include <stdint.h>
*/
import "C"

import "runtime"

// tg_debug_panic panics on purpose, so tests can check that a Go panic
// reaches Python as a RuntimeError instead of killing the process.
//
//export tg_debug_panic
func tg_debug_panic(errOut **C.char) {
	guard(errOut, func() error {
		var m map[string]int
		//lint:ignore SA5000 the nil-map write is the point: a real runtime panic
		m["boom"] = 1 // a nil-map write: a real runtime panic
		return nil
	})
}

// tg_gc runs Go's garbage collector twice (the second pass runs the cleanups
// the first one queued), for memory tests.
//
//export tg_gc
func tg_gc() {
	runtime.GC()
	runtime.GC()
}

// tg_live_handles is the number of handles Python has not released.
//
//export tg_live_handles
func tg_live_handles() C.int64_t {
	return C.int64_t(sess.handles.len())
}
