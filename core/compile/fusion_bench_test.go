package compile_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// BenchmarkFusion computes a**2 + b**2 + 2*a*b on vectors of 1e5 float64
// in the evaluator, fused (FAST_RUN) and unfused (FAST_COMPILE).
func BenchmarkFusion(bm *testing.B) {
	for _, mode := range []string{"FAST_RUN", "FAST_COMPILE"} {
		bm.Run(mode, func(bm *testing.B) {
			b := graph.NewBuilder()
			a, c := b.Input(graph.NewType(dtype.Float64, -1), "a"), b.Input(graph.NewType(dtype.Float64, -1), "b")
			e := ops.NewExpr(b)
			two := e.Const(2, a)
			out := e.Add(e.Add(e.Call("pow", a, two), e.Call("pow", c, two)), e.Mul(e.Mul(two, a), c))
			if e.Err != nil {
				bm.Fatal(e.Err)
			}
			f := compileMode(bm, b, mode, []*graph.Variable{a, c}, []*graph.Variable{out})
			rng := rand.New(rand.NewPCG(1, 2))
			n := graph.NewType(dtype.Float64, 100000)
			args := []*tensor.Array{randomValue(rng, n), randomValue(rng, n)}
			bm.ReportMetric(float64(len(f.Graph.Toposort())), "nodes")
			bm.ReportAllocs()
			for bm.Loop() {
				if _, err := f.Run(args); err != nil {
					bm.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFusedReduction computes sum(exp(x) * y) over 1e6 float64 (a
// 1000 x 1000 matrix, over all axes and over axis 1), as one
// composite_reduce (FAST_RUN) and as exp, mul and sum nodes (FAST_COMPILE).
func BenchmarkFusedReduction(bm *testing.B) {
	for _, axes := range [][]int{nil, {1}} {
		for _, mode := range []string{"FAST_RUN", "FAST_COMPILE"} {
			bm.Run(fmt.Sprintf("axis=%v/%s", axes, mode), func(bm *testing.B) {
				b := graph.NewBuilder()
				x, y := b.Input(matrix(dtype.Float64), "x"), b.Input(matrix(dtype.Float64), "y")
				e := ops.NewExpr(b)
				out := e.Sum(expTimes(e, []*graph.Variable{x, y}), axes, false)
				if e.Err != nil {
					bm.Fatal(e.Err)
				}
				f := compileMode(bm, b, mode, []*graph.Variable{x, y}, []*graph.Variable{out})
				rng := rand.New(rand.NewPCG(1, 2))
				n := graph.NewType(dtype.Float64, 1000, 1000)
				args := []*tensor.Array{randomValue(rng, n), randomValue(rng, n)}
				bm.ReportMetric(float64(len(f.Graph.Toposort())), "nodes")
				bm.ReportAllocs()
				for bm.Loop() {
					if _, err := f.Run(args); err != nil {
						bm.Fatal(err)
					}
				}
			})
		}
	}
}
