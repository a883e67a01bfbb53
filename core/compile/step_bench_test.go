package compile_test

import (
	"math/rand/v2"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/grad"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// BenchmarkMLPTrainingStep runs one 784-500-10 MLP SGD step at batch 60 in
// float32 as a compiled function does per call: the result shapes, then the
// outputs and the four updated parameters.
func BenchmarkMLPTrainingStep(bm *testing.B) {
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
	params := []*graph.Variable{
		b.Shared(graph.NewType(f32, -1, -1), "W1"), b.Shared(graph.NewType(f32, -1), "b1"),
		b.Shared(graph.NewType(f32, -1, -1), "W2"), b.Shared(graph.NewType(f32, -1), "b2"),
	}
	x := b.Input(graph.NewType(f32, -1, -1), "x")
	t := b.Input(graph.NewType(f32, -1, -1), "t")
	e := ops.NewExpr(b)
	h := e.Call("tanh", e.Add(e.Dot(x, params[0]), params[1]))
	z := e.Add(e.Dot(h, params[2]), params[3])
	p, err := ops.Softmax(b, z)
	if err != nil {
		bm.Fatal(err)
	}
	cost := e.Neg(e.Sum(e.Sum(e.Mul(t, e.Log(p)), []int{1}, false), nil, false))
	grads, _, err := grad.Grad(b, cost, params, grad.Options{})
	if err != nil {
		bm.Fatal(err)
	}
	var updates [][2]*graph.Variable
	for i, v := range params {
		updates = append(updates, [2]*graph.Variable{v, e.Sub(v, e.Mul(e.ConstOf(0.01, f32), grads[i]))})
	}
	if e.Err != nil {
		bm.Fatal(e.Err)
	}
	f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x, t}, Outputs: []*graph.Variable{cost}, Updates: updates})
	if err != nil {
		bm.Fatal(err)
	}
	args := []*tensor.Array{randArray(60, 784), randArray(60, 10), randArray(784, 500), randArray(500), randArray(500, 10), randArray(10)}
	bm.ReportAllocs()
	for bm.Loop() {
		if _, _, err := f.ResultShapes(args); err != nil {
			bm.Fatal(err)
		}
		if _, err := f.Run(args); err != nil {
			bm.Fatal(err)
		}
	}
}
