package compile_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/rewrite"
	"theanogo/core/tensor"
)

// wrongExp is a deliberately wrong rule: exp(x) -> x.
var wrongExp = &rewrite.Rule{
	Name: "test_wrong_exp", Tags: []string{"specialize"}, Roots: []string{"exp"},
	Rewrite: func(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
		return []*graph.Variable{n.Inputs[0]}, nil
	},
}

// tanhSigmoid is a correct rule, in a form no real rule produces or
// undoes: tanh(x) -> 2*sigmoid(2x) - 1.
var tanhSigmoid = &rewrite.Rule{
	Name: "test_tanh_sigmoid", Tags: []string{"specialize"}, Roots: []string{"tanh"},
	Rewrite: func(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
		e := ops.NewExpr(b)
		x := n.Inputs[0]
		two := e.Const(2, x)
		out := e.Sub(e.Mul(two, e.Call("sigmoid", e.Mul(two, x))), e.Const(1, x))
		return []*graph.Variable{out}, e.Err
	},
}

// panics is a broken rule: DebugMode (strict) refuses to compile with it.
var panics = &rewrite.Rule{
	Name: "test_panics", Tags: []string{"stabilize"}, Roots: []string{"exp"},
	Rewrite: func(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
		panic("index out of range")
	},
}

// expGraph builds y = exp(x) * 2 + tanh(x), with exp's source line set
// as the Python API sets it.
func expGraph(t *testing.T) (*graph.Builder, *graph.Variable, *graph.Variable) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	e := ops.NewExpr(b)
	ex := e.Exp(x)
	ex.Owner.Source = "model.py:7"
	y := e.Add(e.Mul(ex, e.ConstOf(2, dtype.Float64)), e.Call("tanh", x))
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	return b, x, y
}

