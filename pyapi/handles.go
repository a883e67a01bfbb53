package main

import (
	"fmt"

	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// put stores obj and returns its new handle.
func (t *handleTable) put(obj any) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next++
	t.objects[t.next] = obj
	return t.next
}

// get returns the object behind handle h.
func (t *handleTable) get(h int64) (any, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	obj, ok := t.objects[h]
	if !ok {
		return nil, fmt.Errorf("invalid handle %d (released or never issued)", h)
	}
	return obj, nil
}

// release forgets handle h and returns what it named (nil for an unknown
// handle: releasing one is a no-op, so a finalizer running twice is
// harmless).
func (t *handleTable) release(h int64) any {
	t.mu.Lock()
	defer t.mu.Unlock()
	obj := t.objects[h]
	delete(t.objects, h)
	return obj
}

// len is the number of live handles, for leak tests.
func (t *handleTable) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.objects)
}

// getAs returns the object behind h as a T, or a TypeError naming what was
// expected.
func getAs[T any](h int64, what string) (T, error) {
	var zero T
	obj, err := sess.handles.get(h)
	if err != nil {
		return zero, err
	}
	v, ok := obj.(T)
	if !ok {
		return zero, graph.TypeErrorf("handle %d is a %T, not a %s", h, obj, what)
	}
	return v, nil
}

// variable returns the graph variable behind h.
func variable(h int64) (*graph.Variable, error) {
	return getAs[*graph.Variable](h, "variable")
}

// array returns the concrete array behind h.
func array(h int64) (*tensor.Array, error) {
	return getAs[*tensor.Array](h, "array")
}

// variables resolves a list of handles.
func variables(hs []int64) ([]*graph.Variable, error) {
	out := make([]*graph.Variable, len(hs))
	for i, h := range hs {
		v, err := variable(h)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
