package testsgo

import (
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// TestCxxAddOne is the smallest kernel: x + 1 over a float64 matrix.
func TestCxxAddOne(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	e := ops.NewExpr(b)
	y := e.Add(x, e.Const(1, x))
	rng := rand.New(rand.NewPCG(1, 2))
	for _, shape := range [][]int{{3, 4}, {0, 5}, {1, 1}, {300, 200}} {
		checkCxx(t, b, []*graph.Variable{y}, []*graph.Variable{x}, []*tensor.Array{randomArray(rng, dtype.Float64, shape...)})
	}
}
