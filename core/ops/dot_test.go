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

// dot follows numpy.dot for vectors and matrices; expected values are
// worked by hand.
func TestDotValues(t *testing.T) {
	v := f64(dims(3), 1, 2, 3)
	m := f64(dims(2, 3), 1, 0, -1, 2, 1, 0) // [[1 0 -1] [2 1 0]]
	cases := []struct {
		name string
		x, y *tensor.Array
		want *tensor.Array
	}{
		{"vector·vector", v, f64(dims(3), 4, 5, 6), f64(nil, 32)},
		{"matrix·vector", m, v, f64(dims(2), -2, 4)},
		{"vector·matrix", f64(dims(2), 1, 2), m, f64(dims(3), 5, 2, -1)},
		{"matrix·matrix", m, f64(dims(3, 2), 1, 2, 3, 4, 5, 6), f64(dims(2, 2), -4, -4, 5, 8)},
		{"float32", arr(dtype.Float32, dims(2, 2), 1, 2, 3, 4), arr(dtype.Float32, dims(2), 1, -1), arr(dtype.Float32, dims(2), -1, -1)},
		{"int32·float32 is float64", arr(dtype.Int32, dims(2), 2, 3), arr(dtype.Float32, dims(2), 0.5, 0.25), f64(nil, 1.75)},
		{"int8 matrices stay int8", arr(dtype.Int8, dims(1, 2), 100, 100), arr(dtype.Int8, dims(2, 1), 1, 1), arr(dtype.Int8, dims(1, 1), -56)},
		{"int64", i64(dims(2, 2), 1, 2, 3, 4), i64(dims(2, 2), 5, 6, 7, 8), i64(dims(2, 2), 19, 22, 43, 50)},
		{"bool is any(and)", tensor.FromBools(dims(2), []bool{true, false}), tensor.FromBools(dims(2, 2), []bool{false, true, true, true}), tensor.FromBools(dims(2), []bool{false, true})},
		{"complex", tensor.FromComplex128s(dtype.Complex128, dims(2), []complex128{1i, 2}), tensor.FromComplex128s(dtype.Complex128, dims(2), []complex128{1i, 1 + 1i}),
			tensor.FromComplex128s(dtype.Complex128, nil, []complex128{1 + 2i})},
		{"float16", arr(dtype.Float16, dims(2), 1.5, 2), arr(dtype.Float16, dims(2), 2, 4), arr(dtype.Float16, nil, 11)},
		{"empty inner dimension", iota64(2, 0), iota64(0, 3), f64(dims(2, 3), 0, 0, 0, 0, 0, 0)},
		{"empty vectors", iota64(0), iota64(0), f64(nil, 0)},
		{"empty outer dimension", iota64(0, 2), iota64(2, 3), iota64(0, 3)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantArray(t, evalOp(t, binary(ops.Dot), c.x, c.y), c.want)
		})
	}
}

// On random matrices, dot equals sum(x[:, :, None] * y[None, :, :], axis=1),
// computed by other ops.
func TestDotAgainstBroadcastSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, dt := range []dtype.DType{dtype.Float64, dtype.Float32} {
		x, y := opstest.Rand(rng, 5, 7).Astype(dt), opstest.Rand(rng, 7, 3).Astype(dt)
		got := evalOp(t, binary(ops.Dot), x, y)
		want := opstest.Eval(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			xs := e.DimShuffle(in[0], []int{0, 1, ops.Broadcast})
			ys := e.DimShuffle(in[1], []int{ops.Broadcast, 0, 1})
			return e.Sum(e.Mul(xs, ys), []int{1}, false)
		}, x, y)
		wantArray(t, got, want)
	}
}

func TestDotTypes(t *testing.T) {
	b := graph.NewBuilder()
	in := func(dt dtype.DType, shape ...int) *graph.Variable { return typed(b, dt, shape...) }
	ok := []struct {
		x, y *graph.Variable
		dt   dtype.DType
		want []int
	}{
		{in(dtype.Float32, 3), in(dtype.Float32, graph.Unknown), dtype.Float32, nil},
		{in(dtype.Float32, 2, 3), in(dtype.Float64, 3), dtype.Float64, dims(2)},
		{in(dtype.Int64, graph.Unknown), in(dtype.Int8, graph.Unknown, 4), dtype.Int64, dims(4)},
		{in(dtype.Float32, 2, graph.Unknown), in(dtype.Float32, 5, 1), dtype.Float32, dims(2, 1)},
	}
	for _, c := range ok {
		v, err := ops.Dot(b, c.x, c.y)
		if err != nil {
			t.Fatal(err)
		}
		wantType(t, v, c.dt, c.want...)
	}
	_, err := ops.Dot(b, in(dtype.Float64, 2, 3, 4), in(dtype.Float64, 4))
	wantErr(t, err, graph.KindType, "dot", "tensor3", "vector")
	_, err = ops.Dot(b, in(dtype.Float64), in(dtype.Float64, 4))
	wantErr(t, err, graph.KindType, "dot", "scalar")
	_, err = ops.Dot(b, in(dtype.Float64, 2, 3), in(dtype.Float64, 4, 2))
	wantErr(t, err, graph.KindValue, "dot", "inner dimensions differ (3 and 4)", "matrix (2, 3)")
	wantErr(t, evalErr(t, binary(ops.Dot), iota64(2, 3), iota64(2)), graph.KindValue, "dot", "not aligned")
}

// Every rank combination's pullback, including mixed float32/float64.
func TestDotPullback(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	shapes := []struct{ x, y []int }{
		{dims(4), dims(4)},
		{dims(3, 4), dims(4)},
		{dims(4), dims(4, 2)},
		{dims(3, 4), dims(4, 2)},
		{dims(1, 4), dims(4, 1)},
	}
	for _, s := range shapes {
		opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Dot(in[0], in[1])
		}, opstest.Rand(rng, s.x...), opstest.Rand(rng, s.y...))
	}
	// An integer operand gets no gradient; the float one does.
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return e.Dot(in[0], in[1])
	}, opstest.Rand(rng, 2, 3), i64(dims(3), 1, -2, 3))
}
