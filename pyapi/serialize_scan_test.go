package main

import (
	"encoding/json"
	"slices"
	"testing"

	"theanogo/core/control"
	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// A scan holding a while loop in its step (reading an outer input and a
// constant) round-trips through JSON with its parameters: the loaded graph
// computes the same values.
func TestScanRoundTrip(t *testing.T) {
	b := graph.NewBuilder()
	e := ops.NewExpr(b)
	m := b.Input(graph.NewType(dtype.Float64, graph.Unknown, graph.Unknown), "m")
	limit := b.Input(graph.NewType(dtype.Float64), "limit")
	row := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "row")
	v := b.Input(graph.NewType(dtype.Float64), "v")
	acc := b.Input(graph.NewType(dtype.Float64), "acc")
	sum := e.Add(acc, v)
	inner, err := control.BuildScan(b, control.ScanSpec{
		Sequences: []control.SequenceSpec{{Outer: row, Taps: []int{0}, Inner: []*graph.Variable{v}}},
		Outputs:   []control.OutputSpec{{Initial: b.Constant(tensor.Scalar(dtype.Float64, 0)), Taps: []int{-1}, Inner: []*graph.Variable{acc}, Step: sum}},
		Until:     e.Call("gt", sum, limit), Truncate: -1, Name: "inner",
	})
	if err != nil || e.Err != nil {
		t.Fatal(err, e.Err)
	}
	outer, err := control.BuildScan(b, control.ScanSpec{
		Sequences: []control.SequenceSpec{{Outer: m, Taps: []int{0}, Inner: []*graph.Variable{row}}},
		Outputs:   []control.OutputSpec{{Step: e.Index(inner.Outputs[0], -1)}},
		Truncate:  2, Name: "outer",
	})
	if err != nil || e.Err != nil {
		t.Fatal(err, e.Err)
	}
	g, _, inputs, err := dumpGraph(outer.Outputs)
	if err != nil {
		t.Fatal(err)
	}
	text, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	var back serialGraph
	if err := json.Unmarshal(text, &back); err != nil {
		t.Fatal(err)
	}
	b2 := graph.NewBuilder()
	var ins2 []*graph.Variable
	for _, in := range inputs {
		ins2 = append(ins2, b2.Input(in.Type, in.Name))
	}
	loaded, err := loadGraph(b2, &back, nil, ins2)
	if err != nil {
		t.Fatal(err)
	}
	op := loaded[0].Owner.Op.(control.Scan)
	if op.Info.Name != "outer" || op.Info.Truncate != 2 || op.ParamString() != outer.Outputs[0].Owner.Op.(control.Scan).ParamString() {
		t.Errorf("loaded %s, saved %s", graph.OpString(op), graph.OpString(outer.Outputs[0].Owner.Op))
	}
	mv := tensor.FromFloat64s(dtype.Float64, []int{2, 3}, []float64{0.5, 0.7, 0.1, 2, 0, 0})
	lv := tensor.Scalar(dtype.Float64, 1)
	want, err := eval.Run(outer.Outputs, map[*graph.Variable]*tensor.Array{m: mv, limit: lv})
	if err != nil {
		t.Fatal(err)
	}
	vals := map[*graph.Variable]*tensor.Array{}
	for i, in := range inputs {
		vals[ins2[i]] = map[*graph.Variable]*tensor.Array{m: mv, limit: lv}[in]
	}
	got, err := eval.Run(loaded, vals)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got[0].Float64s(), want[0].Float64s()) || !slices.Equal(want[0].Float64s(), []float64{1.2, 2}) {
		t.Errorf("loaded %v, saved %v (want [1.2 2])", got[0].Float64s(), want[0].Float64s())
	}
}
