package graph_test

import (
	"runtime"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

func TestSameOpSameInputsIsSameNode(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	y := b.Input(graph.NewType(dtype.Float64, -1), "y")
	s1, _ := ops.Build(b, "add", nil, []*graph.Variable{x, y})
	s2, _ := ops.Build(b, "add", nil, []*graph.Variable{x, y})
	s3, _ := ops.Build(b, "add", nil, []*graph.Variable{y, x})
	if s1 != s2 {
		t.Error("add(x, y) built twice gave two nodes")
	}
	if s1 == s3 {
		t.Error("add(y, x) merged with add(x, y)")
	}
	c1 := b.Constant(tensor.Scalar(dtype.Float64, 2))
	c2 := b.Constant(tensor.Scalar(dtype.Float64, 2))
	c3 := b.Constant(tensor.Scalar(dtype.Float32, 2))
	if c1 != c2 || c1 == c3 {
		t.Error("constants are interned by dtype and value")
	}
}

// Nodes nobody references leave the intern table: building and dropping
// many expressions keeps it small.
func TestInternTableForgetsDeadNodes(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	for i := 0; i < 20000; i++ {
		c := b.Constant(tensor.Scalar(dtype.Float64, float64(i)))
		if _, err := ops.Build(b, "mul", nil, []*graph.Variable{x, c}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 5; i++ {
		runtime.GC()
	}
	nodes, consts := b.Size()
	if nodes > 1000 || consts > 1000 {
		t.Errorf("after GC the intern table still holds %d nodes and %d constants", nodes, consts)
	}
	runtime.KeepAlive(x)
}

func TestStaticShapeMismatchRaisesAtConstruction(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, 2, 3), "x")
	y := b.Input(graph.NewType(dtype.Float64, 4, 3), "y")
	_, err := ops.Build(b, "add", nil, []*graph.Variable{x, y})
	ge, ok := err.(*graph.Error)
	if !ok || ge.Kind != graph.KindValue {
		t.Fatalf("add of (2,3) and (4,3): got %v, want a ValueError", err)
	}
}

func TestReplace(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	z := b.Input(graph.NewType(dtype.Float64, -1), "z")
	y, _ := ops.Build(b, "exp", nil, []*graph.Variable{x})
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
