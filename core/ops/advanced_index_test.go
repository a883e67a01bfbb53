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

// Integer-array indexing of the leading dimensions follows numpy: the index
// arrays broadcast together, negative indices count from the end, and the
// remaining dimensions of x stay whole. Expected values are worked out by
// hand on x = 0..4, m[i, j] = 4i + j (3×4) and t[i, j, k] = 12i + 4j + k.
func TestAdvancedSubtensorValues(t *testing.T) {
	x, m, t3 := iota64(5), iota64(3, 4), iota64(2, 3, 4)
	cases := []struct {
		name string
		ins  []*tensor.Array
		want *tensor.Array
	}{
		{"x[[3, -1, 0, 3]]", []*tensor.Array{x, i64(dims(4), 3, -1, 0, 3)}, f64(dims(4), 3, 4, 0, 3)},
		{"x[[]]", []*tensor.Array{x, i64(dims(0))}, f64(dims(0))},
		{"x[int32 [1, 0]]", []*tensor.Array{x, arr(dtype.Int32, dims(2), 1, 0)}, f64(dims(2), 1, 0)},
		{"x[uint8 [[4, 0], [1, 1]]]", []*tensor.Array{x, arr(dtype.Uint8, dims(2, 2), 4, 0, 1, 1)}, f64(dims(2, 2), 4, 0, 1, 1)},
		{"m[[2, 0]]", []*tensor.Array{m, i64(dims(2), 2, 0)}, f64(dims(2, 4), 8, 9, 10, 11, 0, 1, 2, 3)},
		{"m[[[0], [-1]]]", []*tensor.Array{m, i64(dims(2, 1), 0, -1)}, f64(dims(2, 1, 4), 0, 1, 2, 3, 8, 9, 10, 11)},
		{"m[[0, 2, -1], [1, 3, 0]]", []*tensor.Array{m, i64(dims(3), 0, 2, -1), i64(dims(3), 1, 3, 0)}, f64(dims(3), 1, 11, 8)},
		// a column of rows against a row of columns: the outer product of the indices
		{"m[[[0], [2]], [1, 3]]", []*tensor.Array{m, i64(dims(2, 1), 0, 2), i64(dims(2), 1, 3)}, f64(dims(2, 2), 1, 3, 9, 11)},
		{"m[[0, 2], 1]", []*tensor.Array{m, i64(dims(2), 0, 2), i64(nil, 1)}, f64(dims(2), 1, 9)},
		{"t[[1, 0], [2, 2]]", []*tensor.Array{t3, i64(dims(2), 1, 0), i64(dims(2), 2, 2)}, f64(dims(2, 4), 20, 21, 22, 23, 8, 9, 10, 11)},
		{"int m[[1]]", []*tensor.Array{i64(dims(2, 2), 5, 6, 7, 8), i64(dims(1), 1)}, i64(dims(1, 2), 7, 8)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantArray(t, evalOp(t, advancedSubtensor, c.ins...), c.want)
		})
	}
}

// The static shape is the index arrays' broadcast shape, then x's
// remaining dimensions; errors name the op and the input types.
func TestAdvancedSubtensorTypes(t *testing.T) {
	b := graph.NewBuilder()
	x := typed(b, dtype.Float32, 5, graph.Unknown, 1)
	iv := typed(b, dtype.Int32, graph.Unknown)
	cases := []struct {
		idx  []*graph.Variable
		want []int
	}{
		{[]*graph.Variable{iv}, dims(graph.Unknown, graph.Unknown, 1)},
		{[]*graph.Variable{b.Constant(i64(dims(3), 0, 0, 1))}, dims(3, graph.Unknown, 1)},
		{[]*graph.Variable{typed(b, dtype.Int64, graph.Unknown, 1), typed(b, dtype.Int8, 4)}, dims(graph.Unknown, 4, 1)},
		{[]*graph.Variable{typed(b, dtype.Int64, 2), typed(b, dtype.Int64, 1)}, dims(2, 1)},
		{[]*graph.Variable{typed(b, dtype.Int64), iv, typed(b, dtype.Uint16, 1)}, dims(graph.Unknown)},
	}
	for _, c := range cases {
		v, err := ops.AdvancedSubtensor(b, x, c.idx...)
		if err != nil {
			t.Fatal(err)
		}
		wantType(t, v, dtype.Float32, c.want...)
	}

	bad := []struct {
		ins    []*graph.Variable
		kind   graph.ErrorKind
		substr string
	}{
		{[]*graph.Variable{x, typed(b, dtype.Float64, 3)}, graph.KindType, "integer tensor"},
		{[]*graph.Variable{x, typed(b, dtype.Bool, 3)}, graph.KindType, "integer tensor"},
		{[]*graph.Variable{x, iv, iv, iv, iv}, graph.KindType, "too many indices"},
		{[]*graph.Variable{x, typed(b, dtype.Int64, 2), typed(b, dtype.Int64, 3)}, graph.KindValue, "cannot be broadcast"},
	}
	for _, c := range bad {
		_, err := ops.AdvancedSubtensor(b, c.ins[0], c.ins[1:]...)
		wantErr(t, err, c.kind, "advanced_subtensor", c.substr, "float32")
	}
	_, err := ops.AdvancedSubtensor(b, x)
	wantErr(t, err, graph.KindType, "advanced_subtensor", "at least 2 inputs")
	// Out of range, and lengths known only at evaluation that do not broadcast.
	m := iota64(3, 4)
	wantErr(t, evalErr(t, advancedSubtensor, m, i64(dims(2), 0, 3)), graph.KindIndex,
		"advanced_subtensor", "index 3 is out of bounds for axis 0 with size 3")
	wantErr(t, evalErr(t, advancedSubtensor, m, i64(dims(2), 0, -4)), graph.KindIndex, "index -4 is out of bounds")
	wantErr(t, evalErr(t, advancedSubtensor, m, i64(dims(2), 0, 1), i64(dims(2), 0, 4)), graph.KindIndex,
		"index 4 is out of bounds for axis 1 with size 4")
	wantErr(t, evalErr(t, advancedSubtensor, m, i64(dims(2), 0, 1), i64(dims(3), 0, 1, 2)), graph.KindValue,
		"advanced_subtensor", "shape mismatch")
}

