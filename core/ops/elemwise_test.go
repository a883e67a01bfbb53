package ops_test

import (
	"math"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// Every scalar op row on a few values worked out by hand (numpy's results).
func TestElemwiseValues(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	const (
		e   = 2.718281828459045
		ln2 = 0.6931471805599453
		ln3 = 1.0986122886681098
		pi  = 3.141592653589793
	)
	v := func(x ...float64) *tensor.Array { return f64(dims(len(x)), x...) }
	ints := func(dt dtype.DType, x ...float64) *tensor.Array { return arr(dt, dims(len(x)), x...) }
	bools := func(b ...bool) *tensor.Array { return tensor.FromBools(dims(len(b)), b) }
	cases := []struct {
		op   string
		in   []*tensor.Array
		want *tensor.Array
	}{
		{"add", []*tensor.Array{v(1, -2, 0.5), v(2, 2, 0.25)}, v(3, 0, 0.75)},
		{"add", []*tensor.Array{ints(dtype.Int8, 100, -100), ints(dtype.Int8, 100, -100)}, ints(dtype.Int8, -56, 56)}, // wraps
		{"sub", []*tensor.Array{v(1, -2, 0.5), v(2, 2, 0.25)}, v(-1, -4, 0.25)},
		{"mul", []*tensor.Array{v(1, -2, 0.5), v(2, 2, 0.25)}, v(2, -4, 0.125)},
		{"true_div", []*tensor.Array{v(1, -3, 0, 1), v(4, 2, 0, 0)}, v(0.25, -1.5, nan, inf)},
		{"true_div", []*tensor.Array{ints(dtype.Int8, 1, 7), ints(dtype.Int8, 4, -2)}, v(0.25, -3.5)},
		{"int_div", []*tensor.Array{ints(dtype.Int64, 7, -7, 7, -7, 3), ints(dtype.Int64, 2, 2, -2, -2, 0)}, ints(dtype.Int64, 3, -4, -4, 3, 0)},
		{"int_div", []*tensor.Array{v(7.5, -7.5), v(2, 2)}, v(3, -4)},
		{"mod", []*tensor.Array{ints(dtype.Int32, 7, -7, 7, -7, 6), ints(dtype.Int32, 2, 2, -2, -2, 3)}, ints(dtype.Int32, 1, 1, -1, -1, 0)},
		{"mod", []*tensor.Array{v(5.5, -5.5, 5.5), v(2, 2, -2)}, v(1.5, 0.5, -0.5)},
		{"pow", []*tensor.Array{v(2, 4, 9, 0), v(3, 0.5, -1, 0)}, v(8, 2, 1.0/9, 1)},
		{"pow", []*tensor.Array{ints(dtype.Int64, 2, -2, 3), ints(dtype.Int64, 10, 3, 0)}, ints(dtype.Int64, 1024, -8, 1)},
		{"neg", []*tensor.Array{v(-2, 0, 0.5)}, v(2, 0, -0.5)},
		{"abs", []*tensor.Array{v(-2, 0, 0.5)}, v(2, 0, 0.5)},
		{"abs", []*tensor.Array{ints(dtype.Int16, -3, 4)}, ints(dtype.Int16, 3, 4)},
		{"sgn", []*tensor.Array{v(-2, 0, 0.5, nan)}, v(-1, 0, 1, nan)},
		{"sgn", []*tensor.Array{ints(dtype.Int8, -5, 0, 7)}, ints(dtype.Int8, -1, 0, 1)},
		{"sqr", []*tensor.Array{v(-2, 0, 0.5)}, v(4, 0, 0.25)},
		{"sqrt", []*tensor.Array{v(0, 4, 2.25, -1)}, v(0, 2, 1.5, nan)},
		{"exp", []*tensor.Array{v(0, 1, -1, -1000)}, v(1, e, 0.36787944117144233, 0)},
		{"log", []*tensor.Array{v(1, e, 0.5, 0, -1)}, v(0, 1, -ln2, -inf, nan)},
		{"log1p", []*tensor.Array{v(0, e-1, -0.5, 1e-20)}, v(0, 1, -ln2, 1e-20)},
		{"expm1", []*tensor.Array{v(0, 1e-20, ln2)}, v(0, 1e-20, 1)},
		{"sin", []*tensor.Array{v(0, pi/2, pi/6)}, v(0, 1, 0.5)},
		{"cos", []*tensor.Array{v(0, pi, pi/3)}, v(1, -1, 0.5)},
		{"tanh", []*tensor.Array{v(0, ln3, 1000, -1000)}, v(0, 0.8, 1, -1)},
		{"sigmoid", []*tensor.Array{v(0, ln3, -ln3, 1000, -1000)}, v(0.5, 0.75, 0.25, 1, 0)},
		{"softplus", []*tensor.Array{v(0, ln3, 1000, -1000)}, v(ln2, 2*ln2, 1000, 0)},
		{"maximum", []*tensor.Array{v(1, nan, 3, -1), v(2, 1, nan, -2)}, v(2, nan, nan, -1)},
		{"minimum", []*tensor.Array{v(1, nan, 3, -1), v(2, 1, nan, -2)}, v(1, nan, nan, -2)},
		{"maximum", []*tensor.Array{ints(dtype.Uint8, 200, 3), ints(dtype.Int8, -1, 5)}, ints(dtype.Int16, 200, 5)},
		{"lt", []*tensor.Array{v(1, 2, 3, nan), v(2, 2, 2, 1)}, bools(true, false, false, false)},
		{"gt", []*tensor.Array{v(1, 2, 3, nan), v(2, 2, 2, 1)}, bools(false, false, true, false)},
		{"le", []*tensor.Array{v(1, 2, 3, nan), v(2, 2, 2, 1)}, bools(true, true, false, false)},
		{"ge", []*tensor.Array{v(1, 2, 3, nan), v(2, 2, 2, 1)}, bools(false, true, true, false)},
		{"eq", []*tensor.Array{v(1, 2, 3, nan), v(2, 2, 2, nan)}, bools(false, true, false, false)},
		{"neq", []*tensor.Array{v(1, 2, 3, nan), v(2, 2, 2, nan)}, bools(true, false, true, true)},
		{"eq", []*tensor.Array{ints(dtype.Int64, -1), ints(dtype.Uint64, 18446744073709551615)}, bools(false)},
		{"and", []*tensor.Array{ints(dtype.Int32, 12, -1), ints(dtype.Int32, 10, 6)}, ints(dtype.Int32, 8, 6)},
		{"or", []*tensor.Array{ints(dtype.Int32, 12, 0), ints(dtype.Int32, 10, 6)}, ints(dtype.Int32, 14, 6)},
		{"xor", []*tensor.Array{ints(dtype.Int32, 12, 5), ints(dtype.Int32, 10, 5)}, ints(dtype.Int32, 6, 0)},
		{"and", []*tensor.Array{bools(true, true, false), bools(true, false, false)}, bools(true, false, false)},
		{"or", []*tensor.Array{bools(true, true, false), bools(true, false, false)}, bools(true, true, false)},
		{"xor", []*tensor.Array{bools(true, true, false), bools(true, false, false)}, bools(false, true, false)},
		{"invert", []*tensor.Array{ints(dtype.Int8, 5, -1)}, ints(dtype.Int8, -6, 0)},
		{"invert", []*tensor.Array{ints(dtype.Uint8, 0, 255)}, ints(dtype.Uint8, 255, 0)},
		{"invert", []*tensor.Array{bools(true, false)}, bools(false, true)},
		{"switch", []*tensor.Array{bools(true, false, true), v(1, 2, 3), v(4, 5, 6)}, v(1, 5, 3)},
		{"switch", []*tensor.Array{v(0.5, 0, nan), ints(dtype.Int8, 1, 2, 3), ints(dtype.Int16, 4, 5, 6)}, ints(dtype.Int16, 1, 5, 3)},
		{"second", []*tensor.Array{v(9, 9, 9), ints(dtype.Int32, 4, 5, 6)}, ints(dtype.Int32, 4, 5, 6)},
	}
	for _, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			wantArray(t, evalOp(t, scalar(c.op), c.in...), c.want)
		})
	}
}

