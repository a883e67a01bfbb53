package compile_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// reduceMap is the elementwise map a reduction folds: an expression of
// two or more elementwise nodes (so that fusion makes it a composite) over
// inputs of the given static types and evaluated shapes.
type reduceMap struct {
	name   string
	types  []graph.Type
	shapes [][]int
	build  func(e *ops.Expr, x []*graph.Variable) *graph.Variable
	nan    bool // some elements of the first input are NaN (whole rows, and scattered)
}

// The shapes have sizes the blocks of 1024 do not divide.
var reduceMaps = []reduceMap{
	{"float64", []graph.Type{matrix(dtype.Float64), matrix(dtype.Float64)}, [][]int{{7, 1500}, {7, 1500}}, expTimes, false},
	{"float64 NaN", []graph.Type{matrix(dtype.Float64), matrix(dtype.Float64)}, [][]int{{7, 1500}, {7, 1500}}, expTimes, true},
	{"float32", []graph.Type{matrix(dtype.Float32), matrix(dtype.Float32)}, [][]int{{7, 1500}, {7, 1500}}, expTimes, false},
	{"float32 NaN", []graph.Type{matrix(dtype.Float32), matrix(dtype.Float32)}, [][]int{{7, 1500}, {7, 1500}}, expTimes, true},
	{"int8 wrapping", []graph.Type{matrix(dtype.Int8), matrix(dtype.Int8)}, [][]int{{7, 1500}, {7, 1500}},
		func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
			return e.Add(e.Mul(x[0], x[1]), e.Const(3, x[0]))
		}, false},
	{"bool", []graph.Type{matrix(dtype.Bool), matrix(dtype.Bool)}, [][]int{{7, 1500}, {7, 1500}},
		func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
			return e.Call("and", e.Call("invert", x[0]), x[1])
		}, false},
	{"row broadcast over a matrix", []graph.Type{graph.NewType(dtype.Float64, 1, -1), matrix(dtype.Float64)}, [][]int{{1, 1500}, {7, 1500}},
		func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
			return e.Add(e.Call("exp", e.Mul(x[0], x[1])), x[1])
		}, false},
	{"tensor3", []graph.Type{graph.NewType(dtype.Float64, -1, -1, -1), graph.NewType(dtype.Float64, -1, -1, -1)}, [][]int{{3, 4, 501}, {3, 4, 501}}, expTimes, false},
}

func expTimes(e *ops.Expr, x []*graph.Variable) *graph.Variable {
	return e.Mul(e.Call("exp", x[0]), x[1])
}

// reduceAxes are the axes each case reduces over (nil: all), by rank.
var reduceAxes = map[int][][]int{
	2: {nil, {}, {0}, {1}, {0, 1}},
	3: {nil, {1}, {0, 2}, {-1}},
}

// valueOfShape is a random array of dtype dt (floats in [-2, 2) with some
// zeros, integers in [-100, 100), bools), with NaNs when nan.
func valueOfShape(rng *rand.Rand, dt dtype.DType, shape []int, nan bool) *tensor.Array {
	a := randomValue(rng, graph.NewType(dt, shape...))
	if dt == dtype.Bool {
		v := make([]int64, tensor.Size(shape))
		for i := range v {
			v[i] = rng.Int64N(2)
		}
		return tensor.FromInt64s(dt, shape, v)
	}
	if nan {
		v := a.Float64s()
		row := shape[len(shape)-1]
		for i := range v {
			if i/row == 2 || i%97 == 5 { // row 2 all NaN, and a NaN in every row
				v[i] = math.NaN()
			}
		}
		return tensor.FromFloat64s(dt, shape, v)
	}
	return a
}

// Every reduction of every map, over each set of axes, with and without
// keepdims, is one FusedReduceOp node with FAST_RUN and computes what
// FAST_COMPILE (a composite-free Reduce of the map) computes; its shape
// rule agrees with the evaluated shapes.
func TestFusedReductionCases(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, m := range reduceMaps {
		for _, kind := range []string{"sum", "prod", "max", "min", "mean"} {
			for _, axes := range reduceAxes[m.types[0].Ndim()] {
				for _, keepdims := range []bool{false, true} {
					t.Run(fmt.Sprintf("%s/%s%v/keepdims=%v", m.name, kind, axes, keepdims), func(t *testing.T) {
						checkFusedReduction(t, rng, m, kind, axes, keepdims)
					})
				}
			}
		}
	}
}

