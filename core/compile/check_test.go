package compile_test

import (
	"strings"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
)

// The MLP training graph keeps every invariant through every pass (the
// checker runs after each pass in strict mode).
func TestPassesKeepTheInvariants(t *testing.T) {
	b := graph.NewBuilder()
	spec := mlpTrainingSpec(t, b)
	spec.Strict = true
	f, err := compile.Compile(b, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.RewriteHits) == 0 {
		t.Error("no rewrite applied to the MLP training graph")
	}
}

// A graph whose result changes type is named with the pass that did it.
func TestCheckerNamesTheBrokenPass(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	y := b.Input(graph.NewType(dtype.Float32, -1), "y")
	out := build(t, b, "exp", x)
	fg := &compile.FunctionGraph{Inputs: []*graph.Variable{x}, Results: []*graph.Variable{out}, NumOutputs: 1}
	before := []graph.Type{out.Type}
	fg.Results[0] = build(t, b, "exp", y)
	err := compile.CheckGraph(fg, before, "bad_pass")
	if err == nil || !strings.Contains(err.Error(), "bad_pass") {
		t.Errorf("checker: %v", err)
	}
}
