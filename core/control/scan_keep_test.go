package control_test

import (
	"slices"
	"testing"

	"theanogo/core/control"
	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// The ring a loop keeps for an output read at its tail: the rows
// returned, and for a recurrent output at least its depth plus the row a
// step writes (so a step never writes a row one of its taps reads).
func TestScanInfoRingRows(t *testing.T) {
	s := &control.ScanInfo{Taps: [][]int{{-1}, {-1, -3}, {-2}}, NNitSot: 2, Keep: []int{2, 1, 0, 3, 0}}
	for o, want := range []int{2, 4, 0, 3, 0} {
		if got := s.RingRows(o); got != want {
			t.Errorf("output %d (keep %d): ring of %d rows, want %d", o, s.KeepRows(o), got, want)
		}
	}
	if (&control.ScanInfo{Taps: [][]int{{-1}}}).RingRows(0) != 0 {
		t.Error("a loop without Keep keeps whole buffers")
	}
}

// The evaluator's loop keeping only the last k rows returns exactly the
// whole buffer's last min(k, rows) rows (initial rows included when fewer
// steps ran), for taps [-1, -2] and any step count.
func TestScanEvaluateKeepsTheTail(t *testing.T) {
	for _, steps := range []int{0, 1, 2, 5, 40} {
		for _, k := range []int{1, 2, 3, 7} {
			b := graph.NewBuilder()
			e := ops.NewExpr(b)
			init := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "init")
			x := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "x")
			fibs := fib(e, init, x)
			if e.Err != nil {
				t.Fatal(e.Err)
			}
			node := fibs.Owner.Inputs[0].Owner // buffer[2:] of the scan's buffer
			info := *node.Op.(control.Scan).Info
			info.Keep = []int{k}
			kept, err := b.Apply(control.Scan{Info: &info}, node.Inputs...)
			if err != nil {
				t.Fatal(err)
			}
			prog, err := eval.NewProgram([]*graph.Variable{init, x}, []*graph.Variable{node.Outputs[0], kept.Outputs[0]})
			if err != nil {
				t.Fatal(err)
			}
			xs := make([]float64, steps)
			for i := range xs {
				xs[i] = float64(i%3) - 1
			}
			out, err := prog.Run([]*tensor.Array{tensor.FromFloat64s(dtype.Float64, []int{2}, []float64{0.5, 1}), tensor.FromFloat64s(dtype.Float64, []int{steps}, xs)})
			if err != nil {
				t.Fatal(err)
			}
			all, tail := out[0].Float64s(), out[1].Float64s()
			want := all[max(len(all)-k, 0):]
			if !slices.Equal(tail, want) {
				t.Errorf("%d steps, keep %d: %v, want %v (of %v)", steps, k, tail, want, all)
			}
		}
	}
}
