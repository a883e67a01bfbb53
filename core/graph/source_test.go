package graph_test

import (
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// Stamp marks the nodes between outputs and inputs that have no source,
// and nothing beyond the inputs.
func TestStampMarksTheNodesOfOneExpression(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	e := ops.NewExpr(b)
	inner := e.Exp(x)
	graph.Stamp([]*graph.Variable{inner}, []*graph.Variable{x}, "a.py:1")
	one := e.ConstOf(1, dtype.Int8)
	out := e.Add(inner, one) // pads the constant with a dimshuffle node
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	graph.Stamp([]*graph.Variable{out}, []*graph.Variable{inner, one}, "b.py:2")
	if out.Owner.Source != "b.py:2" || out.Owner.Inputs[1].Owner.Source != "b.py:2" {
		t.Errorf("the add and its dimshuffle: %q, %q", out.Owner.Source, out.Owner.Inputs[1].Owner.Source)
	}
	if inner.Owner.Source != "a.py:1" {
		t.Errorf("the exp, built by another expression, became %q", inner.Owner.Source)
	}
}
