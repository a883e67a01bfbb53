package eval_test

import (
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/grad"
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
	values := []*tensor.Array{
		tensor.FromFloat64s(dtype.Float64, []int{len(va)}, va),
		tensor.FromFloat64s(dtype.Float64, []int{len(vc)}, vc),
	}
	p, err := eval.NewProgram([]*graph.Variable{a, c}, []*graph.Variable{out})
	if err != nil {
		bm.Fatal(err)
	}
	bm.ResetTimer()
	for i := 0; i < bm.N; i++ {
		if _, err := p.Run(values); err != nil {
			bm.Fatal(err)
		}
	}
}

// BenchmarkMLPStep evaluates the gradients of one 784-500-10 MLP training
// step (tanh, softmax, one-hot NLL) at batch 60 in float32.
func BenchmarkMLPStep(bm *testing.B) {
	b := graph.NewBuilder()
	f32 := dtype.Float32
	rng := rand.New(rand.NewPCG(3, 4))
	randArray := func(shape ...int) *tensor.Array {
		v := make([]float64, tensor.Size(shape))
		for i := range v {
			v[i] = 0.1 * (rng.Float64() - 0.5)
		}
		return tensor.FromFloat64s(f32, shape, v)
	}
	w1 := b.Shared(graph.NewType(f32, -1, -1), "W1")
	b1 := b.Shared(graph.NewType(f32, -1), "b1")
	w2 := b.Shared(graph.NewType(f32, -1, -1), "W2")
	b2 := b.Shared(graph.NewType(f32, -1), "b2")
	x := b.Input(graph.NewType(f32, -1, -1), "x")
	t := b.Input(graph.NewType(f32, -1, -1), "t")
	e := ops.NewExpr(b)
	h := e.Call("tanh", e.Add(e.Dot(x, w1), b1))
	p := apply(e, ops.Softmax, e.Add(e.Dot(h, w2), b2))
	cost := e.Neg(apply(e, mean, e.Sum(e.Mul(t, e.Log(p)), []int{1}, false)))
	if e.Err != nil {
		bm.Fatal(e.Err)
	}
	grads, _, err := grad.Grad(b, cost, []*graph.Variable{w1, b1, w2, b2}, grad.Options{})
	if err != nil {
		bm.Fatal(err)
	}
	values := []*tensor.Array{randArray(60, 784), randArray(60, 10), randArray(784, 500), randArray(500), randArray(500, 10), randArray(10)}
	prog, err := eval.NewProgram([]*graph.Variable{x, t, w1, b1, w2, b2}, append([]*graph.Variable{cost}, grads...))
	if err != nil {
		bm.Fatal(err)
	}
	bm.ResetTimer()
	for i := 0; i < bm.N; i++ {
		if _, err := prog.Run(values); err != nil {
			bm.Fatal(err)
		}
	}
}

// apply runs a one-input typed constructor with e's sticky error.
func apply(e *ops.Expr, f func(*graph.Builder, *graph.Variable) (*graph.Variable, error), x *graph.Variable) *graph.Variable {
	if e.Err != nil {
		return nil
	}
	v, err := f(e.B, x)
	if err != nil {
		e.Err = err
	}
	return v
}

// mean is the mean over every axis.
func mean(b *graph.Builder, x *graph.Variable) (*graph.Variable, error) {
	return ops.Mean(b, x, nil, false)
}
