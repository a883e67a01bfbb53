package testsgo

import (
	"math/rand/v2"
	"strings"
	"testing"

	"theanogo/core/control"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// scan on the C++ backend: while loops (until) and nested scans run in the
// kernel (no node on the evaluator), compared with the evaluator on
// inputs that stop the loop early, never, and before any step.

func f64(v float64) *tensor.Array { return tensor.FromFloat64s(dtype.Float64, nil, []float64{v}) }

func i64(v int64) *tensor.Array { return tensor.FromInt64s(dtype.Int64, nil, []int64{v}) }

// noFallback fails when the kernel runs a node on the evaluator.
func noFallback(t *testing.T, fallback []*graph.Apply, why []string) {
	t.Helper()
	if len(fallback) != 0 {
		t.Fatalf("nodes on the evaluator: %v (%v)", fallback, why)
	}
}

// TestCxxWhileLoop: x_t = 2 x_{t-1} + x_{t-2} (taps [-2, -1]) until x_t >
// limit, at most n steps, with a nit-sot 3 x_t beside it and its sum read
// after the loop (the continuation).
func TestCxxWhileLoop(t *testing.T) {
	b := graph.NewBuilder()
	init := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "init")
	limit := b.Input(graph.NewType(dtype.Float64), "limit")
	n := b.Input(graph.NewType(dtype.Int64), "n")
	e := ops.NewExpr(b)
	p1 := b.Input(graph.NewType(dtype.Float64), "x_tm1")
	p2 := b.Input(graph.NewType(dtype.Float64), "x_tm2")
	next := e.Add(e.Mul(p1, e.Const(2, p1)), p2)
	res, err := control.BuildScan(b, control.ScanSpec{
		Outputs: []control.OutputSpec{
			{Initial: init, Taps: []int{-2, -1}, Inner: []*graph.Variable{p2, p1}, Step: next},
			{Step: e.Mul(next, e.Const(3, next))},
		},
		Until:  e.Call("gt", next, limit),
		NSteps: n, Truncate: -1,
	})
	if err != nil || e.Err != nil {
		t.Fatal(err, e.Err)
	}
	xs, ys := res.Outputs[0], res.Outputs[1]
	total := e.Sum(ys, nil, false)
	outs := []*graph.Variable{xs, ys, total}
	in := []*graph.Variable{init, limit, n}
	start := tensor.FromFloat64s(dtype.Float64, []int{2}, []float64{0, 1})
	for _, c := range []struct {
		limit float64
		n     int64
		rows  int
	}{
		{10, 100, 4},  // 2, 5, 12: stops at the step that passes 10 (kept)
		{1e300, 7, 7}, // never meets until: runs to n
		{10, 0, 0},    // no step
		{-1, 100, 1},  // the first step stops it
		{10, 2, 2},    // n stops it first
		{10, -1, 0},   // a negative bound: ValueError from both
	} {
		k := checkCxx(t, b, outs, in, []*tensor.Array{start, f64(c.limit), i64(c.n)})
		noFallback(t, k.Kernel.Fallback, k.Kernel.FallbackErrors)
		if !strings.Contains(k.Kernel.Source, "a while loop: its outputs' lengths are the steps it ran") {
			t.Fatalf("the while loop is not lowered as one:\n%s", k.Kernel.Source)
		}
	}
}

