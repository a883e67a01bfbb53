package opstest

import (
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/grad"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// MLPTrainingStep builds BENCHMARKS.md's MLP training step in dtype dt: a
// 784-500-10 tanh network (parameters W1, b1, W2, b2, shared), softmax,
// the negative log-likelihood of one-hot targets t summed over the batch,
// and the SGD updates p - 0.01*grad(p). The optimizer, evaluator and C++
// benchmarks and tests all use this one graph (as
// compile.FunctionSpec{Inputs: m.Inputs, Outputs: []*graph.Variable{m.Cost},
// Updates: m.Updates}: this package cannot import compile, whose own
// internal tests import it).
func MLPTrainingStep(tb testing.TB, b *graph.Builder, dt dtype.DType) MLP {
	tb.Helper()
	params := []*graph.Variable{
		b.Shared(graph.NewType(dt, -1, -1), "W1"), b.Shared(graph.NewType(dt, -1), "b1"),
		b.Shared(graph.NewType(dt, -1, -1), "W2"), b.Shared(graph.NewType(dt, -1), "b2"),
	}
	x := b.Input(graph.NewType(dt, -1, -1), "x")
	t := b.Input(graph.NewType(dt, -1, -1), "t")
	e := ops.NewExpr(b)
	h := e.Call("tanh", e.Add(e.Dot(x, params[0]), params[1]))
	z := e.Add(e.Dot(h, params[2]), params[3])
	p, err := ops.Softmax(b, z)
	if err != nil {
		tb.Fatal(err)
	}
	cost := e.Neg(e.Sum(e.Sum(e.Mul(t, e.Log(p)), []int{1}, false), nil, false))
	grads, _, err := grad.Grad(b, cost, params, grad.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	var updates [][2]*graph.Variable
	for i, v := range params {
		updates = append(updates, [2]*graph.Variable{v, e.Sub(v, e.Mul(e.ConstOf(0.01, dt), grads[i]))})
	}
	if e.Err != nil {
		tb.Fatal(e.Err)
	}
	return MLP{Inputs: []*graph.Variable{x, t}, Cost: cost, Updates: updates, Params: params}
}

// MLP is MLPTrainingStep's graph.
type MLP struct {
	Inputs  []*graph.Variable    // x (batch, 784) and one-hot t (batch, 10)
	Cost    *graph.Variable      // the summed negative log-likelihood
	Updates [][2]*graph.Variable // (parameter, its SGD step), for W1, b1, W2, b2
	Params  []*graph.Variable    // W1, b1, W2, b2
}
