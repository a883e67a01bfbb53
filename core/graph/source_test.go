package graph_test

import (
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// Stamp marks the nodes built since the mark that have no source, and
// no older node.
func TestStampMarksTheNodesOfOneExpression(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	e := ops.NewExpr(b)
	since := b.LastID()
	inner := e.Exp(x)
	graph.Stamp([]*graph.Variable{inner}, since, "a.py:1")
	unnamed := e.Call("cos", x) // an older node without a source
	one := e.ConstOf(1, dtype.Int8)
	since = b.LastID()
	out := e.Add(e.Add(inner, unnamed), one) // pads the constant with a dimshuffle node
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	graph.Stamp([]*graph.Variable{out}, since, "b.py:2")
	if out.Owner.Source != "b.py:2" || out.Owner.Inputs[1].Owner.Source != "b.py:2" {
		t.Errorf("the add and its dimshuffle: %q, %q", out.Owner.Source, out.Owner.Inputs[1].Owner.Source)
	}
	if inner.Owner.Source != "a.py:1" || unnamed.Owner.Source != "" {
		t.Errorf("nodes built before were stamped: exp %q, cos %q", inner.Owner.Source, unnamed.Owner.Source)
	}
}
