package testsgo

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"theanogo/codegen/cxx/native"
	"theanogo/core/compile"
	"theanogo/core/control"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// ifelse on the C++ backend: each branch is a region function, and only
// the taken one runs (its shapes, checks and nodes), compared with the
// evaluator on both branches.

func ifelse1(t *testing.T, b *graph.Builder, c, then, els *graph.Variable) *graph.Variable {
	t.Helper()
	outs, err := control.IfElse(b, c, []*graph.Variable{then}, []*graph.Variable{els})
	if err != nil {
		t.Fatal(err)
	}
	outs[0].Owner.Source = "model.py:7"
	return outs[0]
}

func i8(v int64) *tensor.Array { return tensor.FromInt64s(dtype.Int8, nil, []int64{v}) }

func TestCxxIfElseLazy(t *testing.T) {
	b := graph.NewBuilder()
	c := b.Input(graph.NewType(dtype.Int8), "c")
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	idx := b.Input(graph.NewType(dtype.Int64, -1), "idx")
	y := b.Input(graph.NewType(dtype.Float64, -1), "y")
	e := ops.NewExpr(b)
	// then: an out-of-range index raises; else: a broadcast of x and y
	// of different lengths raises
	out := ifelse1(t, b, c, e.Mul(e.AdvancedSubtensor(x, idx), e.Const(2, x)), e.Add(e.Exp(y), x))
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	in := []*graph.Variable{c, x, idx, y}
	bad := tensor.FromInt64s(dtype.Int64, []int{1}, []int64{9})
	good := tensor.FromInt64s(dtype.Int64, []int{3}, []int64{1, 0, 1})
	rng := rand.New(rand.NewPCG(1, 2))
	x2, y2, y3 := randomArray(rng, dtype.Float64, 2), randomArray(rng, dtype.Float64, 2), randomArray(rng, dtype.Float64, 3)
	// the untaken branch would raise: it must not run
	k := checkCxx(t, b, []*graph.Variable{out}, in, []*tensor.Array{i8(0), x2, bad, y2})
	checkCxx(t, b, []*graph.Variable{out}, in, []*tensor.Array{i8(1), x2, good, y3})
	// the taken branch raises as the evaluator does
	for _, args := range [][]*tensor.Array{{i8(1), x2, bad, y2}, {i8(0), x2, good, y3}} {
		checkCxx(t, b, []*graph.Variable{out}, in, args)
		if _, err := callNative(k, args, []dtype.DType{dtype.Float64}, native.CallOptions{FailAlloc: -1}); err == nil {
			t.Errorf("the taken branch should fail")
		}
	}
	src := k.Kernel.Source
	for _, want := range []string{
		"// region tg_region_1: then branch of ifelse{n=1 lazy}",
		"// region tg_region_2: else branch of ifelse{n=1 lazy}",
		"static int tg_region_1(tg_args *args, tg_state *st) {",
		"only the taken branch's region runs (tg_region_1 or tg_region_2)",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("the source lacks %q:\n%s", want, src)
		}
	}
	// the branch's checks are in its region, not in tg_run
	run := src[strings.Index(src, "static int tg_run"):]
	if strings.Contains(run, "input dimension mismatch") || strings.Contains(run, "advanced_subtensor") {
		t.Errorf("tg_run holds a branch's work:\n%s", run)
	}
}

func TestCxxIfElseSharedComputedCondShapes(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	n := b.Input(graph.NewType(dtype.Int64), "n")
	e := ops.NewExpr(b)
	common := e.Exp(x) // read by both branches: computed outside
	cond := e.Call("gt", e.Sum(x, nil, false), e.Const(0, x))
	// then: a vector of length len(x); else: of length n (arange)
	then := e.Mul(common, e.Const(3, x))
	els := e.Add(e.Cast(e.ARange(e.B.Constant(tensor.Scalar(dtype.Int64, 0)), n, e.B.Constant(tensor.Scalar(dtype.Int64, 1)), dtype.Int64), dtype.Float64), e.Sum(common, nil, false))
	out := ifelse1(t, b, cond, then, els)
	// a consumer of the ifelse's value: its shape is known only after the branch ran
	down := e.Sum(e.Mul(out, out), nil, false)
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	in := []*graph.Variable{x, n}
	for _, xs := range [][]float64{{1, 2, 3}, {-1, -2, -3, 0.5}} {
		xv := tensor.FromFloat64s(dtype.Float64, []int{len(xs)}, xs)
		for _, nv := range []int64{5, 0} {
			k := checkCxx(t, b, []*graph.Variable{out, down, common}, in, []*tensor.Array{xv, tensor.FromInt64s(dtype.Int64, nil, []int64{nv})})
			if !strings.Contains(k.Kernel.Source, "the nodes after a value-dependent shape") {
				t.Errorf("no continuation region for the ifelse's consumer")
			}
		}
	}
}