func checkFusedReduction(t *testing.T, rng *rand.Rand, m reduceMap, kind string, axes []int, keepdims bool) {
	b := graph.NewBuilder()
	inputs := make([]*graph.Variable, len(m.types))
	for i, ty := range m.types {
		inputs[i] = b.Input(ty, string(rune('x'+i)))
	}
	e := ops.NewExpr(b)
	reduce := map[string]func(*graph.Builder, *graph.Variable, []int, bool) (*graph.Variable, error){
		"sum": ops.Sum, "prod": ops.Prod, "max": ops.Max, "min": ops.Min, "mean": ops.Mean}[kind]
	out, err := reduce(b, m.build(e, inputs), axes, keepdims)
	if e.Err != nil || err != nil {
		t.Fatal(e.Err, err)
	}
	fast := compileMode(t, b, "FAST_RUN", inputs, []*graph.Variable{out})
	slow := compileMode(t, b, "FAST_COMPILE", inputs, []*graph.Variable{out})
	nodes := fast.Graph.Toposort()
	if _, fused := nodes[len(nodes)-1].Op.(ops.FusedReduceOp); len(nodes) != 1 || !fused {
		t.Errorf("FAST_RUN graph is not one composite_reduce:\n%s", fast.Graph)
	}
	args := make([]*tensor.Array, len(inputs))
	values := map[*graph.Variable]*tensor.Array{}
	for i, ty := range m.types {
		args[i] = valueOfShape(rng, ty.DType, m.shapes[i], m.nan && i == 0)
		values[inputs[i]] = args[i]
	}
	got, err := fast.Run(args)
	if err != nil {
		t.Fatal(err)
	}
	want, err := slow.Run(args)
	if err != nil {
		t.Fatal(err)
	}
	sameValues(t, kind, got[0], want[0])
	opstest.CheckInferShape(t, fast.Graph.Outputs(), values)
}

// The fused reduction prints as the reduction of the map's expression.
func TestFusedReductionPrints(t *testing.T) {
	b := graph.NewBuilder()
	x, y := b.Input(matrix(dtype.Float64), "x"), b.Input(matrix(dtype.Float64), "y")
	e := ops.NewExpr(b)
	out := e.Sum(expTimes(e, []*graph.Variable{x, y}), []int{1}, false)
	keep := e.Sum(e.Add(e.Call("cos", x), y), []int{0, 1}, true)
	f := compileMode(t, b, "FAST_RUN", []*graph.Variable{x, y}, []*graph.Variable{out, keep})
	s := f.Graph.String()
	for _, want := range []string{"composite_reduce{sum{axis=[1]}(exp(i0) * i1)}", "composite_reduce{sum{axis=[0 1] keepdims=true}(cos(i0) + i1)}"} {
		if !strings.Contains(s, want) {
			t.Errorf("debugprint does not show %s:\n%s", want, s)
		}
	}
}

// A map another node reads, or that is a result, is computed once as a
// composite: the reductions read it rather than each computing it again.
func TestFusedReductionNeedsTheOnlyConsumer(t *testing.T) {
	cases := map[string]func(e *ops.Expr, m *graph.Variable) []*graph.Variable{
		"two reductions": func(e *ops.Expr, m *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Sum(m, []int{1}, false), e.Apply(ops.Reduce{Kind: ops.Reductions()[0], Axes: graph.NewAxisSet(0)}, m)}
		},
		"map is a result": func(e *ops.Expr, m *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Sum(m, nil, false), m}
		},
		"map read elementwise too": func(e *ops.Expr, m *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Sum(m, nil, false), e.Call("sin", e.Call("cos", m))}
		},
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			b := graph.NewBuilder()
			x, y := b.Input(matrix(dtype.Float64), "x"), b.Input(matrix(dtype.Float64), "y")
			e := ops.NewExpr(b)
			outs := build(e, expTimes(e, []*graph.Variable{x, y}))
			if e.Err != nil {
				t.Fatal(e.Err)
			}
			f := compileMode(t, b, "FAST_RUN", []*graph.Variable{x, y}, outs)
			for _, n := range f.Graph.Toposort() {
				if _, fused := n.Op.(ops.FusedReduceOp); fused {
					t.Errorf("the map was folded into a reduction:\n%s", f.Graph)
				}
			}
			rng := rand.New(rand.NewPCG(5, 6))
			args := []*tensor.Array{valueOfShape(rng, dtype.Float64, []int{3, 40}, false), valueOfShape(rng, dtype.Float64, []int{3, 40}, false)}
			got, err := f.Run(args)
			if err != nil {
				t.Fatal(err)
			}
			want, err := compileMode(t, b, "FAST_COMPILE", []*graph.Variable{x, y}, outs).Run(args)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				sameValues(t, name, got[i], want[i])
			}
		})
	}
}

