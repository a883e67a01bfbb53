package opstest

import (
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// SharedChain is levels of y -> tanh(y * 0.5) + sin(y) and y -> exp(-|y|) * y
// in turn from x, 4 elementwise nodes a level, each level reading y twice:
// as a tree, level k holds 2^k copies of x. The fusion and code-generation
// tests use it to check that a fused kernel keeps the DAG (issue 11).
func SharedChain(e *ops.Expr, x *graph.Variable, levels int) *graph.Variable {
	y := x
	for i := range levels {
		if i%2 == 0 {
			y = e.Add(e.Call("tanh", e.Mul(y, e.Const(0.5, y))), e.Call("sin", y))
		} else {
			y = e.Mul(e.Call("exp", e.Neg(e.Call("abs", y))), y)
		}
	}
	return y
}
