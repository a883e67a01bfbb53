package main

import (
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

func TestPrettyPrintsMathNotation(t *testing.T) {
	b := graph.NewBuilder()
	e := ops.NewExpr(b)
	x := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "x")
	y := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "y")
	m := b.Input(graph.NewType(dtype.Float64, graph.Unknown, graph.Unknown), "m")
	w := b.Input(graph.NewType(dtype.Float64, graph.Unknown, graph.Unknown), "W")
	i := b.Input(graph.NewType(dtype.Int64), "i")
	half := b.Constant(tensor.Scalar(dtype.Float32, 0.1))
	from1, err := ops.Subtensor(b, x, []ops.IndexItem{{Slice: true, Entries: []ops.IndexEntry{{Kind: ops.EntryConst, Value: 1}, {}, {}}}})
	if err != nil {
		t.Fatal(err)
	}
	atI, err := ops.Subtensor(b, m, []ops.IndexItem{{Slice: true, Entries: []ops.IndexEntry{{}, {}, {}}}, {Entries: []ops.IndexEntry{{Kind: ops.EntryInput}}}}, i)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		v    *graph.Variable
		want string
	}{
		{e.Add(x, y), "(x + y)"},
		{e.Add(e.Mul(x, e.ConstOf(2, dtype.Int8)), e.Exp(y)), "((x * 2) + exp(y))"},
		{e.Sum(m, []int{0}, false), "sum(m, axis=[0])"},
		{e.Sum(m, []int{1}, true), "sum(m, axis=[1], keepdims=True)"},
		{e.Sum(m, []int{0, 1}, false), "sum(m, axis=[0, 1])"},
		{from1, "x[1:]"},
		{atI, "m[:, i]"},
		{e.Dot(m, w), "dot(m, W)"},
		{e.DimShuffle(m, []int{1, 0}), "m.T"},
		{e.Neg(e.Sub(x, e.Mul(half, y))), "-(x - (0.1 * y))"},
		{e.Call("maximum", x, y), "maximum(x, y)"},
		{e.Cast(x, dtype.Float32), "cast{dtype=float32}(x)"},
		{b.Constant(tensor.FromFloat64s(dtype.Int64, []int{2, 2}, []float64{1, 2, 3, 4})), "[[1, 2], [3, 4]]"},
		{b.Constant(tensor.Scalar(dtype.Float64, 1e-5)), "1e-05"},
	}
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	for _, c := range cases {
		if got := Pretty(c.v); got != c.want {
			t.Errorf("Pretty = %q, want %q", got, c.want)
		}
	}
}
