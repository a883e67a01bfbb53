package testsgo

import (
	"math/rand/v2"
	"testing"

	"theanogo/codegen/cxx"
	"theanogo/codegen/loader"
	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// In-place intermediates (codegen/cxx/inplace.go): an elementwise node
// writes into the workspace slot of an intermediate input it reads last.
// Each case runs against the evaluator twice (in place, and with every
// intermediate in a slot of its own) with poisoned results; a wrong reuse
// (an input still read later, or read through a view) changes values.

// separateBackend is the shared C++ backend with in-place intermediates off.
func separateBackend(t *testing.T) *cxx.Backend {
	be := *cxxBackend(t)
	be.SeparateIntermediates = true
	return &be
}

// workspaceBytes is the memory c's workspace holds after its calls.
func workspaceBytes(t *testing.T, c *cxx.Callable) int64 {
	var n int64
	if err := c.Raw(func(_, state uintptr) error { n = loader.WorkspaceBytes(state); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkBothWorkspaces checks spec against the evaluator with in-place
// intermediates on and off and returns the two workspaces' bytes.
func checkBothWorkspaces(t *testing.T, b *graph.Builder, spec compile.FunctionSpec, values []*tensor.Array, shared map[*graph.Variable]*tensor.Array) (inPlace, separate int64) {
	t.Helper()
	spec.Backend = cxxBackend(t)
	inPlace = workspaceBytes(t, checkCxxSpec(t, b, spec, values, shared))
	spec.Backend = separateBackend(t)
	separate = workspaceBytes(t, checkCxxSpec(t, b, spec, values, shared))
	return inPlace, separate
}

// A chain of matrix products and elementwise maps: each map writes into
// the product it reads, so the chain needs fewer bytes.
func TestCxxIntermediateChainInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	b := graph.NewBuilder()
	e := ops.NewExpr(b)
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	w := b.Input(graph.NewType(dtype.Float64, -1, -1), "w")
	h := x
	for i := range 4 {
		h = e.Dot(h, w)
		if i%2 == 0 {
			h = e.Call("tanh", e.Add(h, e.Const(1, h)))
		} else {
			h = e.Mul(e.Call("sin", h), e.Const(2, h))
		}
	}
	out := e.Sum(h, nil, false)
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	spec := compile.FunctionSpec{Inputs: []*graph.Variable{x, w}, Outputs: []*graph.Variable{out}}
	in, sep := checkBothWorkspaces(t, b, spec, []*tensor.Array{randomArray(rng, dtype.Float64, 200, 100), randomArray(rng, dtype.Float64, 100, 100)}, nil)
	t.Logf("4 x (dot, map) of 200x100 float64: workspace %d bytes in place, %d bytes separate", in, sep)
	if in >= sep {
		t.Errorf("the chain's workspace is %d bytes in place, %d separate: no map wrote into its product", in, sep)
	}
}

// Intermediates that must not be overwritten: read again later, read
// through a view by the same node, broadcast, or a result; in each the
// evaluator's values must come out.
func TestCxxIntermediateInPlaceRespectsAliasing(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	b := graph.NewBuilder()
	e := ops.NewExpr(b)
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	w := b.Input(graph.NewType(dtype.Float64, -1, -1), "w")
	a := e.Dot(x, w) // square: 6x6
	aT := e.DimShuffle(a, []int{1, 0})
	row := e.Index(a, 0)
	cases := []struct {
		name string
		outs []*graph.Variable
	}{
		{"a + a.T", []*graph.Variable{e.Sum(e.Add(e.Call("exp", a), aT), nil, false)}},
		{"exp(a) * a[0]", []*graph.Variable{e.Sum(e.Mul(e.Call("exp", a), row), nil, false)}},
		{"a read after the map", []*graph.Variable{e.Sum(e.Dot(e.Call("tanh", a), a), nil, false)}},
		{"a.T read after the map", []*graph.Variable{e.Sum(e.Dot(e.Call("tanh", a), aT), nil, false)}},
		{"a[0] read after the map", []*graph.Variable{e.Sum(e.Call("tanh", a), nil, false), e.Mul(row, e.Const(3, row))}},
		{"a is a result", []*graph.Variable{a, e.Call("tanh", a)}},
		{"a.T is a result", []*graph.Variable{aT, e.Call("tanh", a)}},
		{"broadcast input", []*graph.Variable{e.Call("tanh", e.Add(e.Sum(a, []int{1}, true), a))}},
		{"two maps of a", []*graph.Variable{e.Call("tanh", a), e.Call("exp", a)}},
		{"map of a map", []*graph.Variable{e.Sum(e.Dot(e.Call("exp", e.Dot(e.Call("tanh", a), w)), a), nil, false)}},
	}
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	values := []*tensor.Array{randomArray(rng, dtype.Float64, 6, 6), randomArray(rng, dtype.Float64, 6, 6)}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spec := compile.FunctionSpec{Inputs: []*graph.Variable{x, w}, Outputs: c.outs}
			checkBothWorkspaces(t, b, spec, values, nil)
		})
	}
}

// The MLP training step (float32): its workspace with and without
// in-place intermediates, at batch 20 and 600; the values are the
// evaluator's either way.
func TestCxxMLPWorkspaceInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	for _, batch := range []int{20, 600} {
		b := graph.NewBuilder()
		spec, params := mlpTrainingSpec(t, b)
		shared := map[*graph.Variable]*tensor.Array{}
		for _, p := range params {
			shape := []int{500}
			switch p.Name {
			case "W1":
				shape = []int{784, 500}
			case "W2":
				shape = []int{500, 10}
			case "b2":
				shape = []int{10}
			}
			shared[p] = scaled(randomArray(rng, dtype.Float32, shape...), 0.05)
		}
		targets := make([]float64, batch*10)
		for i := 0; i < batch; i++ {
			targets[i*10+rng.IntN(10)] = 1
		}
		values := []*tensor.Array{randomArray(rng, dtype.Float32, batch, 784), tensor.FromFloat64s(dtype.Float32, []int{batch, 10}, targets)}
		in, sep := checkBothWorkspaces(t, b, spec, values, shared)
		t.Logf("MLP step, batch %d, float32: workspace %d bytes in place, %d bytes separate", batch, in, sep)
		if in > sep {
			t.Errorf("batch %d: in-place intermediates grew the workspace (%d > %d bytes)", batch, in, sep)
		}
	}
}
