package compile_test

import (
	"math/rand/v2"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
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
	f, err := compile.Compile(b, mlpTrainingSpec(bm, b))
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
