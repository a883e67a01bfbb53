package ops_test

import (
	"math/rand/v2"
	"testing"

	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
)

// softmax_grad is (gz - Σ gz·s)·s per row, and its own pullback is right
// (second derivatives of softmax go through it).
func TestSoftmaxGradValuesAndPullback(t *testing.T) {
	wantArray(t, evalOp(t, binary(ops.SoftmaxGrad), f64(dims(2), 1, 0), f64(dims(2), 0.5, 0.5)), f64(dims(2), 0.25, -0.25))
	wantArray(t, evalOp(t, binary(ops.SoftmaxGrad), f64(dims(2, 2), 1, 0, 0, 2), f64(dims(2, 2), 0.5, 0.5, 0.25, 0.75)),
		f64(dims(2, 2), 0.25, -0.25, -0.375, 0.375))
	rng := rand.New(rand.NewPCG(4, 2))
	for _, shape := range [][]int{{3, 4}, {5}} {
		opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return apply(e, binary(ops.SoftmaxGrad), in[0], apply(e, unary(ops.Softmax), in[1]))
		}, opstest.Rand(rng, shape...), opstest.Rand(rng, shape...))
	}
}
