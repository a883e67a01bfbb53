package main

/*
#include <stdint.h>
*/
import "C"

import (
	"encoding/json"
	"runtime"
	"sync"

	"theanogo/core/graph"
)

// tg_shared creates a shared variable of the given dtype and static shape
// (-1 unknown, 1 broadcastable). Its value lives in Python (the
// SharedVariable's container); Go knows only its type and id, which Python
// uses to find the container when a function reads the variable.
//
//export tg_shared
func tg_shared(dtypeName *C.char, ndim C.int, staticShape *C.int64_t, name *C.char, errOut **C.char) (h C.int64_t) {
	guard(errOut, func() error {
		dt, err := parseDType(dtypeName)
		if err != nil {
			return err
		}
		static, err := goShape(staticShape, ndim, true)
		if err != nil {
			return err
		}
		v := sess.builder.Shared(graph.NewType(dt, static...), C.GoString(name))
		runtime.AddCleanup(v, sess.deadShared.add, v.ID())
		h = C.int64_t(sess.handles.put(v))
		return nil
	})
	return h
}

// idQueue collects the ids of shared variables that no handle and no graph
// reference any more, for Python to drop their containers.
type idQueue struct {
	mu  sync.Mutex
	ids []uint64
}

func (q *idQueue) add(id uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ids = append(q.ids, id)
}

func (q *idQueue) take() []uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	ids := q.ids
	q.ids = nil
	return ids
}

// tg_dead_shared returns (as a JSON list) the ids of the shared variables
// Go has collected since the last call: no expression or function can read
// them any more, so Python may drop their values.
//
//export tg_dead_shared
func tg_dead_shared(errOut **C.char) (out *C.char) {
	guard(errOut, func() error {
		ids := sess.deadShared.take()
		if ids == nil {
			ids = []uint64{}
		}
		text, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		out = cString(string(text))
		return nil
	})
	return out
}