// inc accumulates where an index repeats (np.add.at); set keeps the last write.
func TestAdvancedIncSubtensorValues(t *testing.T) {
	zeros := f64(dims(5), 0, 0, 0, 0, 0)
	idx := i64(dims(4), 0, 2, 2, -1)
	y := f64(dims(4), 1, 2, 3, 4)
	wantArray(t, evalOp(t, advancedInc(false), zeros, y, idx), f64(dims(5), 1, 0, 5, 0, 4))
	wantArray(t, evalOp(t, advancedInc(true), zeros, y, idx), f64(dims(5), 1, 0, 3, 0, 4))
	// A scalar y broadcasts to every selected element, three times into x[1].
	wantArray(t, evalOp(t, advancedInc(false), iota64(5), f64(nil, 10), i64(dims(3), 1, 1, 1)), f64(dims(5), 0, 31, 2, 3, 4))

	m := iota64(2, 3) // [[0 1 2] [3 4 5]]
	// Rows: a row y (static length 1) broadcasts over the selected rows.
	wantArray(t, evalOp(t, advancedInc(false), m, f64(dims(1, 3), 10, 20, 30), i64(dims(2), 1, 1)),
		f64(dims(2, 3), 0, 1, 2, 23, 44, 65))
	// Elements: two index arrays.
	wantArray(t, evalOp(t, advancedInc(true), m, f64(dims(2), -1, -2), i64(dims(2), 0, 1), i64(dims(2), 2, 0)),
		f64(dims(2, 3), 0, 1, -1, -2, 4, 5))
	// Integer arrays stay integer.
	wantArray(t, evalOp(t, advancedInc(false), i64(dims(3), 1, 2, 3), arr(dtype.Int8, nil, -5), i64(dims(2), 0, 0)),
		i64(dims(3), -9, 2, 3))

	b := graph.NewBuilder()
	iv := typed(b, dtype.Int64, graph.Unknown)
	_, err := ops.AdvancedIncSubtensor(b, typed(b, dtype.Int32, 5), typed(b, dtype.Float32), iv)
	wantErr(t, err, graph.KindType, "advanced_inc_subtensor", "float32", "int32")
	_, err = ops.AdvancedSetSubtensor(b, typed(b, dtype.Float64, 5, 3), typed(b, dtype.Float64, 2), iv)
	wantErr(t, err, graph.KindValue, "advanced_set_subtensor", "does not fit")
	_, err = ops.AdvancedIncSubtensor(b, typed(b, dtype.Float64, 5), typed(b, dtype.Float64, 3))
	wantErr(t, err, graph.KindType, "advanced_inc_subtensor", "at least 3 inputs")
	_, err = ops.AdvancedIncSubtensor(b, typed(b, dtype.Float64, 5), typed(b, dtype.Float64, 3), typed(b, dtype.Float64, 3))
	wantErr(t, err, graph.KindType, "advanced_inc_subtensor", "integer tensor")
	// Known only at evaluation: y does not fit, or an index is out of range.
	wantErr(t, evalErr(t, advancedInc(false), zeros, f64(dims(3), 1, 2, 3), idx), graph.KindValue, "does not fit")
	wantErr(t, evalErr(t, advancedInc(true), zeros, y, i64(dims(4), 0, 1, 2, 5)), graph.KindIndex,
		"advanced_set_subtensor", "index 5 is out of bounds for axis 0 with size 5")
}