func TestCxxIfElseMultipleOutputsNestedUpdates(t *testing.T) {
	b := graph.NewBuilder()
	c := b.Input(graph.NewType(dtype.Float64), "c")
	d := b.Input(graph.NewType(dtype.Bool), "d")
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	w := b.Shared(graph.NewType(dtype.Float64, -1, -1), "w")
	e := ops.NewExpr(b)
	inner := ifelse1(t, b, d, e.Exp(x), e.Neg(x)) // nested in the then branch
	outs, err := control.IfElse(b, c, []*graph.Variable{e.Add(inner, w), e.Sum(x, []int{0}, false)},
		[]*graph.Variable{e.DimShuffle(x, []int{1, 0}), e.Sum(w, []int{1}, false)})
	if err != nil || e.Err != nil {
		t.Fatal(err, e.Err)
	}
	spec := compile.FunctionSpec{Inputs: []*graph.Variable{c, d, x}, Outputs: []*graph.Variable{outs[1], outs[0]},
		Updates: [][2]*graph.Variable{{w, e.Mul(outs[0], e.Const(0.5, x))}}}
	rng := rand.New(rand.NewPCG(3, 4))
	xv, wv := randomArray(rng, dtype.Float64, 3, 3), randomArray(rng, dtype.Float64, 3, 3)
	for _, cv := range []float64{0, 1, -0.5} {
		for _, dv := range []bool{false, true} {
			dA := tensor.FromBools(nil, []bool{dv})
			checkCxxSpec(t, b, spec, []*tensor.Array{tensor.Scalar(dtype.Float64, cv), dA, xv}, map[*graph.Variable]*tensor.Array{w: wv})
		}
	}
	k := checkCxxSpec(t, b, spec, []*tensor.Array{tensor.Scalar(dtype.Float64, 1), tensor.FromBools(nil, []bool{true}), xv}, map[*graph.Variable]*tensor.Array{w: wv})
	if n := len(regexp.MustCompile(`static int tg_region_\d+`).FindAllString(k.Kernel.Source, -1)); n < 5 {
		t.Errorf("expected the two branches, the nested ones and a continuation as regions, got %d region functions", n)
	}
}

// A length that needs a value computed from a variable of unknown static
// shape (arange(n) with n = x[idx].sum()) used to send the whole function
// to the evaluator ("shape expression advanced_subtensor has no static
// shape"); the nodes from arange on are now a continuation region whose
// shape phase runs once n exists.
func TestCxxValueDependentShapeCompiles(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	idx := b.Input(graph.NewType(dtype.Int64, -1), "idx")
	e := ops.NewExpr(b)
	n := e.Cast(e.Sum(e.AdvancedSubtensor(x, idx), nil, false), dtype.Int64)
	zero, one := b.Constant(tensor.Scalar(dtype.Int64, 0)), b.Constant(tensor.Scalar(dtype.Int64, 1))
	r := e.Mul(e.Cast(e.ARange(zero, n, one, dtype.Int64), dtype.Float64), e.Const(1.5, x))
	outs := []*graph.Variable{r, e.Sum(r, nil, false), e.Exp(x)}
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	for _, xs := range [][]float64{{1, 2, 3}, {0.5, 4}} {
		xv := tensor.FromFloat64s(dtype.Float64, []int{len(xs)}, xs)
		k := checkCxx(t, b, outs, []*graph.Variable{x, idx}, []*tensor.Array{xv, tensor.FromInt64s(dtype.Int64, []int{2}, []int64{1, 1})})
		if len(k.Kernel.Fallback) != 0 || !strings.Contains(k.Kernel.Source, "the nodes after a value-dependent shape") {
			t.Errorf("expected a continuation region and no evaluator node:\n%s", k.Kernel.Source)
		}
	}
}
