package ops_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// gemm, gemv and ger equal the dot, mul and add they stand for, on random
// inputs in float32 and float64, empty lengths included; their inputs are
// left as they were.
func TestBLASAgainstDot(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	gemm := func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Apply(ops.GemmOp{}, in...) }
	gemv := func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Apply(ops.GemvOp{}, in...) }
	ger := func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return e.Apply(ops.GerOp{}, in...) }
	// a*dot(x, y) + b*z, with inputs in the ops' order (z, a, x, y, b)
	scaled := func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return e.Add(e.Mul(in[1], e.Dot(in[2], in[3])), e.Mul(in[4], in[0]))
	}
	// A + a*outer(x, y)
	outer := func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		col, row := e.DimShuffle(in[2], []int{0, ops.Broadcast}), e.DimShuffle(in[3], []int{ops.Broadcast, 0})
		return e.Add(in[0], e.Mul(in[1], e.Dot(col, row)))
	}
	cases := []struct {
		name      string
		op, want  opstest.BuildFunc
		shapes    [][]int
		a, b      float64
		unscaledB bool // ger: no b
	}{
		{"gemm", gemm, scaled, [][]int{{4, 5}, {4, 3}, {3, 5}}, 0.5, -2, false},
		{"gemm a=1 b=1", gemm, scaled, [][]int{{2, 7}, {2, 6}, {6, 7}}, 1, 1, false},
		{"gemm empty inner", gemm, scaled, [][]int{{2, 3}, {2, 0}, {0, 3}}, 2, 3, false},
		{"gemm empty outer", gemm, scaled, [][]int{{0, 3}, {0, 4}, {4, 3}}, 2, 3, false},
		{"gemv", gemv, scaled, [][]int{{4}, {4, 3}, {3}}, -1.5, 0.25, false},
		{"gemv empty inner", gemv, scaled, [][]int{{4}, {4, 0}, {0}}, -1.5, 0.25, false},
		{"ger", ger, outer, [][]int{{3, 5}, {3}, {5}}, 0.1, 1, true},
		{"ger empty", ger, outer, [][]int{{0, 5}, {0}, {5}}, 0.1, 1, true},
	}
	for _, c := range cases {
		for _, dt := range []dtype.DType{dtype.Float64, dtype.Float32} {
			t.Run(c.name+"/"+dt.String(), func(t *testing.T) {
				acc, x, y := opstest.Rand(rng, c.shapes[0]...).Astype(dt), opstest.Rand(rng, c.shapes[1]...).Astype(dt), opstest.Rand(rng, c.shapes[2]...).Astype(dt)
				in := []*tensor.Array{acc, tensor.Scalar(dt, c.a), x, y, tensor.Scalar(dt, c.b)}
				if c.unscaledB {
					in = in[:4]
				}
				saved := make([]*tensor.Array, len(in))
				for i, a := range in {
					saved[i] = a.Clone()
				}
				got := opstest.Eval(t, c.op, in...)
				wantArray(t, got, opstest.Eval(t, c.want, in...))
				for i, a := range in {
					if !slices.Equal(a.Float64s(), saved[i].Float64s()) {
						t.Errorf("input %d was written", i)
					}
				}
			})
		}
	}
}

func TestBLASTypes(t *testing.T) {
	b := graph.NewBuilder()
	in := func(dt dtype.DType, shape ...int) *graph.Variable { return typed(b, dt, shape...) }
	f32, f64, u := dtype.Float32, dtype.Float64, graph.Unknown
	v, err := ops.Gemm(b, in(f32, u, u), in(f32), in(f32, 2, u), in(f32, 3, 4), in(f32))
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, f32, 2, 4)
	v, err = ops.Gemv(b, in(f64, u), in(f64), in(f64, 5, u), in(f64, u), in(f64))
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, f64, 5)
	v, err = ops.Ger(b, in(f64, u, 1), in(f64), in(f64, 3), in(f64, u))
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, f64, 3, 1)

	_, err = ops.Gemm(b, in(f32, u, u), in(f64), in(f32, u, u), in(f32, u, u), in(f32))
	wantErr(t, err, graph.KindType, "gemm", "one dtype")
	_, err = ops.Gemm(b, in(dtype.Int64, u, u), in(dtype.Int64), in(dtype.Int64, u, u), in(dtype.Int64, u, u), in(dtype.Int64))
	wantErr(t, err, graph.KindType, "gemm", "float32 or float64")
	_, err = ops.Gemv(b, in(f64, u), in(f64), in(f64, u), in(f64, u), in(f64))
	wantErr(t, err, graph.KindType, "gemv", "A matrix")
	_, err = ops.Gemm(b, in(f64, 2, u), in(f64), in(f64, 3, u), in(f64, u, u), in(f64))
	wantErr(t, err, graph.KindValue, "gemm", "lengths 2 and 3")
	_, err = ops.Ger(b, in(f64, u, 4), in(f64), in(f64, u), in(f64, 5))
	wantErr(t, err, graph.KindValue, "ger", "lengths 4 and 5")

	gemm := func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
		return ops.Gemm(b, in[0], in[1], in[2], in[3], in[4])
	}
	one := tensor.Scalar(dtype.Float64, 1)
	wantErr(t, evalErr(t, gemm, iota64(2, 3), one, iota64(2, 4), iota64(4, 4), one), graph.KindValue, "gemm", "do not fit")
	gemv := func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
		return ops.Gemv(b, in[0], in[1], in[2], in[3], in[4])
	}
	wantErr(t, evalErr(t, gemv, iota64(3), one, iota64(2, 4), iota64(4), one), graph.KindValue, "gemv", "do not fit")
	ger := func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
		return ops.Ger(b, in[0], in[1], in[2], in[3])
	}
	wantErr(t, evalErr(t, ger, iota64(2, 3), one, iota64(2), iota64(4)), graph.KindValue, "ger", "do not fit")
}
