package compile_test

import (
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// addOne compiles f(x) = x + 1.0 on a float64 vector (the call-overhead
// benchmark's function) and returns it with a 1,000-element argument.
func addOne(tb testing.TB) (*compile.Function, []*tensor.Array) {
	tb.Helper()
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	e := ops.NewExpr(b)
	y := e.Add(x, e.ConstOf(1, dtype.Float64))
	if e.Err != nil {
		tb.Fatal(e.Err)
	}
	f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{y}})
	if err != nil {
		tb.Fatal(err)
	}
	return f, []*tensor.Array{tensor.FromFloat64s(dtype.Float64, []int{1000}, make([]float64, 1000))}
}

// BenchmarkRunAddOne measures one evaluator call of x + 1.0 on 1,000
// float64 (what tg_eval_kernel runs per Python call), with its allocations.
func BenchmarkRunAddOne(bm *testing.B) {
	f, args := addOne(bm)
	bm.ReportAllocs()
	for bm.Loop() {
		if _, err := f.Run(args); err != nil {
			bm.Fatal(err)
		}
	}
}

// TestRunAddOneAllocations bounds the allocations of one call: the result
// array plus the evaluator's per-call bookkeeping, nothing per element.
func TestRunAddOneAllocations(t *testing.T) {
	f, args := addOne(t)
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := f.Run(args); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("compile.Function.Run(x + 1.0), 1,000 float64: %.0f allocations per call", allocs)
	if allocs > 16 {
		t.Errorf("%.0f allocations per call, want at most 16", allocs)
	}
}
