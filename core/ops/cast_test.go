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

// cast converts as numpy's astype: floats truncate toward zero, integers wrap.
func TestCast(t *testing.T) {
	wantArray(t, evalOp(t, castTo(dtype.Int32), f64(dims(4), -1.7, 2.9, -0.5, 0)), arr(dtype.Int32, dims(4), -1, 2, 0, 0))
	wantArray(t, evalOp(t, castTo(dtype.Int8), i64(dims(3), 300, -129, 127)), arr(dtype.Int8, dims(3), 44, 127, 127))
	wantArray(t, evalOp(t, castTo(dtype.Bool), f64(dims(3), 0, -0.1, 2)), tensorBools(false, true, true))
	wantArray(t, evalOp(t, castTo(dtype.Float64), tensorBools(true, false)), f64(dims(2), 1, 0))
	wantArray(t, evalOp(t, castTo(dtype.Float16), f64(dims(2), 1.0/3, 65520)), arr(dtype.Float16, dims(2), 0.333251953125, math.Inf(1)))
	wantArray(t, evalOp(t, castTo(dtype.Uint8), i64(dims(2), -1, 256)), arr(dtype.Uint8, dims(2), 255, 0))
	wantArray(t, evalOp(t, castTo(dtype.Float64), complexVec(3+4i)), f64(dims(1), 3))
	wantArray(t, evalOp(t, castTo(dtype.Float64), tensor.FromInt64s(dtype.Uint64, dims(2), []int64{-1, 5})), f64(dims(2), 18446744073709551615, 5))
	wantArray(t, evalOp(t, castTo(dtype.Complex64), f64(dims(1), 2.5)), complexVec(2.5))

	b := graph.NewBuilder()
	x := typed(b, dtype.Float32, 3)
	same, err := ops.Cast(b, x, dtype.Float32)
	if err != nil || same != x {
		t.Errorf("cast to the same dtype should return the input itself, got %v, %v", same, err)
	}
	v, _ := ops.Cast(b, x, dtype.Int64)
	wantType(t, v, dtype.Int64, 3)
	_, err = ops.Cast(b, x, dtype.Invalid)
	wantErr(t, err, graph.KindType, "cast", "missing dtype")

	// The gradient goes through float casts and stops at integer ones:
	// d/dx sum((x + trunc(x)) * w) = w.
	rng := rand.New(rand.NewPCG(13, 13))
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		truncated := e.Cast(e.Cast(in[0], dtype.Int64), dtype.Float64)
		return e.Add(e.Cast(e.Cast(in[0], dtype.Complex128), dtype.Float64), truncated)
	}, shift(opstest.Rand(rng, 5), 0.5))
}
