package cxx

import (
	"fmt"

	"theanogo/core/graph"
)

// lowerShape writes in0's lengths into the int64 vector out0.
func lowerShape(e *Emitter, n *graph.Apply) error {
	e.Line("for (int d = 0; d < in0->ndim; d++) ((int64_t *)out0->data)[d] = in0->shape[d];")
	return nil
}

// lowerMakeVector stores each scalar input, converted as astype does.
func lowerMakeVector(e *Emitter, n *graph.Apply) error {
	to := n.Outputs[0].Type.DType
	st := cTypeOf(to).Storage
	for i, in := range n.Inputs {
		from := in.Type.DType
		x := load(from, fmt.Sprintf("*(const %s *)in%d->data", cTypeOf(from).Storage, i))
		e.Line("((%s *)out0->data)[%d] = %s;", st, i, store(to, fmt.Sprintf("tg_astype<%s>(%s)", cTypeOf(to).Compute, x)))
	}
	return nil
}
