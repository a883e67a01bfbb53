package ops_test

import (
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// cumBy applies cumsum or cumprod along axis (nil: flattened).
func cumBy(f func(*graph.Builder, *graph.Variable, *int) (*graph.Variable, error), axis ...int) build {
	return func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
		if len(axis) == 0 {
			return f(b, in[0], nil)
		}
		return f(b, in[0], &axis[0])
	}
}

// cumsum and cumprod follow numpy: values, dtypes (small integers and
// bools accumulate in int64, unsigned in uint64), axis=None flattening,
// negative axes, empty axes, and wrapping int64 arithmetic.
func TestCumSumProd(t *testing.T) {
	m := f64(dims(2, 3), 1, 2, 3, 4, 5, 6)
	cases := []struct {
		name string
		op   build
		x    *tensor.Array
		want *tensor.Array
	}{
		{"cumsum rows", cumBy(ops.CumSum, 1), m, f64(dims(2, 3), 1, 3, 6, 4, 9, 15)},
		{"cumsum columns", cumBy(ops.CumSum, 0), m, f64(dims(2, 3), 1, 2, 3, 5, 7, 9)},
		{"negative axis", cumBy(ops.CumSum, -1), m, f64(dims(2, 3), 1, 3, 6, 4, 9, 15)},
		{"axis=None flattens", cumBy(ops.CumSum), m, f64(dims(6), 1, 3, 6, 10, 15, 21)},
		{"cumprod rows", cumBy(ops.CumProd, 1), m, f64(dims(2, 3), 1, 2, 6, 4, 20, 120)},
		{"cumprod None", cumBy(ops.CumProd), m, f64(dims(6), 1, 2, 6, 24, 120, 720)},
		{"scalar flattens", cumBy(ops.CumSum), f64(nil, 7), f64(dims(1), 7)},
		{"int8 in int64", cumBy(ops.CumSum, 0), arr(dtype.Int8, dims(3), 100, 100, 100), i64(dims(3), 100, 200, 300)},
		{"bool counts", cumBy(ops.CumSum, 0), tensor.FromBools(dims(3), []bool{true, false, true}), i64(dims(3), 1, 1, 2)},
		{"uint8 in uint64", cumBy(ops.CumProd, 0), arr(dtype.Uint8, dims(2), 200, 200), tensor.FromInt64s(dtype.Uint64, dims(2), []int64{200, 40000})},
		{"int64 wraps", cumBy(ops.CumProd, 0), i64(dims(3), 1<<62, 4, 3), i64(dims(3), 1<<62, 0, 0)},
		{"empty axis", cumBy(ops.CumSum, 1), f64(dims(2, 0)), f64(dims(2, 0))},
		{"empty other axis", cumBy(ops.CumProd, 1), f64(dims(0, 3)), f64(dims(0, 3))},
		{"float32 stays", cumBy(ops.CumSum, 0), arr(dtype.Float32, dims(2), 0.5, 0.25), arr(dtype.Float32, dims(2), 0.5, 0.75)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantArray(t, evalOp(t, c.op, c.x), c.want) })
	}
}

// Every step rounds to the output dtype, as the compiled loops do: float32
// 2^24 + 1 + 1 stays 2^24 (two roundings), where float64 would give 2^24+2.
func TestCumSumRoundsEveryStep(t *testing.T) {
	x := arr(dtype.Float32, dims(3), 1<<24, 1, 1)
	wantArray(t, evalOp(t, cumBy(ops.CumSum, 0), x), arr(dtype.Float32, dims(3), 1<<24, 1<<24, 1<<24))
}

func TestCumErrors(t *testing.T) {
	b := graph.NewBuilder()
	_, err := ops.CumSum(b, typed(b, dtype.Float64, 3, 2), ptr(2))
	wantErr(t, err, graph.KindValue, "cumsum", "axis 2 is out of bounds")
	_, err = ops.CumProd(b, typed(b, dtype.Float64, 3), ptr(-2))
	wantErr(t, err, graph.KindValue, "cumprod", "axis -2")
	_, err = ops.CumSum(b, nil, nil)
	wantErr(t, err, graph.KindType, "cumsum")
}

func ptr(i int) *int { return &i }

// The gradients against finite differences: cumsum's is the reversed
// cumsum of the output gradient; cumprod's (as Theano's) holds where no
// element is zero, which the random values in [-1, 1) are not.
func TestCumGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for _, f := range []func(*graph.Builder, *graph.Variable, *int) (*graph.Variable, error){ops.CumSum, ops.CumProd} {
		for _, axis := range [][]int{{0}, {1}, {-1}, nil} {
			opstest.CheckGrad(t, func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
				return apply(e, cumBy(f, axis...), x...)
			}, opstest.Rand(rng, 3, 4))
		}
	}
	// the reversed scan's own gradient (second derivatives go through it)
	opstest.CheckGrad(t, func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
		return e.Apply(ops.CumOp{Axis: 0, Reverse: true}, x[0])
	}, opstest.Rand(rng, 5))
}
