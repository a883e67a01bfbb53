package ops_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// varBy is var (or std) with fixed arguments, as a build.
func varBy(f func(*graph.Builder, *graph.Variable, []int, int, bool, bool) (*graph.Variable, error), axes []int, ddof int, keepdims, corrected bool) build {
	return func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
		return f(b, in[0], axes, ddof, keepdims, corrected)
	}
}

// The statistics on m = [[1 5 5] [7 0 2]] worked out by hand: row 0 has
// mean 11/3 and squared deviations 96/9, row 1 mean 3 and 26; all six have
// mean 10/3 and squared deviations 112/3.
func TestStatsValues(t *testing.T) {
	m := f64(dims(2, 3), 1, 5, 5, 7, 0, 2)
	nan := math.NaN()
	bools := func(shape []int, v ...bool) *tensor.Array { return tensor.FromBools(shape, v) }
	cases := []struct {
		name string
		op   build
		x    *tensor.Array
		want *tensor.Array
	}{
		{"var all", varBy(ops.Var, nil, 0, false, false), m, f64(nil, 112.0/3/6)},
		{"var rows", varBy(ops.Var, []int{1}, 0, false, false), m, f64(dims(2), 96.0/9/3, 26.0/3)},
		{"var rows ddof 1", varBy(ops.Var, []int{-1}, 1, true, false), m, f64(dims(2, 1), 96.0/9/2, 13)},
		// Theano divides by Π(nᵢ - ddof) = 1·2 over both axes (numpy: 6 - 1)
		{"var all ddof 1 as Theano", varBy(ops.Var, nil, 1, false, false), m, f64(nil, 112.0/3/2)},
		{"var corrected", varBy(ops.Var, []int{1}, 0, false, true), m, f64(dims(2), 96.0/9/3, 26.0/3)},
		{"var corrected ddof 1", varBy(ops.Var, []int{1}, 1, false, true), m, f64(dims(2), 96.0/9/2, 13)},
		{"var no axes is 0", varBy(ops.Var, []int{}, 0, false, false), m, f64(dims(2, 3), 0, 0, 0, 0, 0, 0)},
		{"var int is float64", varBy(ops.Var, nil, 0, false, false), i64(dims(4), 1, 2, 3, 4), f64(nil, 1.25)},
		{"var float32 stays", varBy(ops.Var, nil, 0, false, false), arr(dtype.Float32, dims(2), 1, 3), arr(dtype.Float32, nil, 1)},
		{"var empty is NaN", varBy(ops.Var, nil, 0, false, false), iota64(0), f64(nil, nan)},
		{"std rows", varBy(ops.Std, []int{1}, 1, false, false), m, f64(dims(2), math.Sqrt(96.0/9/2), math.Sqrt(13))},
		{"std all", varBy(ops.Std, nil, 0, false, false), i64(dims(4), 1, 2, 3, 4), f64(nil, math.Sqrt(1.25))},

		{"ptp rows", reduceBy(ops.Ptp, []int{1}, false), m, f64(dims(2), 4, 7)},
		{"ptp all keepdims", reduceBy(ops.Ptp, nil, true), m, f64(dims(1, 1), 7)},
		{"ptp int8 stays int8", reduceBy(ops.Ptp, nil, false), arr(dtype.Int8, dims(3), -5, 7, 3), arr(dtype.Int8, nil, 12)},
		{"ptp bool", reduceBy(ops.Ptp, []int{0}, false), bools(dims(2, 2), true, true, false, true), bools(dims(2), true, false)},

		{"any rows", reduceBy(ops.Any, []int{1}, false), f64(dims(2, 3), 0, 1, 0, 0, 0, 0), bools(dims(2), true, false)},
		{"all columns", reduceBy(ops.All, []int{0}, false), f64(dims(2, 2), 1, 2, 0, 3), bools(dims(2), false, true)},
		{"any NaN is true", reduceBy(ops.Any, nil, false), f64(dims(2), 0, nan), bools(nil, true)},
		{"all keepdims int", reduceBy(ops.All, []int{-1}, true), i64(dims(2, 2), 1, -2, 0, 3), bools(dims(2, 1), true, false)},
		{"any empty is false", reduceBy(ops.Any, nil, false), iota64(0), bools(nil, false)},
		{"all empty is true", reduceBy(ops.All, nil, false), iota64(0), bools(nil, true)},
		{"all empty rows", reduceBy(ops.All, []int{1}, false), iota64(2, 0), bools(dims(2), true, true)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantArray(t, evalOp(t, c.op, c.x), c.want)
		})
	}
}

func TestStatsErrors(t *testing.T) {
	b := graph.NewBuilder()
	x := typed(b, dtype.Float64, 2, 3)
	_, err := ops.Var(b, x, []int{2}, 0, false, false)
	wantErr(t, err, graph.KindValue, "var", "axis 2 is out of bounds")
	_, err = ops.Std(b, x, []int{0, -2}, 0, false, false)
	wantErr(t, err, graph.KindValue, "std", "duplicate axis 0")
	_, err = ops.Std(b, typed(b, dtype.Bool, 2), nil, 0, false, false)
	wantErr(t, err, graph.KindType, "std", "bool")
	_, err = ops.Ptp(b, x, []int{-3}, false)
	wantErr(t, err, graph.KindValue, "ptp", "out of bounds")
	_, err = ops.Any(b, x, []int{5}, false)
	wantErr(t, err, graph.KindValue, "any", "out of bounds")
	wantErr(t, evalErr(t, reduceBy(ops.Ptp, nil, false), iota64(0)), graph.KindValue, "no identity")
}

func TestStatsPullbacks(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	params := []struct {
		axes      []int
		ddof      int
		keepdims  bool
		corrected bool
	}{
		{nil, 0, false, false},
		{[]int{1}, 1, false, false},
		{[]int{0, 2}, 0, true, true},
		{[]int{-1}, 2, false, true},
	}
	for _, p := range params {
		for _, f := range []func(*graph.Builder, *graph.Variable, []int, int, bool, bool) (*graph.Variable, error){ops.Var, ops.Std} {
			x := opstest.Rand(rng, 2, 3, 4)
			opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return apply(e, varBy(f, p.axes, p.ddof, p.keepdims, p.corrected), in[0])
			}, x)
		}
		x := opstest.Rand(rng, 2, 3, 4) // distinct values: no ties for max and min
		opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return apply(e, reduceBy(ops.Ptp, p.axes, p.keepdims), in[0])
		}, x)
	}
}