// DebugMode catches a rewrite that changes values, naming the rule, the op
// and the user's line; FAST_RUN runs the same wrong rule silently.
func TestDebugModeCatchesWrongRewrite(t *testing.T) {
	defer compile.SetTestRules(wrongExp, tanhSigmoid)()
	b, x, y := expGraph(t)
	fast, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{y}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := fast.Call(nil, vec(0, 1))
	if err != nil {
		t.Fatalf("FAST_RUN with the wrong rule: %v", err)
	}
	if v := got[0].Float64s(); math.Abs(v[1]-2-math.Tanh(1)) > 1e-12 { // 2*1 + tanh(1), not 2e + tanh(1)
		t.Fatalf("FAST_RUN did not run the wrong rule: %v", v)
	}
	debug, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{y}, Mode: "DebugMode"})
	if err != nil {
		t.Fatal(err)
	}
	if debug.RewriteHits["test_wrong_exp"] != 1 || debug.RewriteHits["test_tanh_sigmoid"] != 1 {
		t.Errorf("hits %v", debug.RewriteHits)
	}
	_, err = debug.Call(nil, vec(0, 1))
	var ge *graph.Error
	if !errors.As(err, &ge) || ge.Kind != graph.KindValue {
		t.Fatalf("DebugMode with the wrong rule: %v, want a ValueError", err)
	}
	t.Log(err)
	for _, want := range []string{"test_wrong_exp", "exp", "model.py:7", "index [0]", "the original computes 1 and the replacement 0"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// Correct rewrites and passes (merge, constant folding, the rule passes)
// pass DebugMode's checks, and the results are the optimized graph's.
func TestDebugModePassesCorrectGraphs(t *testing.T) {
	defer compile.SetTestRules(tanhSigmoid)()
	b, x, y := expGraph(t)
	e := ops.NewExpr(b)
	w := b.Shared(graph.NewType(dtype.Float64, -1), "w")
	k := e.Exp(e.Mul(e.Log(e.ConstOf(2, dtype.Float64)), e.ConstOf(3, dtype.Float64))) // folded to 8
	z := e.Add(e.Mul(e.Exp(x), k), e.Sum(e.Mul(w, e.Exp(x)), nil, false))
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	f, err := compile.Compile(b, compile.FunctionSpec{
		Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{y, z},
		Updates: [][2]*graph.Variable{{w, e.Call("tanh", e.Add(w, x))}},
		Mode:    "DebugMode",
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.RewriteHits["test_tanh_sigmoid"] == 0 {
		t.Errorf("the rule did not run: %v", f.RewriteHits)
	}
	store := map[*graph.Variable]*tensor.Array{w: vec(1, 1)}
	got, err := f.Call(store, vec(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	want := 8*math.E + 1 + math.E // sum(w*exp(x)) = 1 + e
	if v := got[1].Float64s(); math.Abs(v[1]-want) > 1e-12 {
		t.Errorf("z = %v, want %v at index 1", v, want)
	}
	if v := store[w].Float64s(); math.Abs(v[0]-math.Tanh(1)) > 1e-12 || math.Abs(v[1]-math.Tanh(2)) > 1e-12 {
		t.Errorf("w after the call %v, want tanh([1 2])", v)
	}
}

// A rule that fails is an error of DebugMode's compile (Strict), and a
// skipped rule with a warning in FAST_RUN.
func TestDebugModeFailingRuleRaises(t *testing.T) {
	defer compile.SetTestRules(panics)()
	b, x, y := expGraph(t)
	if _, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{y}, Mode: "DebugMode"}); err == nil || !strings.Contains(err.Error(), "test_panics") {
		t.Errorf("DebugMode compile with a panicking rule: %v", err)
	}
	f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{y}})
	if err != nil || len(f.Warnings) == 0 {
		t.Errorf("FAST_RUN: %v, warnings %v", err, f.Warnings)
	}
}

func TestCompareValues(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	f32 := func(v ...float64) *tensor.Array { return tensor.FromFloat64s(dtype.Float32, []int{len(v)}, v) }
	i64 := func(v ...int64) *tensor.Array { return tensor.FromInt64s(dtype.Int64, []int{len(v)}, v) }
	for _, c := range []struct {
		name      string
		want, got *tensor.Array
		equal     bool
	}{
		{"NaN equals NaN", vec(1, nan), vec(1, nan), true},
		{"NaN is not a number", vec(nan), vec(0), true}, // a stabilized NaN
		{"a number is not NaN", vec(0), vec(nan), false},
		{"infinities by sign", vec(inf), vec(-inf), false},
		{"float64 tolerance", vec(1), vec(1 + 1e-9), true},
		{"float64 difference", vec(1), vec(1 + 1e-4), false},
		{"float32 tolerance", f32(1000), f32(1000.05), true},
		{"float32 difference", f32(1), f32(1.001), false},
		{"ints are exact", i64(1, 1<<40), i64(1, 1<<40+1), false},
		{"ints equal", i64(3), i64(3), true},
		{"shapes", vec(1, 2), vec(1), false},
		{"dtypes", vec(1), f32(1), false},
	} {
		if got := compile.CompareValues(c.want, c.got); (got == "") != c.equal {
			t.Errorf("%s: %q", c.name, got)
		}
	}
}

// The MLP training step (float32, gradients, updates) passes DebugMode.
func TestDebugModeMLPStep(t *testing.T) {
	b := graph.NewBuilder()
	spec := mlpTrainingSpec(t, b)
	spec.Mode = "DebugMode"
	f, err := compile.Compile(b, spec)
	if err != nil {
		t.Fatal(err)
	}
	arg := func(shape ...int) *tensor.Array {
		v := make([]float64, tensor.Size(shape))
		for i := range v {
			v[i] = math.Sin(float64(3*i+len(shape))) / 4
		}
		return tensor.FromFloat64s(dtype.Float32, shape, v)
	}
	args := []*tensor.Array{arg(4, 8), arg(4, 3)}
	for _, shape := range [][]int{{8, 5}, {5}, {5, 3}, {3}} {
		args = append(args, arg(shape...))
	}
	if _, err := f.Run(args); err != nil {
		t.Fatal(err)
	}
}
