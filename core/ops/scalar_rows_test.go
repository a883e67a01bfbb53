package ops_test

import (
	"math"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// The rows that used to be wrong, against numpy's results.
func TestScalarRowsAsNumpy(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	i8 := func(v ...int64) *tensor.Array { return tensor.FromInt64s(dtype.Int8, dims(len(v)), v) }
	cases := []struct {
		name string
		in   []*tensor.Array
		want *tensor.Array
	}{
		// np.true_divide(int8 [1, -1, 0, 7], [2, 0, 0, -2]) -> float64 [0.5, -inf, nan, -3.5]
		{"true_div", []*tensor.Array{i8(1, -1, 0, 7), i8(2, 0, 0, -2)}, f64(dims(4), 0.5, -inf, nan, -3.5)},
		// np.invert(bool) is logical not
		{"invert", []*tensor.Array{tensorBools(true, false)}, tensorBools(false, true)},
		// np.invert(int8 [0, 5]) -> [-1, -6]
		{"invert", []*tensor.Array{i8(0, 5)}, i8(-1, -6)},
		// np.abs(int64 min) wraps to itself; np.abs(int8 -128) -> -128
		{"abs", []*tensor.Array{i64(dims(3), math.MinInt64, -5, 5)}, i64(dims(3), math.MinInt64, 5, 5)},
		{"abs", []*tensor.Array{i8(-128, -3)}, i8(-128, 3)},
		// np.abs(complex64 3+4j) -> float32 5
		{"abs", []*tensor.Array{complexVec(3+4i, -1)}, arr(dtype.Float32, dims(2), 5, 1)},
		// np.abs(complex128) -> float64
		{"abs", []*tensor.Array{tensor.FromComplex128s(dtype.Complex128, dims(1), []complex128{-6 - 8i})}, f64(dims(1), 10)},
		// 2 ** 62 and 3 ** 0 in int64; 2 ** 64 wraps to 0
		{"pow", []*tensor.Array{i64(dims(3), 2, 3, 2), i64(dims(3), 62, 0, 64)}, i64(dims(3), 1<<62, 1, 0)},
		// np.floor_divide(1, 0.1) == 9 and np.mod(1, 0.1) == 0.09999999999999995
		{"int_div", []*tensor.Array{f64(dims(2), 1, -7), f64(dims(2), 0.1, 2)}, f64(dims(2), 9, -4)},
		{"mod", []*tensor.Array{f64(dims(2), 1, -7), f64(dims(2), 0.1, 2)}, f64(dims(2), 0.09999999999999995, 1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantArray(t, evalOp(t, scalar(c.name), c.in...), c.want) })
	}
}

// numpy: "ValueError: Integers to negative integer powers are not allowed."
func TestIntegerPowNegativeExponent(t *testing.T) {
	err := evalErr(t, scalar("pow"), i64(dims(2), 2, 2), i64(dims(2), 3, -1))
	wantErr(t, err, graph.KindValue, "Integers to negative integer powers are not allowed.")
	// a float exponent is fine: 2 ** -1.0 == 0.5
	wantArray(t, evalOp(t, scalar("pow"), i64(dims(1), 2), f64(dims(1), -1)), f64(dims(1), 0.5))
}