// Scalars and rows broadcast; lower ranks are padded on the left.
func TestElemwiseBroadcasting(t *testing.T) {
	m := iota64(2, 3)
	wantArray(t, evalOp(t, scalar("add"), m, f64(dims(1, 3), 10, 20, 30)), f64(dims(2, 3), 10, 21, 32, 13, 24, 35))
	wantArray(t, evalOp(t, scalar("sub"), m, f64(dims(2, 1), 1, 2)), f64(dims(2, 3), -1, 0, 1, 1, 2, 3))
	wantArray(t, evalOp(t, scalar("mul"), f64(nil, 2), m), f64(dims(2, 3), 0, 2, 4, 6, 8, 10))
	wantArray(t, evalOp(t, scalar("add"), m, f64(dims(3), 1, 1, 1)), f64(dims(2, 3), 1, 2, 3, 4, 5, 6))
	wantArray(t, evalOp(t, scalar("add"), f64(dims(2, 1), 1, 2), f64(dims(1, 3), 10, 20, 30)), f64(dims(2, 3), 11, 21, 31, 12, 22, 32))
	wantArray(t, evalOp(t, scalar("second"), m, f64(nil, 7)), f64(dims(2, 3), 7, 7, 7, 7, 7, 7))
	wantArray(t, evalOp(t, scalar("add"), iota64(0, 3), f64(dims(1, 3), 1, 2, 3)), iota64(0, 3))
	wantArray(t, evalOp(t, scalar("switch"), tensor.FromBools(dims(2, 1), []bool{true, false}), m, f64(nil, -1)), f64(dims(2, 3), 0, 1, 2, -1, -1, -1))

	b := graph.NewBuilder()
	x := typed(b, dtype.Float32, graph.Unknown, 3)
	v, err := ops.Scalar(b, "add", x, typed(b, dtype.Float32, 1, 3))
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, dtype.Float32, graph.Unknown, 3)
	v, _ = ops.Scalar(b, "mul", typed(b, dtype.Float32, graph.Unknown, 1), typed(b, dtype.Float32, 4))
	wantType(t, v, dtype.Float32, graph.Unknown, 4)
	_, err = ops.Scalar(b, "add", typed(b, dtype.Float32, 2, 3), typed(b, dtype.Float32, 4, 3))
	wantErr(t, err, graph.KindValue, "add", "incompatible lengths 2 and 4")
	wantErr(t, evalErr(t, scalar("add"), iota64(2, 3), iota64(2, 4)), graph.KindValue, "add", "dimension mismatch")
	_, err = ops.Scalar(b, "add", x)
	wantErr(t, err, graph.KindType, "add", "2 inputs")
}