// TestCxxNestedScan: a step holding a scan (the inner loop's n_steps is
// the step's row length) and a while loop inside a scan's step compile
// into regions of regions.
func TestCxxNestedScan(t *testing.T) {
	b := graph.NewBuilder()
	m := b.Input(graph.NewType(dtype.Float64, graph.Unknown, graph.Unknown), "m")
	limit := b.Input(graph.NewType(dtype.Float64), "limit")
	e := ops.NewExpr(b)
	row := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "row")
	// inner: a running sum over the row, stopping once it passes lim
	v := b.Input(graph.NewType(dtype.Float64), "v")
	acc := b.Input(graph.NewType(dtype.Float64), "acc")
	sum := e.Add(acc, v)
	zero := b.Constant(tensor.FromFloat64s(dtype.Float64, nil, []float64{0}))
	inner, err := control.BuildScan(b, control.ScanSpec{
		Sequences: []control.SequenceSpec{{Outer: row, Taps: []int{0}, Inner: []*graph.Variable{v}}},
		Outputs:   []control.OutputSpec{{Initial: zero, Taps: []int{-1}, Inner: []*graph.Variable{acc}, Step: sum}},
		Until:     e.Call("gt", sum, limit), Truncate: -1,
	})
	if err != nil || e.Err != nil {
		t.Fatal(err, e.Err)
	}
	// the inner cumulative sum without until, for a nit-sot of row length
	v2 := b.Input(graph.NewType(dtype.Float64), "v2")
	acc2 := b.Input(graph.NewType(dtype.Float64), "acc2")
	cum, err := control.BuildScan(b, control.ScanSpec{
		Sequences: []control.SequenceSpec{{Outer: row, Taps: []int{0}, Inner: []*graph.Variable{v2}}},
		Outputs:   []control.OutputSpec{{Initial: zero, Taps: []int{-1}, Inner: []*graph.Variable{acc2}, Step: e.Add(acc2, v2)}},
		Truncate:  -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	// outer: per row, the inner while loop's last sum and the row's cumsum
	last := e.Index(inner.Outputs[0], -1)
	outer, err := control.BuildScan(b, control.ScanSpec{
		Sequences: []control.SequenceSpec{{Outer: m, Taps: []int{0}, Inner: []*graph.Variable{row}}},
		Outputs:   []control.OutputSpec{{Step: last}, {Step: cum.Outputs[0]}},
	})
	if err != nil || e.Err != nil {
		t.Fatal(err, e.Err)
	}
	outs := outer.Outputs
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct{ rows, cols int }{{3, 5}, {1, 1}, {0, 4}, {4, 0}} {
		k := checkCxx(t, b, outs, []*graph.Variable{m, limit}, []*tensor.Array{randomArray(rng, dtype.Float64, c.rows, c.cols), f64(0.5)})
		noFallback(t, k.Kernel.Fallback, k.Kernel.FallbackErrors)
	}
}

// TestCxxWhileLoopMapRows: a while loop mapping the rows of a matrix (a
// nit-sot of unknown row length, the loop's result itself): with no step
// its rows keep the matrix's row length, as the evaluator's.
func TestCxxWhileLoopMapRows(t *testing.T) {
	b := graph.NewBuilder()
	e := ops.NewExpr(b)
	m := b.Input(graph.NewType(dtype.Float64, graph.Unknown, graph.Unknown), "m")
	row := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "row")
	res, err := control.BuildScan(b, control.ScanSpec{
		Sequences: []control.SequenceSpec{{Outer: m, Taps: []int{0}, Inner: []*graph.Variable{row}}},
		Outputs:   []control.OutputSpec{{Step: e.Call("exp", row)}},
		Until:     e.Call("gt", e.Sum(row, nil, false), e.Const(1, row)), Truncate: -1,
	})
	if err != nil || e.Err != nil {
		t.Fatal(err, e.Err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, shape := range [][]int{{0, 3}, {4, 3}, {3, 0}, {5, 2}} {
		k := checkCxx(t, b, res.Outputs, []*graph.Variable{m}, []*tensor.Array{randomArray(rng, dtype.Float64, shape...)})
		noFallback(t, k.Kernel.Fallback, k.Kernel.FallbackErrors)
	}
}

// TestCxxScanRowsKnownAfterAStep: a map whose row length is a value of
// its sequence (arange(k_t) * x_t) runs in the kernel as a while loop
// does; rows of different lengths raise ValueError on both backends.
func TestCxxScanRowsKnownAfterAStep(t *testing.T) {
	b := graph.NewBuilder()
	e := ops.NewExpr(b)
	k := b.Input(graph.NewType(dtype.Int64, graph.Unknown), "k")
	x := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "x")
	kt := b.Input(graph.NewType(dtype.Int64), "k_t")
	xt := b.Input(graph.NewType(dtype.Float64), "x_t")
	zero, one := e.ConstOf(0, dtype.Int64), e.ConstOf(1, dtype.Int64)
	res, err := control.BuildScan(b, control.ScanSpec{
		Sequences: []control.SequenceSpec{{Outer: k, Taps: []int{0}, Inner: []*graph.Variable{kt}}, {Outer: x, Taps: []int{0}, Inner: []*graph.Variable{xt}}},
		Outputs:   []control.OutputSpec{{Step: e.Mul(e.ARange(zero, kt, one, dtype.Float64), xt)}},
		Truncate:  -1,
	})
	if err != nil || e.Err != nil {
		t.Fatal(err, e.Err)
	}
	outs := []*graph.Variable{res.Outputs[0], e.Sum(res.Outputs[0], nil, false)}
	ks := func(v ...int64) *tensor.Array { return tensor.FromInt64s(dtype.Int64, []int{len(v)}, v) }
	xs := func(v ...float64) *tensor.Array { return tensor.FromFloat64s(dtype.Float64, []int{len(v)}, v) }
	for _, args := range [][]*tensor.Array{{ks(3, 3), xs(1, 2)}, {ks(), xs()}, {ks(0, 0, 0), xs(1, 2, 3)}, {ks(3, 2), xs(1, 2)}} {
		c := checkCxx(t, b, outs, []*graph.Variable{k, x}, args)
		noFallback(t, c.Kernel.Fallback, c.Kernel.FallbackErrors)
	}
}
