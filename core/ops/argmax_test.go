package ops_test

import (
	"math"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// argmax and argmin return the first extreme's int64 position, NaN being
// extreme, flattened over the reduced axes as numpy does for axis=None.
func TestArgMaxMin(t *testing.T) {
	nan := math.NaN()
	m := f64(dims(2, 3), 1, 5, 5, 7, 0, 2) // [[1 5 5] [7 0 2]]
	cases := []struct {
		name string
		op   build
		x    *tensor.Array
		want *tensor.Array
	}{
		{"argmax rows, first tie", reduceBy(ops.ArgMax, []int{1}, false), m, i64(dims(2), 1, 0)},
		{"argmin rows", reduceBy(ops.ArgMin, []int{1}, false), m, i64(dims(2), 0, 1)},
		{"argmax columns", reduceBy(ops.ArgMax, []int{0}, false), m, i64(dims(3), 1, 0, 0)},
		{"negative axis", reduceBy(ops.ArgMin, []int{-2}, false), m, i64(dims(3), 0, 1, 1)},
		{"axis=None flattens", reduceBy(ops.ArgMax, nil, false), m, i64(nil, 3)},
		{"argmin axis=None", reduceBy(ops.ArgMin, nil, false), m, i64(nil, 4)},
		{"keepdims", reduceBy(ops.ArgMax, []int{1}, true), m, i64(dims(2, 1), 1, 0)},
		{"axis=None keepdims", reduceBy(ops.ArgMin, nil, true), m, i64(dims(1, 1), 4)},
		{"both axes as a list", reduceBy(ops.ArgMax, []int{0, 1}, false), m, i64(nil, 3)},
		{"NaN wins argmax", reduceBy(ops.ArgMax, nil, false), f64(dims(4), 1, nan, 9, nan), i64(nil, 1)},
		{"NaN wins argmin", reduceBy(ops.ArgMin, nil, false), f64(dims(3), 1, -5, nan), i64(nil, 2)},
		{"int8", reduceBy(ops.ArgMin, nil, false), arr(dtype.Int8, dims(3), 3, -128, -128), i64(nil, 1)},
		{"bool", reduceBy(ops.ArgMax, nil, false), tensor.FromBools(dims(3), []bool{false, true, true}), i64(nil, 1)},
		{"uint64 above int64", reduceBy(ops.ArgMax, nil, false), tensor.FromInt64s(dtype.Uint64, dims(2), []int64{1, -1}), i64(nil, 1)},
		{"empty rows, nonempty axis", reduceBy(ops.ArgMax, []int{1}, false), iota64(0, 3), i64(dims(0))},
	}
	// A tensor3 reduced over axes (0, 2): the index runs over (i, k) in C order.
	t3 := f64(dims(2, 2, 2), 0, 1, 2, 3, 9, 4, 5, 8) // t3[1,0,0] = 9 and t3[1,1,1] = 8 are the column maxima
	cases = append(cases, struct {
		name string
		op   build
		x    *tensor.Array
		want *tensor.Array
	}{"axes 0 and 2", reduceBy(ops.ArgMax, []int{0, 2}, false), t3, i64(dims(2), 2, 3)})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantArray(t, evalOp(t, c.op, c.x), c.want)
		})
	}
}

func TestArgMaxErrors(t *testing.T) {
	b := graph.NewBuilder()
	_, err := ops.ArgMax(b, typed(b, dtype.Float64, 3, 0), nil, false)
	wantErr(t, err, graph.KindValue, "argmax", "empty")
	_, err = ops.ArgMin(b, typed(b, dtype.Float64, 3, 2), []int{2}, false)
	wantErr(t, err, graph.KindValue, "argmin", "axis 2 is out of bounds")
	_, err = ops.ArgMax(b, typed(b, dtype.Complex64, 3), nil, false)
	wantErr(t, err, graph.KindType, "argmax", "complex")
	wantErr(t, evalErr(t, reduceBy(ops.ArgMin, nil, false), iota64(0)), graph.KindValue, "argmin", "empty")
	wantErr(t, evalErr(t, reduceBy(ops.ArgMax, []int{0}, false), iota64(0, 2)), graph.KindValue, "argmax", "empty")

	v, err := ops.ArgMax(b, typed(b, dtype.Float32, graph.Unknown, 4), []int{-1}, false)
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, dtype.Int64, graph.Unknown)
}
