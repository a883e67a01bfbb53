package main

/*
#include <stdint.h>
*/
import "C"

import (
	"unsafe"

	"theanogo/core/grad"
	"theanogo/core/graph"
)

// tg_grad builds the gradients of the scalar cost with respect to each of
// the n variables in wrt, writing their handles into out (n entries).
// disconnected is "raise", "warn" or "ignore"; the indices of the wrt
// variables the cost does not depend on are written into disc (n entries)
// and their count into *ndisc, so Python can warn. source is where the user
// asked for the gradient: the nodes it builds get it.
//
//export tg_grad
func tg_grad(cost C.int64_t, wrt *C.int64_t, n C.int, consider *C.int64_t, nc C.int, disconnected *C.char, source *C.char, out *C.int64_t, disc *C.int64_t, ndisc *C.int, errOut **C.char) {
	guard(errOut, func() error {
		c, err := variable(int64(cost))
		if err != nil {
			return err
		}
		ws, err := variables(goInts(wrt, n))
		if err != nil {
			return err
		}
		constants, err := variables(goInts(consider, nc))
		if err != nil {
			return err
		}
		since := sess.builder.LastID()
		grads, missing, err := grad.Grad(sess.builder, c, ws, grad.Options{
			Disconnected:     C.GoString(disconnected),
			ConsiderConstant: constants,
		})
		if err != nil {
			return err
		}
		graph.Stamp(grads, since, C.GoString(source))
		outs := unsafe.Slice((*int64)(unsafe.Pointer(out)), int(n))
		for i, g := range grads {
			outs[i] = sess.handles.put(g)
		}
		discs := unsafe.Slice((*int64)(unsafe.Pointer(disc)), int(n))
		for i, d := range missing {
			discs[i] = int64(d)
		}
		*ndisc = C.int(len(missing))
		return nil
	})
}