// Over an empty dimension, sum and mean fold nothing (0 and NaN) and max
// and min raise, as Reduce does.
func TestFusedReductionOfEmptyDimensions(t *testing.T) {
	for _, kind := range []string{"sum", "mean", "max", "min"} {
		b := graph.NewBuilder()
		x, y := b.Input(matrix(dtype.Float64), "x"), b.Input(matrix(dtype.Float64), "y")
		e := ops.NewExpr(b)
		reduce := map[string]func(*graph.Builder, *graph.Variable, []int, bool) (*graph.Variable, error){
			"sum": ops.Sum, "mean": ops.Mean, "max": ops.Max, "min": ops.Min}[kind]
		out, err := reduce(b, expTimes(e, []*graph.Variable{x, y}), []int{0}, false)
		if err != nil || e.Err != nil {
			t.Fatal(err, e.Err)
		}
		ins := []*graph.Variable{x, y}
		args := []*tensor.Array{tensor.New(dtype.Float64, []int{0, 4}), tensor.New(dtype.Float64, []int{0, 4})}
		got, errFast := compileMode(t, b, "FAST_RUN", ins, []*graph.Variable{out}).Run(args)
		want, errSlow := compileMode(t, b, "FAST_COMPILE", ins, []*graph.Variable{out}).Run(args)
		if (errFast == nil) != (errSlow == nil) || (kind == "max" || kind == "min") != (errFast != nil) {
			t.Fatalf("%s: fused error %v, unfused %v", kind, errFast, errSlow)
		}
		if errFast == nil {
			sameValues(t, kind, got[0], want[0])
		} else if errFast.Error() != errSlow.Error() {
			t.Errorf("%s: fused error %q, unfused %q", kind, errFast, errSlow)
		}
	}
}

// DebugMode's checks (types between passes, each rewrite's values) accept
// the fused reduction.
func TestFusedReductionInDebugMode(t *testing.T) {
	b := graph.NewBuilder()
	x, y := b.Input(matrix(dtype.Float32), "x"), b.Input(matrix(dtype.Float32), "y")
	e := ops.NewExpr(b)
	out := e.Sum(expTimes(e, []*graph.Variable{x, y}), []int{1}, false)
	f := compileMode(t, b, "DebugMode", []*graph.Variable{x, y}, []*graph.Variable{out})
	rng := rand.New(rand.NewPCG(7, 8))
	args := []*tensor.Array{valueOfShape(rng, dtype.Float32, []int{4, 3000}, true), valueOfShape(rng, dtype.Float32, []int{4, 3000}, false)}
	if _, err := f.Run(args); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.Graph.String(), "composite_reduce") {
		t.Errorf("DebugMode graph has no composite_reduce:\n%s", f.Graph)
	}
}

// A reduction of a single elementwise op folds it too: sum(exp(x)) never
// holds exp(x), and computes what the unfused graph computes.
func TestFusedReductionOfOneOp(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(matrix(dtype.Float32), "x")
	e := ops.NewExpr(b)
	out := e.Sum(e.Exp(x), []int{1}, false)
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	fast := compileMode(t, b, "FAST_RUN", []*graph.Variable{x}, []*graph.Variable{out})
	nodes := fast.Graph.Toposort()
	if len(nodes) != 1 || !strings.HasPrefix(graph.OpString(nodes[0].Op), "composite_reduce{sum{axis=[1]}(exp(i0))}") {
		t.Fatalf("sum(exp(x)) compiled to:\n%s", fast.Graph)
	}
	slow := compileMode(t, b, "FAST_COMPILE", []*graph.Variable{x}, []*graph.Variable{out})
	v := tensor.FromFloat64s(dtype.Float32, []int{3, 5}, []float64{0, 1, 2, 3, 4, -1, -2, -3, -4, -5, 0.5, 1.5, 2.5, 3.5, 4.5})
	got, err := fast.Call(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	want, err := slow.Call(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].String() != want[0].String() {
		t.Errorf("fused %v, unfused %v", got[0], want[0])
	}
}
