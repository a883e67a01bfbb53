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

// The reductions on m = [[1 5 5] [7 0 2]], worked out by hand.
func TestReduceValues(t *testing.T) {
	m := f64(dims(2, 3), 1, 5, 5, 7, 0, 2)
	nan := math.NaN()
	cases := []struct {
		name string
		op   build
		x    *tensor.Array
		want *tensor.Array
	}{
		{"sum all", reduceBy(ops.Sum, nil, false), m, f64(nil, 20)},
		{"sum rows", reduceBy(ops.Sum, []int{1}, false), m, f64(dims(2), 11, 9)},
		{"sum columns", reduceBy(ops.Sum, []int{0}, false), m, f64(dims(3), 8, 5, 7)},
		{"sum negative axis", reduceBy(ops.Sum, []int{-1}, false), m, f64(dims(2), 11, 9)},
		{"sum keepdims", reduceBy(ops.Sum, []int{0}, true), m, f64(dims(1, 3), 8, 5, 7)},
		{"sum all keepdims", reduceBy(ops.Sum, nil, true), m, f64(dims(1, 1), 20)},
		{"sum no axes", reduceBy(ops.Sum, []int{}, false), m, m},
		{"prod rows", reduceBy(ops.Prod, []int{1}, false), m, f64(dims(2), 25, 0)},
		{"max rows", reduceBy(ops.Max, []int{1}, false), m, f64(dims(2), 5, 7)},
		{"min columns", reduceBy(ops.Min, []int{0}, false), m, f64(dims(3), 1, 0, 2)},
		{"mean rows", reduceBy(ops.Mean, []int{1}, false), m, f64(dims(2), 11.0/3, 3)},
		{"mean all", reduceBy(ops.Mean, nil, false), m, f64(nil, 20.0/6)},
		{"max with NaN", reduceBy(ops.Max, nil, false), f64(dims(3), 1, nan, 3), f64(nil, nan)},
		{"min with NaN", reduceBy(ops.Min, nil, false), f64(dims(3), 1, nan, -3), f64(nil, nan)},
		{"sum tensor3 axes 0,2", reduceBy(ops.Sum, []int{0, 2}, false), iota64(2, 2, 2), f64(dims(2), 0+1+4+5, 2+3+6+7)},

		// dtypes, as numpy
		{"sum int8 is int64", reduceBy(ops.Sum, nil, false), arr(dtype.Int8, dims(3), 100, 100, 100), i64(nil, 300)},
		{"sum bool is int64", reduceBy(ops.Sum, nil, false), tensor.FromBools(dims(3), []bool{true, true, false}), i64(nil, 2)},
		{"sum uint8 is uint64", reduceBy(ops.Sum, nil, false), arr(dtype.Uint8, dims(2), 200, 200), arr(dtype.Uint64, nil, 400)},
		{"prod int16 is int64", reduceBy(ops.Prod, nil, false), arr(dtype.Int16, dims(3), 100, 100, -100), i64(nil, -1000000)},
		{"sum float32 stays", reduceBy(ops.Sum, nil, false), arr(dtype.Float32, dims(2), 0.5, 0.25), arr(dtype.Float32, nil, 0.75)},
		{"mean int is float64", reduceBy(ops.Mean, nil, false), i64(dims(2), 1, 2), f64(nil, 1.5)},
		{"max int8 stays int8", reduceBy(ops.Max, nil, false), arr(dtype.Int8, dims(3), -5, 7, 3), arr(dtype.Int8, nil, 7)},
		{"min int64", reduceBy(ops.Min, []int{1}, false), i64(dims(2, 2), 3, -4, 9, 8), i64(dims(2), -4, 8)},
		{"min int8", reduceBy(ops.Min, nil, false), arr(dtype.Int8, dims(3), 5, 7, 3), arr(dtype.Int8, nil, 3)},
		{"max int64 negative", reduceBy(ops.Max, nil, false), i64(dims(2), -7, -3), i64(nil, -3)},
		{"max bool", reduceBy(ops.Max, nil, false), tensor.FromBools(dims(2), []bool{false, true}), tensor.FromBools(nil, []bool{true})},
		{"sum complex", reduceBy(ops.Sum, nil, false), tensor.FromComplex128s(dtype.Complex64, dims(2), []complex128{1i, 2}), tensor.FromComplex128s(dtype.Complex64, nil, []complex128{2 + 1i})},
		{"mean complex", reduceBy(ops.Mean, nil, false), tensor.FromComplex128s(dtype.Complex128, dims(2), []complex128{1i, 2}), tensor.FromComplex128s(dtype.Complex128, nil, []complex128{1 + 0.5i})},

		// empty arrays
		{"sum empty", reduceBy(ops.Sum, nil, false), iota64(0), f64(nil, 0)},
		{"prod empty", reduceBy(ops.Prod, nil, false), iota64(0), f64(nil, 1)},
		{"mean empty is NaN", reduceBy(ops.Mean, nil, false), iota64(0), f64(nil, nan)},
		{"sum empty rows", reduceBy(ops.Sum, []int{1}, false), iota64(2, 0), f64(dims(2), 0, 0)},
		{"max over nonempty axis of empty", reduceBy(ops.Max, []int{1}, false), iota64(0, 3), iota64(0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantArray(t, evalOp(t, c.op, c.x), c.want)
		})
	}
}

func TestReduceErrors(t *testing.T) {
	b := graph.NewBuilder()
	x := typed(b, dtype.Float64, 2, 3)
	_, err := ops.Sum(b, x, []int{2}, false)
	wantErr(t, err, graph.KindValue, "sum", "axis 2 is out of bounds")
	_, err = ops.Sum(b, x, []int{0, -2}, false)
	wantErr(t, err, graph.KindValue, "sum", "duplicate axis 0")
	_, err = ops.Max(b, typed(b, dtype.Complex64, 2), nil, false)
	wantErr(t, err, graph.KindType, "max", "complex")
	_, err = ops.Max(b, typed(b, dtype.Float64, 0, 3), nil, false)
	wantErr(t, err, graph.KindValue, "max", "zero-size")
	wantErr(t, evalErr(t, reduceBy(ops.Min, nil, false), iota64(0)), graph.KindValue, "min", "no identity")
	wantErr(t, evalErr(t, reduceBy(ops.Max, []int{0}, false), iota64(0, 3)), graph.KindValue, "max", "no identity")

	v, err := ops.Sum(b, typed(b, dtype.Int8, graph.Unknown, 3), []int{-1}, true)
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, dtype.Int64, graph.Unknown, 1)
}

func TestReducePullbacks(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	params := []struct {
		axes     []int
		keepdims bool
	}{
		{nil, false},
		{[]int{1}, false},
		{[]int{0, 2}, false},
		{[]int{-1}, true},
	}
	reductions := []struct {
		name string
		f    reduction
	}{{"sum", ops.Sum}, {"prod", ops.Prod}, {"max", ops.Max}, {"min", ops.Min}, {"mean", ops.Mean}}
	for _, r := range reductions {
		for _, p := range params {
			x := opstest.Rand(rng, 2, 3, 2) // distinct values: no ties for max and min
			if r.name == "prod" {
				x = shift(x, 2) // away from zero
			}
			opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return apply(e, reduceBy(r.f, p.axes, p.keepdims), in[0])
			}, x)
		}
	}
}
