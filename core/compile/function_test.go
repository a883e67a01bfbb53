package compile_test

import (
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

func vec(v ...float64) *tensor.Array { return tensor.FromFloat64s(dtype.Float64, []int{len(v)}, v) }

func build(t *testing.T, b *graph.Builder, name string, in ...*graph.Variable) *graph.Variable {
	t.Helper()
	v, err := ops.Scalar(b, name, in...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Updates are computed from the old shared values, together with the
// outputs, and committed after: a counter returns its old value.
func TestUpdatesUseOldValues(t *testing.T) {
	b := graph.NewBuilder()
	s := b.Shared(graph.NewType(dtype.Float64, -1), "s")
	store := map[*graph.Variable]*tensor.Array{s: vec(1, 2)}
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	f, err := compile.Compile(b, compile.FunctionSpec{
		Inputs:  []*graph.Variable{x},
		Outputs: []*graph.Variable{build(t, b, "mul", s, x)},
		Updates: [][2]*graph.Variable{{s, build(t, b, "add", s, x)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.Call(store, vec(10, 10))
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].Float64s(); got[0] != 10 || got[1] != 20 {
		t.Errorf("output %v, want [10 20] (from the old s)", got)
	}
	if got := store[s].Float64s(); got[0] != 11 || got[1] != 12 {
		t.Errorf("s after the call %v, want [11 12]", got)
	}
}

// A call that fails (here a length mismatch found while evaluating) leaves
// shared variables unchanged.
func TestFailedCallChangesNothing(t *testing.T) {
	b := graph.NewBuilder()
	s := b.Shared(graph.NewType(dtype.Float64, -1), "s")
	store := map[*graph.Variable]*tensor.Array{s: vec(1, 2)}
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	f, err := compile.Compile(b, compile.FunctionSpec{
		Inputs:  []*graph.Variable{x},
		Updates: [][2]*graph.Variable{{s, build(t, b, "add", s, x)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	bad := [][]*tensor.Array{
		{vec(1, 2, 3)},                           // length mismatch inside add
		{tensor.New(dtype.Float32, []int{2})},    // wrong dtype
		{tensor.New(dtype.Float64, []int{2, 1})}, // wrong rank
		{},                                       // wrong count
	}
	for _, args := range bad {
		if _, err := f.Call(store, args...); err == nil {
			t.Errorf("call with %v succeeded", args)
		}
		if got := store[s].Float64s(); got[0] != 1 || got[1] != 2 {
			t.Fatalf("a failed call changed s to %v", got)
		}
	}
}

func TestMissingAndUnusedInputs(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	y := b.Input(graph.NewType(dtype.Float64, -1), "y")
	sum := build(t, b, "add", x, y)
	_, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{sum}})
	if ge, ok := err.(*graph.Error); !ok || ge.Kind != graph.KindMissingInput {
		t.Errorf("missing input y: got %v", err)
	}
	ex := build(t, b, "exp", x)
	_, err = compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x, y}, Outputs: []*graph.Variable{ex}})
	if err == nil {
		t.Error("unused input y accepted by default")
	}
	_, err = compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x, y}, Outputs: []*graph.Variable{ex}, OnUnusedInput: "ignore"})
	if err != nil {
		t.Errorf("on_unused_input=ignore: %v", err)
	}
}

func TestGivensSubstitute(t *testing.T) {
	b := graph.NewBuilder()
	data := b.Shared(graph.NewType(dtype.Float64, -1), "data")
	store := map[*graph.Variable]*tensor.Array{data: vec(1, 2, 3)}
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	f, err := compile.Compile(b, compile.FunctionSpec{
		Outputs: []*graph.Variable{build(t, b, "mul", x, x)},
		Givens:  [][2]*graph.Variable{{x, data}},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.Call(store)
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].Float64s(); got[2] != 9 {
		t.Errorf("x*x with x given as [1 2 3]: %v", got)
	}
}
