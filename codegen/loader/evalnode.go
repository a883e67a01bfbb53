package loader

/*
// (tg_rt.h: tg_state holds its regions' child states, tg_state_child)
#include "tg_rt.h"
*/
import "C"

import (
	"fmt"
	"sync"
	"unsafe"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// NodeFunc evaluates node `node` of a function on its inputs (borrowed:
// valid only during the call) and returns its outputs.
type NodeFunc func(node int, inputs []*tensor.Array) ([]*tensor.Array, error)

// nodes is the registry of evaluator fallbacks, by handle.
var nodes struct {
	sync.RWMutex
	next int64
	fns  map[int64]NodeFunc
}

// RegisterNodes registers fn as a function's evaluator fallback and returns
// its handle, for SetEvaluator.
func RegisterNodes(fn NodeFunc) int64 {
	nodes.Lock()
	defer nodes.Unlock()
	if nodes.fns == nil {
		nodes.fns = map[int64]NodeFunc{}
	}
	nodes.next++
	nodes.fns[nodes.next] = fn
	return nodes.next
}

// Unregister drops a handle from RegisterNodes; a kernel calling it later
// gets an error.
func Unregister(handle int64) {
	nodes.Lock()
	defer nodes.Unlock()
	delete(nodes.fns, handle)
}

// tg_eval_node is tg_rt.h's tg_eval_node_fn: it evaluates one node in Go
// for a kernel, returning each output through the kernel's alloc. Errors
// and panics come back as "Class: message" in *err; nothing panics across
// the ABI.
//
//export tg_eval_node
func tg_eval_node(handle C.int64_t, node C.int32_t, inputs *C.tg_buffer, nInputs C.int32_t, alloc C.tg_alloc_fn, ctx unsafe.Pointer, errOut **C.char) C.int {
	err := protect("the evaluator fallback", func() error {
		return evalNode(int64(handle), int(node), inputs, int(nInputs), alloc, ctx)
	})
	if err != nil {
		if errOut != nil {
			*errOut = C.CString(errorString(err))
		}
		return 1
	}
	return 0
}

func evalNode(handle int64, node int, inputs *C.tg_buffer, n int, alloc C.tg_alloc_fn, ctx unsafe.Pointer) error {
	nodes.RLock()
	fn := nodes.fns[handle]
	nodes.RUnlock()
	if fn == nil {
		return fmt.Errorf("evaluator fallback: unknown handle %d", handle)
	}
	if n < 0 || (n > 0 && inputs == nil) {
		return fmt.Errorf("evaluator fallback: bad input list (%d inputs)", n)
	}
	var bufs []C.tg_buffer
	if n > 0 {
		bufs = unsafe.Slice(inputs, n)
	}
	in := make([]*tensor.Array, n)
	for i := range bufs {
		a, err := borrow(&bufs[i])
		if err != nil {
			return err
		}
		in[i] = a
	}
	outs, err := fn(node, in)
	if err != nil {
		return err
	}
	for i, o := range outs {
		shape := make([]C.int64_t, len(o.Shape)+1) // +1: never empty
		for d, v := range o.Shape {
			shape[d] = C.int64_t(v)
		}
		dst := callAlloc(alloc, ctx, i, len(o.Shape), &shape[0])
		if dst == nil {
			return graph.MemoryErrorf("cannot allocate output %d of node %d: a %v array of shape %v", i, node, o.DType, o.Shape)
		}
		if raw := o.Bytes(); len(raw) > 0 {
			copy(unsafe.Slice((*byte)(dst), len(raw)), raw)
		}
	}
	return nil
}

// borrow wraps a kernel's buffer as an Array without copying it.
func borrow(b *C.tg_buffer) (*tensor.Array, error) {
	dt := dtype.DType(b.dtype)
	if dt == dtype.Invalid || dt > dtype.Complex128 {
		return nil, graph.TypeErrorf("buffer of unknown dtype code %d", b.dtype)
	}
	if b.ndim < 0 || b.ndim > C.TG_MAXDIM || (b.ndim > 0 && b.shape == nil) {
		return nil, graph.ValueErrorf("buffer of rank %d out of range [0, %d]", b.ndim, C.TG_MAXDIM)
	}
	shape := make([]int, int(b.ndim))
	if b.ndim > 0 {
		for i, d := range unsafe.Slice(b.shape, int(b.ndim)) {
			if d < 0 {
				return nil, graph.ValueErrorf("negative dimension %d", d)
			}
			shape[i] = int(d)
		}
	}
	if _, ok := tensor.ElementCount(shape); !ok {
		return nil, graph.ValueErrorf("buffer of shape %v: size overflows", shape)
	}
	if tensor.Size(shape) > 0 && b.data == nil {
		return nil, graph.ValueErrorf("buffer of shape %v has no data", shape)
	}
	return tensor.View(dt, shape, b.data), nil
}
