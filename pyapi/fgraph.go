package main

/*
#include <stdint.h>
*/
import "C"

import (
	"encoding/json"

	"theanogo/core/compile"
	"theanogo/core/graph"
)

// fgraphJSON describes a compiled function's graph for Python's
// f.maker.fgraph: each variable appears once in Handles (variable id ->
// a new handle Python takes ownership of), and everything else refers to
// variables by id.
type fgraphJSON struct {
	Handles map[uint64]int64 `json:"handles"`
	Inputs  []uint64         `json:"inputs"`
	Outputs []uint64         `json:"outputs"` // outputs, then update values
	Nodes   []nodeJSON       `json:"nodes"`   // in dependency order
}

type nodeJSON struct {
	Op      string   `json:"op"`
	Inputs  []uint64 `json:"inputs"`
	Outputs []uint64 `json:"outputs"`
}

// tg_function_fgraph returns the optimized graph a compiled function runs
// (see fgraphJSON).
//
//export tg_function_fgraph
func tg_function_fgraph(fh C.int64_t, errOut **C.char) (out *C.char) {
	guard(errOut, func() error {
		fn, err := getAs[*compile.Function](int64(fh), "function")
		if err != nil {
			return err
		}
		fg := fn.Graph
		res := fgraphJSON{Handles: map[uint64]int64{}}
		ref := func(v *graph.Variable) uint64 {
			if _, ok := res.Handles[v.ID()]; !ok {
				res.Handles[v.ID()] = sess.handles.put(v)
			}
			return v.ID()
		}
		refs := func(vs []*graph.Variable) []uint64 {
			ids := []uint64{}
			for _, v := range vs {
				ids = append(ids, ref(v))
			}
			return ids
		}
		res.Inputs = refs(fg.AllInputs())
		res.Outputs = refs(fg.Results)
		for _, n := range fg.Toposort() {
			res.Nodes = append(res.Nodes, nodeJSON{Op: graph.OpString(n.Op), Inputs: refs(n.Inputs), Outputs: refs(n.Outputs)})
		}
		text, err := json.Marshal(res)
		if err != nil {
			return err
		}
		out = cString(string(text))
		return nil
	})
	return out
}
