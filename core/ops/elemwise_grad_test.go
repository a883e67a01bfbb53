package ops_test

import (
	"math/rand/v2"
	"testing"

	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
)

// Every differentiable scalar op's pullback matches finite differences,
// including inputs broadcast along a dimension.
func TestElemwisePullbacks(t *testing.T) {
	unary := []string{"neg", "abs", "sqr", "sqrt", "exp", "log", "log1p", "expm1", "sin", "cos", "tanh", "sigmoid", "softplus"}
	positive := map[string]bool{"sqrt": true, "log": true}
	for _, name := range unary {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			x := opstest.Rand(rng, 3, 4)
			if positive[name] {
				x = shift(x, 1.5)
			}
			opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return e.Call(name, in[0])
			}, x)
		})
	}
	binary := []string{"add", "sub", "mul", "true_div", "pow", "maximum", "minimum"}
	for _, name := range binary {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			x := shift(opstest.Rand(rng, 3, 4), 2)
			y := shift(opstest.Rand(rng, 1, 4), 2) // a row: broadcast along dimension 0
			opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return e.Call(name, in[0], in[1])
			}, x, y)
		})
	}
	t.Run("switch", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		a, c := opstest.Rand(rng, 5), opstest.Rand(rng, 5)
		opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Call("switch", e.Call("gt", in[0], e.Const(0, in[0])), in[0], e.Mul(in[1], in[1]))
		}, a, c)
	})
	t.Run("scalar with matrix", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Mul(in[0], e.Call("tanh", in[1]))
		}, opstest.Rand(rng), opstest.Rand(rng, 2, 3))
	})
}
