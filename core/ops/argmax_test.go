package ops_test

import (
	"math"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
	"theanogo/pyapi/optable"
)

// argmax and argmin return the first extreme's int64 position, NaN being
// extreme, flattened over the reduced axes as numpy does for axis=None.
func TestArgMaxMin(t *testing.T) {
	nan := math.NaN()
	m := f64(dims(2, 3), 1, 5, 5, 7, 0, 2) // [[1 5 5] [7 0 2]]
	axis := func(a ...float64) optable.Params {
		list := make([]any, len(a))
		for i, v := range a {
			list[i] = v
		}
		return optable.Params{"axis": list}
	}
	cases := []struct {
		name string
		op   string
		p    optable.Params
		x    *tensor.Array
		want *tensor.Array
	}{
		{"argmax rows, first tie", "argmax", axis(1), m, i64(dims(2), 1, 0)},
		{"argmin rows", "argmin", axis(1), m, i64(dims(2), 0, 1)},
		{"argmax columns", "argmax", axis(0), m, i64(dims(3), 1, 0, 0)},
		{"negative axis", "argmin", axis(-2), m, i64(dims(3), 0, 1, 1)},
		{"axis=None flattens", "argmax", nil, m, i64(nil, 3)},
		{"argmin axis=None", "argmin", nil, m, i64(nil, 4)},
		{"keepdims", "argmax", optable.Params{"axis": 1.0, "keepdims": true}, m, i64(dims(2, 1), 1, 0)},
		{"axis=None keepdims", "argmin", optable.Params{"keepdims": true}, m, i64(dims(1, 1), 4)},
		{"both axes as a list", "argmax", axis(0, 1), m, i64(nil, 3)},
		{"NaN wins argmax", "argmax", nil, f64(dims(4), 1, nan, 9, nan), i64(nil, 1)},
		{"NaN wins argmin", "argmin", nil, f64(dims(3), 1, -5, nan), i64(nil, 2)},
		{"int8", "argmin", nil, arr(dtype.Int8, dims(3), 3, -128, -128), i64(nil, 1)},
		{"bool", "argmax", nil, tensor.FromBools(dims(3), []bool{false, true, true}), i64(nil, 1)},
		{"uint64 above int64", "argmax", nil, tensor.FromInt64s(dtype.Uint64, dims(2), []int64{1, -1}), i64(nil, 1)},
		{"empty rows, nonempty axis", "argmax", axis(1), iota64(0, 3), i64(dims(0))},
	}
	// A tensor3 reduced over axes (0, 2): the index runs over (i, k) in C order.
	t3 := f64(dims(2, 2, 2), 0, 1, 2, 3, 9, 4, 5, 8) // t3[1,0,0] = 9 and t3[1,1,1] = 8 are the column maxima
	cases = append(cases, struct {
		name string
		op   string
		p    optable.Params
		x    *tensor.Array
		want *tensor.Array
	}{"axes 0 and 2", "argmax", axis(0, 2), t3, i64(dims(2), 2, 3)})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantArray(t, evalOp(t, c.op, c.p, c.x), c.want)
		})
	}
}

func TestArgMaxErrors(t *testing.T) {
	b := graph.NewBuilder()
	_, err := optable.Build(b, "argmax", nil, []*graph.Variable{typed(b, dtype.Float64, 3, 0)})
	wantErr(t, err, graph.KindValue, "argmax", "empty")
	_, err = optable.Build(b, "argmin", optable.Params{"axis": 2.0}, []*graph.Variable{typed(b, dtype.Float64, 3, 2)})
	wantErr(t, err, graph.KindValue, "argmin", "axis 2 is out of bounds")
	_, err = optable.Build(b, "argmax", nil, []*graph.Variable{typed(b, dtype.Complex64, 3)})
	wantErr(t, err, graph.KindType, "argmax", "complex")
	_, err = optable.Build(b, "argmax", optable.Params{"axis": "rows"}, []*graph.Variable{typed(b, dtype.Float64, 3)})
	wantErr(t, err, graph.KindType, "argmax")
	wantErr(t, evalErr(t, "argmin", nil, iota64(0)), graph.KindValue, "argmin", "empty")
	wantErr(t, evalErr(t, "argmax", optable.Params{"axis": 0.0}, iota64(0, 2)), graph.KindValue, "argmax", "empty")

	v, err := optable.Build(b, "argmax", optable.Params{"axis": -1.0}, []*graph.Variable{typed(b, dtype.Float32, graph.Unknown, 4)})
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, dtype.Int64, graph.Unknown)
}
