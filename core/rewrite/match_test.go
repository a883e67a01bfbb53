package rewrite

import (
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

func TestConstantValueLooksThroughBroadcasts(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float32, -1, -1), "x")
	e := ops.NewExpr(b)
	one := e.ConstOf(1, dtype.Int8)
	sub := e.Sub(one, x) // 1 is padded to a matrix and computed in float32
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	n, name := ScalarNode(sub)
	if name != "sub" || !IsConstant(n.Inputs[0], 1) || IsConstant(n.Inputs[0], 2) || IsConstant(n.Inputs[1], 1) {
		t.Errorf("1 - x: %s, first input constant 1: %v", name, IsConstant(n.Inputs[0], 1))
	}
	mixed := b.Constant(tensor.FromFloat64s(dtype.Float64, []int{2}, []float64{1, 2}))
	if _, ok := ConstantValue(mixed); ok {
		t.Error("a constant of unequal elements has one value")
	}
}
