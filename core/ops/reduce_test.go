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
	"theanogo/pyapi/optable"
)

// The reductions on m = [[1 5 5] [7 0 2]], worked out by hand.
func TestReduceValues(t *testing.T) {
	m := f64(dims(2, 3), 1, 5, 5, 7, 0, 2)
	ax := func(a ...float64) optable.Params {
		list := make([]any, len(a))
		for i, v := range a {
			list[i] = v
		}
		return optable.Params{"axis": list}
	}
	nan := math.NaN()
	cases := []struct {
		name, op string
		p        optable.Params
		x        *tensor.Array
		want     *tensor.Array
	}{
		{"sum all", "sum", nil, m, f64(nil, 20)},
		{"sum rows", "sum", ax(1), m, f64(dims(2), 11, 9)},
		{"sum columns", "sum", ax(0), m, f64(dims(3), 8, 5, 7)},
		{"sum negative axis", "sum", ax(-1), m, f64(dims(2), 11, 9)},
		{"sum keepdims", "sum", optable.Params{"axis": 0.0, "keepdims": true}, m, f64(dims(1, 3), 8, 5, 7)},
		{"sum all keepdims", "sum", optable.Params{"keepdims": true}, m, f64(dims(1, 1), 20)},
		{"sum no axes", "sum", ax(), m, m},
		{"prod rows", "prod", ax(1), m, f64(dims(2), 25, 0)},
		{"max rows", "max", ax(1), m, f64(dims(2), 5, 7)},
		{"min columns", "min", ax(0), m, f64(dims(3), 1, 0, 2)},
		{"mean rows", "mean", ax(1), m, f64(dims(2), 11.0/3, 3)},
		{"mean all", "mean", nil, m, f64(nil, 20.0/6)},
		{"max with NaN", "max", nil, f64(dims(3), 1, nan, 3), f64(nil, nan)},
		{"min with NaN", "min", nil, f64(dims(3), 1, nan, -3), f64(nil, nan)},
		{"sum tensor3 axes 0,2", "sum", ax(0, 2), iota64(2, 2, 2), f64(dims(2), 0+1+4+5, 2+3+6+7)},

		// dtypes, as numpy
		{"sum int8 is int64", "sum", nil, arr(dtype.Int8, dims(3), 100, 100, 100), i64(nil, 300)},
		{"sum bool is int64", "sum", nil, tensor.FromBools(dims(3), []bool{true, true, false}), i64(nil, 2)},
		{"sum uint8 is uint64", "sum", nil, arr(dtype.Uint8, dims(2), 200, 200), arr(dtype.Uint64, nil, 400)},
		{"prod int16 is int64", "prod", nil, arr(dtype.Int16, dims(3), 100, 100, -100), i64(nil, -1000000)},
		{"sum float32 stays", "sum", nil, arr(dtype.Float32, dims(2), 0.5, 0.25), arr(dtype.Float32, nil, 0.75)},
		{"mean int is float64", "mean", nil, i64(dims(2), 1, 2), f64(nil, 1.5)},
		{"max int8 stays int8", "max", nil, arr(dtype.Int8, dims(3), -5, 7, 3), arr(dtype.Int8, nil, 7)},
		{"min int64", "min", ax(1), i64(dims(2, 2), 3, -4, 9, 8), i64(dims(2), -4, 8)},
		{"min int8", "min", nil, arr(dtype.Int8, dims(3), 5, 7, 3), arr(dtype.Int8, nil, 3)},
		{"max int64 negative", "max", nil, i64(dims(2), -7, -3), i64(nil, -3)},
		{"max bool", "max", nil, tensor.FromBools(dims(2), []bool{false, true}), tensor.FromBools(nil, []bool{true})},
		{"sum complex", "sum", nil, tensor.FromComplex128s(dtype.Complex64, dims(2), []complex128{1i, 2}), tensor.FromComplex128s(dtype.Complex64, nil, []complex128{2 + 1i})},
		{"mean complex", "mean", nil, tensor.FromComplex128s(dtype.Complex128, dims(2), []complex128{1i, 2}), tensor.FromComplex128s(dtype.Complex128, nil, []complex128{1 + 0.5i})},

		// empty arrays
		{"sum empty", "sum", nil, iota64(0), f64(nil, 0)},
		{"prod empty", "prod", nil, iota64(0), f64(nil, 1)},
		{"mean empty is NaN", "mean", nil, iota64(0), f64(nil, nan)},
		{"sum empty rows", "sum", ax(1), iota64(2, 0), f64(dims(2), 0, 0)},
		{"max over nonempty axis of empty", "max", ax(1), iota64(0, 3), iota64(0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantArray(t, evalOp(t, c.op, c.p, c.x), c.want)
		})
	}
}

func TestReduceErrors(t *testing.T) {
	b := graph.NewBuilder()
	x := typed(b, dtype.Float64, 2, 3)
	_, err := optable.Build(b, "sum", optable.Params{"axis": 2.0}, []*graph.Variable{x})
	wantErr(t, err, graph.KindValue, "sum", "axis 2 is out of bounds")
	_, err = optable.Build(b, "sum", optable.Params{"axis": []any{0.0, -2.0}}, []*graph.Variable{x})
	wantErr(t, err, graph.KindValue, "sum", "duplicate axis 0")
	_, err = optable.Build(b, "mean", optable.Params{"keepdims": "yes"}, []*graph.Variable{x})
	wantErr(t, err, graph.KindType, "mean", "keepdims")
	_, err = optable.Build(b, "max", nil, []*graph.Variable{typed(b, dtype.Complex64, 2)})
	wantErr(t, err, graph.KindType, "max", "complex")
	_, err = optable.Build(b, "max", nil, []*graph.Variable{typed(b, dtype.Float64, 0, 3)})
	wantErr(t, err, graph.KindValue, "max", "zero-size")
	wantErr(t, evalErr(t, "min", nil, iota64(0)), graph.KindValue, "min", "no identity")
	wantErr(t, evalErr(t, "max", optable.Params{"axis": 0.0}, iota64(0, 3)), graph.KindValue, "max", "no identity")

	v, err := optable.Build(b, "sum", optable.Params{"axis": -1.0, "keepdims": true}, []*graph.Variable{typed(b, dtype.Int8, graph.Unknown, 3)})
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, dtype.Int64, graph.Unknown, 1)
}

func TestReducePullbacks(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	params := []optable.Params{
		nil,
		{"axis": 1.0},
		{"axis": []any{0.0, 2.0}},
		{"axis": -1.0, "keepdims": true},
	}
	for _, op := range []string{"sum", "prod", "max", "min", "mean"} {
		for _, p := range params {
			x := opstest.Rand(rng, 2, 3, 2) // distinct values: no ties for max and min
			if op == "prod" {
				x = shift(x, 2) // away from zero
			}
			opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return optable.Apply(e, op, p, in[0])
			}, x)
		}
	}
}
