package grad_test

import (
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/grad"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

func scalar(v float64) *tensor.Array { return tensor.Scalar(dtype.Float64, v) }

// d/dx (x*x + x) sums the contributions of both paths: 2x + 1.
func TestContributionsAccumulate(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64), "x")
	e := ops.NewExpr(b)
	cost := e.Add(e.Mul(x, x), x)
	gs, _, err := grad.Grad(b, cost, []*graph.Variable{x}, grad.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := eval.Run(gs, map[*graph.Variable]*tensor.Array{x: scalar(3)})
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].Float64s()[0]; got != 7 {
		t.Errorf("d(x²+x)/dx at 3 = %v, want 7", got)
	}
}

func TestDisconnected(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64), "x")
	y := b.Input(graph.NewType(dtype.Float64, -1), "y")
	e := ops.NewExpr(b)
	cost := e.Exp(x)
	_, _, err := grad.Grad(b, cost, []*graph.Variable{y}, grad.Options{})
	if ge, ok := err.(*graph.Error); !ok || ge.Kind != graph.KindDisconnected {
		t.Fatalf("gradient wrt an unrelated variable: got %v, want a disconnected-input error", err)
	}
	gs, disc, err := grad.Grad(b, cost, []*graph.Variable{x, y}, grad.Options{Disconnected: "ignore"})
	if err != nil || len(disc) != 1 || disc[0] != 1 {
		t.Fatalf("ignore: %v %v", disc, err)
	}
	out, err := eval.Run(gs[1:], map[*graph.Variable]*tensor.Array{y: tensor.FromFloat64s(dtype.Float64, []int{3}, []float64{1, 2, 3})})
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0]; got.Size() != 3 || got.Float64s()[1] != 0 {
		t.Errorf("ignored disconnected gradient should be zeros like y, got %v", got)
	}
}

// consider_constant stops the gradient: d/dx (c * x) with c = x held constant is c.
func TestConsiderConstant(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64), "x")
	e := ops.NewExpr(b)
	c := e.Exp(x)
	cost := e.Mul(c, x)
	gs, _, err := grad.Grad(b, cost, []*graph.Variable{x}, grad.Options{ConsiderConstant: []*graph.Variable{c}})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := eval.Run(gs, map[*graph.Variable]*tensor.Array{x: scalar(0)})
	if got := out[0].Float64s()[0]; got != 1 {
		t.Errorf("gradient with exp(x) constant at 0 = %v, want exp(0) = 1", got)
	}
}

func TestCostMustBeScalar(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	if _, _, err := grad.Grad(b, x, []*graph.Variable{x}, grad.Options{}); err == nil {
		t.Error("grad of a vector cost was accepted")
	}
}

// The gradient has the dtype of the variable, even when the cost is float64.
func TestGradientDTypeFollowsVariable(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float32, -1), "x")
	w := b.Input(graph.NewType(dtype.Float64, -1), "w")
	e := ops.NewExpr(b)
	cost := e.Sum(e.Mul(x, w), nil, false)
	gs, _, err := grad.Grad(b, cost, []*graph.Variable{x, w}, grad.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if gs[0].Type.DType != dtype.Float32 || gs[1].Type.DType != dtype.Float64 {
		t.Errorf("gradient dtypes %v %v, want float32 float64", gs[0].Type, gs[1].Type)
	}
}
