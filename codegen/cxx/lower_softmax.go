package cxx

import (
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// Softmax, log-softmax and softmax's gradient call the runtime
// (codegen/runtime/tg_nnet.c), which computes each row in double exactly
// as the evaluator does (core/ops/softmax.go, softmax_grad.go) and splits
// large inputs' rows over the pool.

// lowerSoftmax: out0 = softmax(in0) (or log-softmax) along the last axis.
func lowerSoftmax(e *Emitter, n *graph.Apply) error {
	op := n.Op.(ops.SoftmaxOp)
	log := 0
	if op.Log {
		log = 1
	}
	e.Include("tg_nnet.h")
	e.Line("// %s along the last axis", op.Name())
	e.Line("if (tg_softmax(in0, out0, %d, err) != 0) return 1;", log)
	return nil
}

// lowerSoftmaxGrad: out0 = (gz - Σ gz·s)·s along the last axis, gz = in0, s = in1.
func lowerSoftmaxGrad(e *Emitter, _ *graph.Apply) error {
	e.Include("tg_nnet.h")
	e.Line("// softmax_grad: (gz - sum(gz * s, last axis)) * s")
	e.Line("if (tg_softmax_grad(in0, in1, out0, err) != 0) return 1;")
	return nil
}