// Gradients against finite differences. Repeated indices make the gradient
// with respect to x accumulate, which the random cost weights would expose.
func TestAdvancedSubtensorPullback(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	constant := func(e *ops.Expr, a *tensor.Array) *graph.Variable { return e.B.Constant(a) }
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return e.AdvancedSubtensor(in[0], constant(e, i64(dims(5), 0, 2, 2, -1, 2)))
	}, opstest.Rand(rng, 3, 4))
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return e.AdvancedSubtensor(in[0], constant(e, i64(dims(2, 1), 1, 1)), constant(e, i64(dims(3), 0, -1, 0)))
	}, opstest.Rand(rng, 3, 4))
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return e.AdvancedSubtensor(in[0], constant(e, i64(dims(2, 2), 0, 1, 1, 1)))
	}, opstest.Rand(rng, 2, 3, 2))
	// A symbolic index input gets no gradient.
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return e.AdvancedSubtensor(in[0], in[1])
	}, opstest.Rand(rng, 4), i64(dims(3), 3, 3, 0))
}

func TestAdvancedIncSubtensorPullback(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	constant := func(e *ops.Expr, a *tensor.Array) *graph.Variable { return e.B.Constant(a) }
	for _, name := range []string{"advanced_inc_subtensor", "advanced_set_subtensor"} {
		f := advancedInc(name == "advanced_set_subtensor")
		t.Run(name, func(t *testing.T) {
			rows := i64(dims(3), 2, 0, -2)
			if name == "advanced_inc_subtensor" {
				rows = i64(dims(3), 2, 0, 2) // repeats: every write of y gets the gradient
			}
			opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return apply(e, f, in[0], in[1], constant(e, rows))
			}, opstest.Rand(rng, 3, 4), opstest.Rand(rng, 3, 4))
			// y broadcast along the selected rows and padded on the left
			opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return apply(e, f, in[0], in[1], constant(e, rows))
			}, opstest.Rand(rng, 3, 4), opstest.Rand(rng, 1, 4))
			opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return apply(e, f, in[0], in[1], constant(e, i64(dims(2), 0, 1)), constant(e, i64(dims(2), -1, 1)))
			}, opstest.Rand(rng, 3, 4), opstest.Rand(rng, 2))
		})
	}
}

// categorical_crossentropy takes integer labels (Theano's 1-hot form) or
// one-hot rows, with the same value and gradient.
func TestCategoricalCrossentropy(t *testing.T) {
	coding := f64(dims(2, 2), 0.25, 0.75, 0.5, 0.5)
	want := f64(dims(2), -math.Log(0.75), -math.Log(0.5))
	for _, target := range []*tensor.Array{i64(dims(2), 1, 0), arr(dtype.Int32, dims(2), 1, 0), f64(dims(2, 2), 0, 1, 1, 0)} {
		b := graph.NewBuilder()
		ins := opstest.Inputs(b, []*tensor.Array{coding, target})
		out, err := ops.CategoricalCrossentropy(b, ins[0], ins[1])
		if err != nil {
			t.Fatal(err)
		}
		wantType(t, out, dtype.Float64, graph.Unknown)
		got, err := evalRun(out, map[*graph.Variable]*tensor.Array{ins[0]: coding, ins[1]: target})
		if err != nil {
			t.Fatal(err)
		}
		wantArray(t, got, want)
	}
	rng := rand.New(rand.NewPCG(10, 10))
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return apply(e, binary(ops.CategoricalCrossentropy), in[0], e.B.Constant(i64(dims(4), 2, 0, 2, 1)))
	}, shift(opstest.Rand(rng, 4, 3), 2))

	b := graph.NewBuilder()
	_, err := ops.CategoricalCrossentropy(b, typed(b, dtype.Float64, 2, 2), typed(b, dtype.Float64, 2))
	wantErr(t, err, graph.KindType, "categorical_crossentropy", "integer vector")
	wantErr(t, evalErr(t, binary(ops.CategoricalCrossentropy), coding, i64(dims(2), 1, 2)), graph.KindIndex, "index 2 is out of bounds for axis 1")
	wantErr(t, evalErr(t, binary(ops.CategoricalCrossentropy), coding, i64(dims(3), 1, 0, 0)), graph.KindValue, "shape mismatch")
}

// advancedSubtensor is x[idx...] with x and the index arrays as inputs.
func advancedSubtensor(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
	return ops.AdvancedSubtensor(b, in[0], in[1:]...)
}

// advancedInc is advanced_inc_subtensor (set false) or
// advanced_set_subtensor of x, y and the index arrays.
func advancedInc(set bool) build {
	f := ops.AdvancedIncSubtensor
	if set {
		f = ops.AdvancedSetSubtensor
	}
	return func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
		return f(b, in[0], in[1], in[2:]...)
	}
}
