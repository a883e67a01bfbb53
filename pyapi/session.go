package main

import (
	"sync"

	"theanogo/core/graph"
)

// session is the library's only mutable state: the graph builder every
// expression is built with, the table of handles Python holds, and the ids
// of collected shared variables waiting for Python to drop their values.
type session struct {
	builder    *graph.Builder
	handles    handleTable
	deadShared idQueue
}

// sess is created once, when the library is loaded.
var sess = &session{
	builder: graph.NewBuilder(),
	handles: handleTable{objects: map[int64]any{}},
}

// handleTable maps the integer handles Python holds to Go objects
// (*graph.Variable, *tensor.Array, *eval.Function). Handles start at 1; 0 is
// never a valid handle, so exports return 0 on error.
type handleTable struct {
	mu      sync.Mutex
	next    int64
	objects map[int64]any
}
