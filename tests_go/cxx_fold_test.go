package testsgo

import (
	"math"
	"math/rand/v2"
	"testing"

	"theanogo/codegen/cxx/native"
	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// The fold policy (DESIGN.md decision 13, codegen/runtime/tg_reduce.h):
// compiled float sums fold pairwise, blocked and in parallel pieces, within
// ops.ReduceTolerance of the evaluator's sequential fold; the result does
// not depend on how the pieces were spread over threads.

// foldRun compiles outputs of the inputs for C++ and for the evaluator
// and returns both results.
func foldRun(t *testing.T, b *graph.Builder, outputs, inputs []*graph.Variable, values []*tensor.Array) (cxxOut, evalOut []*tensor.Array) {
	t.Helper()
	spec := compile.FunctionSpec{Inputs: inputs, Outputs: outputs, OnUnusedInput: "ignore"}
	ref, err := compile.Compile(b, spec)
	if err != nil {
		t.Fatal(err)
	}
	spec.Backend = cxxBackend(t)
	f, err := compile.Compile(b, spec)
	if err != nil {
		t.Fatal(err)
	}
	if evalOut, err = ref.Run(values); err != nil {
		t.Fatal(err)
	}
	cxxOut, err = callNative(cxxCallable(f), values, resultTypes(f.Graph), native.CallOptions{FailAlloc: -1})
	if err != nil {
		t.Fatal(err)
	}
	return cxxOut, evalOut
}

// TestCxxPairwiseSumIsAccurate: a million copies of 0.1 sum to 100000.00000133288
// in the evaluator's sequential order (an error of 1.3e-6); the compiled
// pairwise fold is within 1e-8 of the exact 100000.0000000000055, and both
// are within ReduceTolerance of each other. float32 and mean as well.
func TestCxxPairwiseSumIsAccurate(t *testing.T) {
	const n = 1000 * 1000
	for _, d := range []dtype.DType{dtype.Float64, dtype.Float32} {
		b := graph.NewBuilder()
		x := b.Input(graph.NewType(d, -1, -1), "x")
		s, err := ops.Sum(b, x, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ops.Mean(b, x, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		v := make([]float64, n)
		for i := range v {
			v[i] = 0.1
		}
		got, want := foldRun(t, b, []*graph.Variable{s, m}, []*graph.Variable{x}, []*tensor.Array{tensor.FromFloat64s(d, []int{1000, 1000}, v)})
		tenth := tensor.FromFloat64s(d, nil, []float64{0.1}).Float64s()[0]
		exact := []float64{tenth * n, tenth} // and the sums of magnitudes (Σ|x|, Σ|x|/n for the mean)
		for i := range got {
			g, w := got[i].Float64s()[0], want[i].Float64s()[0]
			if tol := ops.ReduceTolerance(d, n) * exact[i]; math.Abs(g-w) > tol {
				t.Errorf("%v output %d: compiled %.17g, evaluator %.17g: beyond the tolerance %g", d, i, g, w, tol)
			}
			if d == dtype.Float64 && math.Abs(g-exact[i]) > 1e-13*exact[i] {
				t.Errorf("float64 output %d: compiled %.17g, exact %.17g: not a pairwise fold", i, g, exact[i])
			}
		}
	}
}

// TestCxxFoldAxesAndViews: sums and means of float64 and float32 over
// every axis subset of a (300, 301) matrix, its transpose and a fused map
// (x*x), with heavy cancellation, within ReduceTolerance·Σ|x| of the
// evaluator.
func TestCxxFoldAxesAndViews(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, d := range []dtype.DType{dtype.Float64, dtype.Float32} {
		b := graph.NewBuilder()
		x := b.Input(graph.NewType(d, -1, -1), "x")
		xt, err := ops.Transpose(b, x, nil)
		if err != nil {
			t.Fatal(err)
		}
		sq, err := ops.Scalar(b, "mul", x, x)
		if err != nil {
			t.Fatal(err)
		}
		var outputs []*graph.Variable
		var counts []int
		var squared []bool
		const rows, cols = 300, 301
		for _, src := range []*graph.Variable{x, xt, sq} {
			for _, axes := range axisSubsets(2) {
				for _, reduce := range []func(*graph.Builder, *graph.Variable, []int, bool) (*graph.Variable, error){ops.Sum, ops.Mean} {
					y, err := reduce(b, src, axes, false)
					if err != nil {
						t.Fatal(err)
					}
					outputs = append(outputs, y)
					n := 1
					for _, a := range axes {
						n *= []int{rows, cols}[a]
					}
					counts = append(counts, n)
					squared = append(squared, src == sq)
				}
			}
		}
		v := make([]float64, rows*cols)
		abs, abs2 := 0.0, 0.0
		for i := range v {
			v[i] = (rng.Float64() - 0.5) * math.Pow(2, float64(rng.IntN(20)-10))
			v[i] = tensor.FromFloat64s(d, nil, []float64{v[i]}).Float64s()[0]
			abs += math.Abs(v[i])
			abs2 += v[i] * v[i]
		}
		got, want := foldRun(t, b, outputs, []*graph.Variable{x}, []*tensor.Array{tensor.FromFloat64s(d, []int{rows, cols}, v)})
		for i := range got {
			mag := abs
			if squared[i] {
				mag = abs2
			}
			g, w := got[i].Float64s(), want[i].Float64s()
			for k := range g {
				if tol := ops.ReduceTolerance(d, counts[i]) * mag; math.Abs(g[k]-w[k]) > tol {
					t.Fatalf("%v output %d at %d: compiled %.17g, evaluator %.17g, tolerance %g", d, i, k, g[k], w[k], tol)
				}
			}
		}
	}
}

// TestCxxFoldIndependentOfThreads: the sum of a row folded alone (one
// output: its pieces run on the pool) equals, bit for bit, the same row's
// sum as one of two outputs (two tasks, each folding its pieces in turn).
func TestCxxFoldIndependentOfThreads(t *testing.T) {
	const n = 1 << 20
	rng := rand.New(rand.NewPCG(7, 8))
	v := make([]float64, 2*n)
	for i := range v {
		v[i] = rng.NormFloat64() * math.Pow(2, float64(rng.IntN(30)))
	}
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	row := b.Input(graph.NewType(dtype.Float64, -1), "row")
	both, err := ops.Sum(b, x, []int{1}, false)
	if err != nil {
		t.Fatal(err)
	}
	alone, err := ops.Sum(b, row, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := foldRun(t, b, []*graph.Variable{both, alone}, []*graph.Variable{x, row},
		[]*tensor.Array{tensor.FromFloat64s(dtype.Float64, []int{2, n}, v), tensor.FromFloat64s(dtype.Float64, []int{n}, v[:n])})
	if a, b := got[0].Float64s()[0], got[1].Float64s()[0]; math.Float64bits(a) != math.Float64bits(b) {
		t.Errorf("row 0 folded as one of two outputs: %.17g, alone on the pool: %.17g", a, b)
	}
}
