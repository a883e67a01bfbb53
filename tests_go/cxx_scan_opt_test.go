package testsgo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/control"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// fibScan is f_t = f_{t-1} + f_{t-2} * x_t (taps [-1, -2]) with a nit-sot
// x_t * w, over the rows of x.
func fibScan(t *testing.T, b *graph.Builder, x, f0, w *graph.Variable) (*graph.Variable, *graph.Variable) {
	t.Helper()
	e := ops.NewExpr(b)
	row := graph.NewType(dtype.Float64, graph.Unknown)
	xt, a, c := b.Input(row, "x_t"), b.Input(row, "f_tm1"), b.Input(row, "f_tm2")
	res, err := control.BuildScan(b, control.ScanSpec{
		Sequences: []control.SequenceSpec{{Outer: x, Taps: []int{0}, Inner: []*graph.Variable{xt}}},
		Outputs: []control.OutputSpec{
			{Initial: f0, Taps: []int{-1, -2}, Inner: []*graph.Variable{a, c}, Step: e.Add(a, e.Mul(c, xt))},
			{Step: e.Mul(xt, e.Mul(w, e.Const(3, w)))},
		},
		Truncate: -1, Name: "fib",
	})
	if err != nil || e.Err != nil {
		t.Fatal(err, e.Err)
	}
	return res.Outputs[0], res.Outputs[1]
}

func sub(t *testing.T, b *graph.Builder, x *graph.Variable, items ...ops.IndexItem) *graph.Variable {
	t.Helper()
	v, err := ops.Subtensor(b, x, items)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func lastFrom(j int) ops.IndexItem {
	return ops.IndexItem{Slice: true, Entries: []ops.IndexEntry{{Kind: ops.EntryConst, Value: -j}, {}, {}}}
}

// The compiled loop keeps rings for the outputs read at their tail
// (scan_save_mem), writes each step's rows in place, and agrees with the
// evaluator (poisoned outputs, guarded buffers) for fewer steps than the
// tails, as many, and more; reading past the steps raises the same error.
func TestCxxScanRingsAndInPlaceRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, steps := range []int{1, 2, 4, 9} {
		t.Run(fmt.Sprint(steps), func(t *testing.T) {
			b := graph.NewBuilder()
			x := b.Input(graph.NewType(dtype.Float64, graph.Unknown, graph.Unknown), "x")
			f0 := b.Input(graph.NewType(dtype.Float64, graph.Unknown, graph.Unknown), "f0")
			w := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "w")
			fib, nit := fibScan(t, b, x, f0, w)
			outs := []*graph.Variable{sub(t, b, fib, ops.IndexAt(-1)), sub(t, b, fib, lastFrom(3)), sub(t, b, nit, lastFrom(2)), sub(t, b, nit, ops.IndexAt(-1))}
			vals := []*tensor.Array{opstest.Rand(rng, steps, 3), opstest.Rand(rng, 2, 3), opstest.Rand(rng, 3)}
			c := checkCxx(t, b, outs, []*graph.Variable{x, f0, w}, vals)
			src := c.Kernel.Source
			if !strings.Contains(src, "ring0") || !strings.Contains(src, "ring1") || !strings.Contains(src, "tg_scan_row_alloc") {
				t.Errorf("want rings for both outputs and the rows placed in place:\n%s", src)
			}
			if steps < 3 { // fib[-3:] and nit[-2:] still fit; an index past the steps raises
				bad := []*graph.Variable{sub(t, b, nit, ops.IndexAt(-(steps + 1)))}
				checkCxx(t, b, bad, []*graph.Variable{x, f0, w}, vals)
			}
		})
	}
}

// A whole output and a tail of the same loop: no ring, every row written
// in place, the step's hoisted w * 3 computed once outside.
func TestCxxScanWholeHistoryInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, graph.Unknown, graph.Unknown), "x")
	f0 := b.Input(graph.NewType(dtype.Float64, graph.Unknown, graph.Unknown), "f0")
	w := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "w")
	fib, nit := fibScan(t, b, x, f0, w)
	vals := []*tensor.Array{opstest.Rand(rng, 6, 3), opstest.Rand(rng, 2, 3), opstest.Rand(rng, 3)}
	c := checkCxxSpec(t, b, compile.FunctionSpec{Inputs: []*graph.Variable{x, f0, w}, Outputs: []*graph.Variable{fib, sub(t, b, fib, ops.IndexAt(-1)), nit}}, vals, nil)
	if src := c.Kernel.Source; strings.Contains(src, "ring") || !strings.Contains(src, "tg_scan_row_alloc") {
		t.Errorf("want no ring and the rows placed in place:\n%s", src)
	}
}

// A while loop read at its last rows keeps a ring: the compiled loop
// agrees with the evaluator when it stops at once, after some steps, or at
// its bound, and when its bound is 0.
func TestCxxWhileLoopRing(t *testing.T) {
	for _, c := range []struct {
		limit float64
		bound int
	}{{0.5, 10}, {4, 10}, {1e9, 10}, {1e9, 0}, {1e9, 1}} {
		t.Run(fmt.Sprint(c.limit, c.bound), func(t *testing.T) {
			b := graph.NewBuilder()
			e := ops.NewExpr(b)
			f0 := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "f0")
			a, p := b.Input(graph.NewType(dtype.Float64), "a"), b.Input(graph.NewType(dtype.Float64), "b")
			lim := b.Input(graph.NewType(dtype.Float64), "limit")
			next := e.Add(a, p)
			res, err := control.BuildScan(b, control.ScanSpec{
				Outputs:      []control.OutputSpec{{Initial: f0, Taps: []int{-1, -2}, Inner: []*graph.Variable{a, p}, Step: next}},
				NonSequences: []*graph.Variable{lim},
				Until:        e.Call("gt", next, lim),
				NSteps:       b.Constant(tensor.Scalar(dtype.Int64, float64(c.bound))),
				Truncate:     -1,
			})
			if err != nil || e.Err != nil {
				t.Fatal(err, e.Err)
			}
			fib := res.Outputs[0]
			outs := []*graph.Variable{sub(t, b, fib, lastFrom(2)), sub(t, b, fib, lastFrom(1))}
			spec := compile.FunctionSpec{Inputs: []*graph.Variable{f0, lim}, Outputs: outs}
			cc := checkCxxSpec(t, b, spec, []*tensor.Array{tensor.FromFloat64s(dtype.Float64, []int{2}, []float64{0, 1}), tensor.Scalar(dtype.Float64, c.limit)}, nil)
			if !strings.Contains(cc.Kernel.Source, "ring0") {
				t.Errorf("want a ring for the while loop's output:\n%s", cc.Kernel.Source)
			}
		})
	}
}
