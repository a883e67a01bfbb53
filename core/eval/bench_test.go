package eval_test

import (
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// BenchmarkElemwisePolynomial evaluates a**2 + b**2 + 2*a*b on 1e5 float64.
func BenchmarkElemwisePolynomial(bm *testing.B) {
	b := graph.NewBuilder()
	a := b.Input(graph.NewType(dtype.Float64, -1), "a")
	c := b.Input(graph.NewType(dtype.Float64, -1), "b")
	e := ops.NewExpr(b)
	two := e.ConstOf(2, dtype.Int8)
	out := e.Add(e.Add(e.Call("pow", a, two), e.Call("pow", c, two)), e.Mul(e.Mul(two, a), c))
	if e.Err != nil {
		bm.Fatal(e.Err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	va, vc := make([]float64, 100000), make([]float64, 100000)
	for i := range va {
		va[i], vc[i] = rng.Float64(), rng.Float64()
	}
	values := map[*graph.Variable]*tensor.Array{
		a: tensor.FromFloat64s(dtype.Float64, []int{len(va)}, va),
		c: tensor.FromFloat64s(dtype.Float64, []int{len(vc)}, vc),
	}
	p := eval.NewProgram([]*graph.Variable{out})
	bm.ResetTimer()
	for i := 0; i < bm.N; i++ {
		if _, err := p.Run(values); err != nil {
			bm.Fatal(err)
		}
	}
}
