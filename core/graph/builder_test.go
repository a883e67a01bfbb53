package graph_test

import (
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// Every expression the user builds is its own variable, as in Theano:
// naming one add(x, y) must not name another built the same way.
func TestEveryBuildIsADistinctNode(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	y := b.Input(graph.NewType(dtype.Float64, -1), "y")
	s1, _ := ops.Scalar(b, "add", x, y)
	s2, _ := ops.Scalar(b, "add", x, y)
	if s1 == s2 || s1.Owner == s2.Owner {
		t.Error("add(x, y) built twice gave one node")
	}
	s1.Name = "a"
	if s2.Name != "" {
		t.Errorf("naming one add(x, y) named the other: %q", s2.Name)
	}
	c1 := b.Constant(tensor.Scalar(dtype.Float64, 2))
	c2 := b.Constant(tensor.Scalar(dtype.Float64, 2))
	if c1 == c2 {
		t.Error("two constants of equal value are one variable")
	}
}

func TestStaticShapeMismatchRaisesAtConstruction(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, 2, 3), "x")
	y := b.Input(graph.NewType(dtype.Float64, 4, 3), "y")
	_, err := ops.Scalar(b, "add", x, y)
	ge, ok := err.(*graph.Error)
	if !ok || ge.Kind != graph.KindValue {
		t.Fatalf("add of (2,3) and (4,3): got %v, want a ValueError", err)
	}
}

func TestReplace(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	z := b.Input(graph.NewType(dtype.Float64, -1), "z")
	y, _ := ops.Scalar(b, "exp", x)
	out, err := b.Replace([]*graph.Variable{y}, map[*graph.Variable]*graph.Variable{x: z})
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Owner.Inputs[0] != z {
		t.Errorf("replace did not substitute: %s", graph.Debugprint(out))
	}
	i := b.Input(graph.NewType(dtype.Int64, -1), "i")
	if _, err := b.Replace([]*graph.Variable{y}, map[*graph.Variable]*graph.Variable{x: i}); err == nil {
		t.Error("replacing a float64 vector by an int64 vector was accepted")
	}
}
