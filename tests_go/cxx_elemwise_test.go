package testsgo

import (
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// TestCxxAddOne is the smallest kernel: x + 1 over a float64 matrix.
func TestCxxAddOne(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	e := ops.NewExpr(b)
	y := e.Add(x, e.Const(1, x))
	rng := rand.New(rand.NewPCG(1, 2))
	for _, shape := range [][]int{{3, 4}, {0, 5}, {1, 1}, {300, 200}} {
		checkCxx(t, b, []*graph.Variable{y}, []*graph.Variable{x}, []*tensor.Array{randomArray(rng, dtype.Float64, shape...)})
	}
}

// TestCxxElemwiseDTypes runs binary and unary rows over every common dtype
// pair with broadcasting (a row, a column, a scalar), size-0 and size-1
// dimensions.
func TestCxxElemwiseDTypes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	dts := []dtype.DType{dtype.Bool, dtype.Int32, dtype.Int64, dtype.Float32, dtype.Float64}
	shapes := [][2][]int{{{4, 5}, {1, 5}}, {{0, 3}, {1, 3}}, {{1, 1}, {1, 1}}, {{3, 1}, {1, 7}}, {{40000, 2}, {1, 2}}}
	rows := []string{"add", "mul", "sub", "maximum", "lt", "true_div", "int_div", "mod", "pow"}
	for i, da := range dts {
		for j, db := range dts {
			sh := shapes[(i+j)%len(shapes)]
			b := graph.NewBuilder()
			x := b.Input(graph.NewType(da, staticOnes(sh[0])...), "x")
			y := b.Input(graph.NewType(db, staticOnes(sh[1])...), "y")
			var outs []*graph.Variable
			for _, row := range rows {
				if z, err := ops.Scalar(b, row, x, y); err == nil { // else the row rejects these dtypes
					outs = append(outs, z)
				}
			}
			xv, yv := randomArray(rng, da, sh[0]...), randomArray(rng, db, sh[1]...)
			if db != dtype.Bool && !db.IsFloat() {
				yv = yv.Astype(dtype.Int64)
				for k, v := range yv.Int64s() { // integer powers need non-negative exponents
					yv.Int64s()[k] = v * v
				}
				yv = tensor.FromInt64s(db, yv.Shape, yv.Int64s())
			}
			checkCxx(t, b, outs, []*graph.Variable{x, y}, []*tensor.Array{xv, yv})
		}
	}
	for _, d := range dts {
		b := graph.NewBuilder()
		x := b.Input(graph.NewType(d, -1, -1), "x")
		var outs []*graph.Variable
		for _, row := range []string{"exp", "tanh", "neg", "abs", "sqr", "sigmoid", "log1p", "invert"} {
			if z, err := ops.Scalar(b, row, x); err == nil {
				outs = append(outs, z)
			}
		}
		checkCxx(t, b, outs, []*graph.Variable{x}, []*tensor.Array{randomArray(rng, d, 3, 4)})
	}
}

// staticOnes is the static shape of a test input: its 1s are
// broadcastable, the rest unknown.
func staticOnes(shape []int) []int {
	out := make([]int, len(shape))
	for i, d := range shape {
		out[i] = graph.Unknown
		if d == 1 {
			out[i] = 1
		}
	}
	return out
}

// TestCxxFusedAndViews checks a fused chain over a transposed (strided)
// input, a slice with a negative step, a scalar-indexed row and casts.
func TestCxxFusedAndViews(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float32, -1, -1), "x")
	y := b.Input(graph.NewType(dtype.Float64, -1, -1), "y")
	e := ops.NewExpr(b)
	xt, err := ops.DimShuffle(b, x, []int{1, 0})
	if err != nil {
		t.Fatal(err)
	}
	z := e.Sub(e.Mul(e.Call("tanh", e.Add(xt, y)), e.Const(2, y)), e.Call("exp", y))
	rev, err := ops.Subtensor(b, y, []ops.IndexItem{{Slice: true, Entries: []ops.IndexEntry{{}, {}, {Kind: ops.EntryConst, Value: -1}}}, ops.IndexAt(-1)})
	if err != nil {
		t.Fatal(err)
	}
	c := e.Cast(e.Mul(rev, e.Const(3, rev)), dtype.Int32)
	flat, err := ops.Flatten(b, xt, 1)
	if err != nil {
		t.Fatal(err)
	}
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	for _, s := range [][2]int{{3, 4}, {0, 2}, {1, 1}, {200, 300}} {
		checkCxx(t, b, []*graph.Variable{z, c, flat, rev, y}, []*graph.Variable{x, y},
			[]*tensor.Array{randomArray(rng, dtype.Float32, s[1], s[0]), randomArray(rng, dtype.Float64, s[0], s[1])})
	}
}

// TestCxxBroadcastError: mismatched lengths are the evaluator's ValueError.
func TestCxxBroadcastError(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	y := b.Input(graph.NewType(dtype.Float64, -1), "y")
	e := ops.NewExpr(b)
	z := e.Call("exp", e.Add(x, y))
	checkCxx(t, b, []*graph.Variable{z}, []*graph.Variable{x, y}, []*tensor.Array{randomArray(rng, dtype.Float64, 3), randomArray(rng, dtype.Float64, 4)})
}