// Output dtypes follow numpy: true_div of integers is float64, float
// functions of small integers are small floats, comparisons are bool.
func TestElemwiseDTypes(t *testing.T) {
	cases := []struct {
		op   string
		in   []dtype.DType
		want dtype.DType
	}{
		{"true_div", []dtype.DType{dtype.Int8, dtype.Int8}, dtype.Float64},
		{"true_div", []dtype.DType{dtype.Float32, dtype.Int8}, dtype.Float32},
		{"exp", []dtype.DType{dtype.Int8}, dtype.Float16},
		{"exp", []dtype.DType{dtype.Bool}, dtype.Float16},
		{"sqrt", []dtype.DType{dtype.Int16}, dtype.Float32},
		{"log", []dtype.DType{dtype.Int32}, dtype.Float64},
		{"tanh", []dtype.DType{dtype.Float32}, dtype.Float32},
		{"add", []dtype.DType{dtype.Uint8, dtype.Int8}, dtype.Int16},
		{"add", []dtype.DType{dtype.Int64, dtype.Float32}, dtype.Float64},
		{"mul", []dtype.DType{dtype.Uint64, dtype.Int64}, dtype.Float64},
		{"int_div", []dtype.DType{dtype.Int32, dtype.Int64}, dtype.Int64},
		{"lt", []dtype.DType{dtype.Float32, dtype.Int8}, dtype.Bool},
		{"switch", []dtype.DType{dtype.Bool, dtype.Int8, dtype.Float32}, dtype.Float32},
		{"second", []dtype.DType{dtype.Float64, dtype.Int8}, dtype.Int8},
		{"exp", []dtype.DType{dtype.Complex64}, dtype.Complex64},
		{"and", []dtype.DType{dtype.Bool, dtype.Int8}, dtype.Int8},
	}
	for _, c := range cases {
		b := graph.NewBuilder()
		ins := make([]*graph.Variable, len(c.in))
		for i, d := range c.in {
			ins[i] = typed(b, d, 2)
		}
		v, err := ops.Scalar(b, c.op, ins...)
		if err != nil {
			t.Errorf("%s%v: %v", c.op, c.in, err)
			continue
		}
		if v.Type.DType != c.want {
			t.Errorf("%s%v: dtype %v, want %v", c.op, c.in, v.Type.DType, c.want)
		}
	}
	// exp(int8) really computes in float16.
	wantArray(t, evalOp(t, scalar("exp"), arr(dtype.Int8, dims(2), 0, 1)), arr(dtype.Float16, dims(2), 1, 2.71875))

	bad := []struct {
		op string
		in []dtype.DType
	}{
		{"and", []dtype.DType{dtype.Float64, dtype.Int8}},
		{"invert", []dtype.DType{dtype.Float32}},
		{"log1p", []dtype.DType{dtype.Complex128}},
		{"lt", []dtype.DType{dtype.Complex64, dtype.Complex64}},
		{"maximum", []dtype.DType{dtype.Complex128, dtype.Float64}},
	}
	for _, c := range bad {
		b := graph.NewBuilder()
		ins := make([]*graph.Variable, len(c.in))
		for i, d := range c.in {
			ins[i] = typed(b, d, 2)
		}
		_, err := ops.Scalar(b, c.op, ins...)
		wantErr(t, err, graph.KindType, c.op)
	}
}

// Complex inputs compute in complex128.
func TestElemwiseComplex(t *testing.T) {
	c := func(v ...complex128) *tensor.Array { return tensor.FromComplex128s(dtype.Complex128, dims(len(v)), v) }
	wantArray(t, evalOp(t, scalar("mul"), c(1+2i), c(3-1i)), c(5+5i))
	wantArray(t, evalOp(t, scalar("add"), c(1+2i), f64(dims(1), 0.5)), c(1.5+2i))
	wantArray(t, evalOp(t, scalar("true_div"), c(5+5i), c(1+2i)), c(3-1i))
	wantArray(t, evalOp(t, scalar("sqrt"), c(-4)), c(2i))
	wantArray(t, evalOp(t, scalar("exp"), c(complex(0, math.Pi))), c(complex(-1, 1.2246467991473532e-16)))
	wantArray(t, evalOp(t, scalar("eq"), c(1+1i, 1), c(1+1i, 1i)), tensor.FromBools(dims(2), []bool{true, false}))
	wantArray(t, evalOp(t, scalar("mul"), tensor.FromComplex128s(dtype.Complex64, dims(1), []complex128{2i}), f64(dims(1), 2)), c(4i))
}
