package ops_test

import (
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/shape"
	"theanogo/core/tensor"
)

// none is a slice's absent start, stop or step.
var none any = nil

// Basic indexing follows Python: negative indices count from the end, slices
// clamp to the bounds, negative steps walk backwards. Expected values are
// worked out by hand on x = 0..9 and on m[i, j] = 10i + j.
func TestSubtensorValues(t *testing.T) {
	x := iota64(10)
	vec := []struct {
		name  string
		p     []ops.IndexItem
		shape []int
		want  []float64
	}{
		{"x[3]", items(3), nil, []float64{3}},
		{"x[-1]", items(-1), nil, []float64{9}},
		{"x[2:5]", items([3]any{2, 5, none}), dims(3), []float64{2, 3, 4}},
		{"x[::-3]", items([3]any{none, none, -3}), dims(4), []float64{9, 6, 3, 0}},
		{"x[8:2:-2]", items([3]any{8, 2, -2}), dims(3), []float64{8, 6, 4}},
		{"x[-100:100]", items([3]any{-100, 100, none}), dims(10), []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"x[5:2]", items([3]any{5, 2, none}), dims(0), nil},
		{"x[-3:]", items([3]any{-3, none, none}), dims(3), []float64{7, 8, 9}},
		{"x[:-7:-3]", items([3]any{none, -7, -3}), dims(2), []float64{9, 6}},
		{"x[100::-4]", items([3]any{100, none, -4}), dims(3), []float64{9, 5, 1}},
		{"x[1:2:100]", items([3]any{1, 2, 100}), dims(1), []float64{1}},
		{"x[]", items(), dims(10), []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
	}
	for _, c := range vec {
		t.Run(c.name, func(t *testing.T) {
			wantArray(t, evalOp(t, subtensor(c.p), x), f64(c.shape, c.want...))
		})
	}

	m := f64(dims(3, 4), 0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23)
	mat := []struct {
		name  string
		p     []ops.IndexItem
		shape []int
		want  []float64
	}{
		{"m[1]", items(1), dims(4), []float64{10, 11, 12, 13}},
		{"m[:, 2]", items([3]any{none, none, none}, 2), dims(3), []float64{2, 12, 22}},
		{"m[-1, ::-1]", items(-1, [3]any{none, none, -1}), dims(4), []float64{23, 22, 21, 20}},
		{"m[1:, 1:3]", items([3]any{1, none, none}, [3]any{1, 3, none}), dims(2, 2), []float64{11, 12, 21, 22}},
		{"m[0:0]", items([3]any{0, 0, none}), dims(0, 4), nil},
		{"m[::2, -1]", items([3]any{none, none, 2}, -1), dims(2), []float64{3, 23}},
		{"m[2, 0]", items(2, 0), nil, []float64{20}},
	}
	for _, c := range mat {
		t.Run(c.name, func(t *testing.T) {
			wantArray(t, evalOp(t, subtensor(c.p), m), f64(c.shape, c.want...))
		})
	}
}

// Symbolic index entries are scalar inputs, consumed in order.
func TestSubtensorSymbolic(t *testing.T) {
	m := f64(dims(3, 4), 0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23)
	b := graph.NewBuilder()
	x := typed(b, dtype.Float64, graph.Unknown, graph.Unknown)
	i, j, k := typed(b, dtype.Int32), typed(b, dtype.Int64), typed(b, dtype.Int8)
	// m[i, j::k]
	out, err := ops.Subtensor(b, x, items("input", [3]any{"input", none, "input"}), i, j, k)
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, out, dtype.Float64, graph.Unknown)
	vals := map[*graph.Variable]*tensor.Array{x: m, i: arr(dtype.Int32, nil, -2), j: i64(nil, 3), k: arr(dtype.Int8, nil, -2)}
	got, err := evalRun(out, vals)
	if err != nil {
		t.Fatal(err)
	}
	wantArray(t, got, f64(dims(2), 13, 11)) // m[1, 3::-2]

	vals[i] = arr(dtype.Int32, nil, 3)
	_, err = evalRun(out, vals)
	wantErr(t, err, graph.KindIndex, "index 3 is out of bounds for axis 0 with size 3")
	vals[i], vals[k] = arr(dtype.Int32, nil, 0), arr(dtype.Int8, nil, 0)
	_, err = evalRun(out, vals)
	wantErr(t, err, graph.KindValue, "step cannot be zero")

	// Shape inference needs the values of slice entries (constants), not of
	// integer indices, which only drop a dimension.
	c := b.Constant(i64(nil, 2))
	out, _ = ops.Subtensor(b, x, items([3]any{none, "input", none}), c)
	opstest.CheckInferShape(t, []*graph.Variable{out}, map[*graph.Variable]*tensor.Array{x: m})
	out, _ = ops.Subtensor(b, x, items("input", [3]any{1, none, none}), i)
	opstest.CheckInferShape(t, []*graph.Variable{out}, map[*graph.Variable]*tensor.Array{x: m, i: arr(dtype.Int32, nil, 0)})
	// With a symbolic start, the symbolic shape rule gives a length that is
	// an expression of j (no constant), computed once j is known.
	out, _ = ops.Subtensor(b, x, items([3]any{"input", none, none}), j)
	lengths, err := shape.NewTracker(b).Of(out)
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := ops.Value(lengths[0]); ok {
		t.Errorf("x[j:] has the constant length %d", n)
	}
	got, err = evalRun(lengths[0], map[*graph.Variable]*tensor.Array{x: m, j: i64(nil, -1)})
	if err != nil || got.Int64s()[0] != 1 {
		t.Errorf("len(x[-1:]) = %v, %v; want 1", got, err)
	}
}

// The static shape is computed from constant items and known lengths.
func TestSubtensorTypes(t *testing.T) {
	b := graph.NewBuilder()
	x := typed(b, dtype.Float32, 10, graph.Unknown, 1)
	n := typed(b, dtype.Int64)
	cases := []struct {
		p    []ops.IndexItem
		idx  []*graph.Variable
		want []int
	}{
		{items([3]any{2, 5, none}), nil, dims(3, graph.Unknown, 1)},
		{items([3]any{none, none, -3}), nil, dims(4, graph.Unknown, 1)},
		{items(0, [3]any{none, none, none}), nil, dims(graph.Unknown, 1)},
		{items(0, [3]any{none, none, -1}, 0), nil, dims(graph.Unknown)},
		{items(0, [3]any{1, none, none}), nil, dims(graph.Unknown, 1)},
		{items([3]any{"input", none, none}), []*graph.Variable{n}, dims(graph.Unknown, graph.Unknown, 1)},
		{items(-10), nil, dims(graph.Unknown, 1)},
	}
	for _, c := range cases {
		v, err := ops.Subtensor(b, x, c.p, c.idx...)
		if err != nil {
			t.Fatalf("%v: %v", c.p, err)
		}
		wantType(t, v, dtype.Float32, c.want...)
	}

	bad := []struct {
		p      []ops.IndexItem
		ins    []*graph.Variable
		kind   graph.ErrorKind
		substr string
	}{
		{items(10), []*graph.Variable{x}, graph.KindIndex, "index 10 is out of bounds for axis 0 with size 10"},
		{items(-11), []*graph.Variable{x}, graph.KindIndex, "out of bounds"},
		{items([3]any{none, none, 0}), []*graph.Variable{x}, graph.KindValue, "step cannot be zero"},
		{items(0, 0, 0, 0), []*graph.Variable{x}, graph.KindType, "too many indices"},
		{items("input"), []*graph.Variable{x}, graph.KindType, "needs 1 index inputs, got 0"},
		{items("input"), []*graph.Variable{x, typed(b, dtype.Float64)}, graph.KindType, "integer scalar"},
		{items("input"), []*graph.Variable{x, typed(b, dtype.Int64, 2)}, graph.KindType, "integer scalar"},
		{[]ops.IndexItem{{Slice: true, Entries: []ops.IndexEntry{{Kind: ops.EntryConst, Value: 1}}}}, []*graph.Variable{x}, graph.KindType, "slice"},
		{[]ops.IndexItem{{Entries: []ops.IndexEntry{{Kind: ops.EntryNone}}}}, []*graph.Variable{x}, graph.KindType, "index"},
	}
	for _, c := range bad {
		_, err := ops.Subtensor(b, c.ins[0], c.p, c.ins[1:]...)
		wantErr(t, err, c.kind, "subtensor", c.substr)
	}
	// An integer index out of range for a length known only at evaluation.
	wantErr(t, evalErr(t, subtensor(items(-4)), iota64(3)), graph.KindIndex, "index -4 is out of bounds")
}

func TestSubtensorPullback(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	cases := [][]ops.IndexItem{
		items(1),
		items([3]any{none, none, -2}, 1),
		items([3]any{1, 100, none}, [3]any{-1, 0, -1}),
		items(-1, [3]any{0, 0, none}),
	}
	for _, p := range cases {
		opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return apply(e, subtensor(p), in[0])
		}, opstest.Rand(rng, 3, 4))
	}
	// Symbolic indices: the integer inputs get no gradient.
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return apply(e, subtensor(items("input", [3]any{"input", none, none})), in[0], in[1], in[2])
	}, opstest.Rand(rng, 3, 4), i64(nil, -1), i64(nil, 1))
}

// inc_subtensor adds y into a copy of x at the selection; set_subtensor stores it.
func TestIncSubtensorValues(t *testing.T) {
	x := iota64(5)
	wantArray(t, evalOp(t, incSubtensor(false, items([3]any{1, 3, none})), x, f64(dims(2), 10, 20)), f64(dims(5), 0, 11, 22, 3, 4))
	wantArray(t, evalOp(t, incSubtensor(true, items([3]any{1, 3, none})), x, f64(dims(2), 10, 20)), f64(dims(5), 0, 10, 20, 3, 4))
	wantArray(t, evalOp(t, incSubtensor(false, items([3]any{none, none, -2})), x, f64(nil, 1)), f64(dims(5), 1, 1, 3, 3, 5))
	wantArray(t, evalOp(t, incSubtensor(true, items(-1)), x, f64(nil, 7)), f64(dims(5), 0, 1, 2, 3, 7))

	m := iota64(2, 3) // [[0 1 2] [3 4 5]]
	// A row y (static length 1) broadcasts over the selected rows.
	wantArray(t, evalOp(t, incSubtensor(false, items([3]any{none, none, none}, [3]any{1, none, none})), m, f64(dims(1, 2), 10, 20)),
		f64(dims(2, 3), 0, 11, 22, 3, 14, 25))
	// A lower-rank y is padded on the left.
	wantArray(t, evalOp(t, incSubtensor(true, nil), m, f64(dims(3), 7, 8, 9)), f64(dims(2, 3), 7, 8, 9, 7, 8, 9))
	// Integer arrays stay integer.
	wantArray(t, evalOp(t, incSubtensor(false, items(0)), i64(dims(3), 1, 2, 3), arr(dtype.Int8, nil, -5)), i64(dims(3), -4, 2, 3))

	b := graph.NewBuilder()
	xi := typed(b, dtype.Int32, 5)
	_, err := ops.IncSubtensor(b, xi, typed(b, dtype.Float32), items(0))
	wantErr(t, err, graph.KindType, "inc_subtensor", "float32", "int32")
	_, err = ops.SetSubtensor(b, typed(b, dtype.Float64, 5), typed(b, dtype.Float64, 3), items([3]any{1, 3, none}))
	wantErr(t, err, graph.KindValue, "set_subtensor", "does not fit")
	_, err = ops.IncSubtensor(b, typed(b, dtype.Float64, 5), typed(b, dtype.Float64, 1), items(0))
	wantErr(t, err, graph.KindValue, "more dimensions")
	// y of unknown length that turns out not to fit.
	wantErr(t, evalErr(t, incSubtensor(false, items([3]any{1, 3, none})), x, f64(dims(3), 1, 2, 3)), graph.KindValue, "does not fit")
}

func TestIncSubtensorPullback(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, name := range []string{"inc_subtensor", "set_subtensor"} {
		set := name == "set_subtensor"
		t.Run(name, func(t *testing.T) {
			p := items([3]any{none, none, -1}, [3]any{1, none, none})
			opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return apply(e, incSubtensor(set, p), in[0], in[1])
			}, opstest.Rand(rng, 3, 4), opstest.Rand(rng, 3, 3))
			// y broadcast along the rows and padded on the left
			opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return apply(e, incSubtensor(set, p), in[0], in[1])
			}, opstest.Rand(rng, 3, 4), opstest.Rand(rng, 1, 3))
			opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return apply(e, incSubtensor(set, items(1)), in[0], in[1])
			}, opstest.Rand(rng, 3, 4), opstest.Rand(rng, 4))
		})
	}
}

// arange follows numpy.arange, with integer inputs giving int64.
func TestARange(t *testing.T) {
	s := func(dt dtype.DType, v float64) *tensor.Array { return arr(dt, nil, v) }
	cases := []struct {
		name             string
		start, stop, stp *tensor.Array
		dt               dtype.DType
		want             *tensor.Array
	}{
		{"0,10,3", i64(nil, 0), i64(nil, 10), i64(nil, 3), dtype.Invalid, i64(dims(4), 0, 3, 6, 9)},
		{"10,0,-3", i64(nil, 10), i64(nil, 0), i64(nil, -3), dtype.Invalid, i64(dims(4), 10, 7, 4, 1)},
		{"5,1,1", i64(nil, 5), i64(nil, 1), i64(nil, 1), dtype.Invalid, i64(dims(0))},
		{"-3,3,2 int8", s(dtype.Int8, -3), s(dtype.Int8, 3), s(dtype.Int8, 2), dtype.Invalid, i64(dims(3), -3, -1, 1)},
		{"0,1,0.25", s(dtype.Float64, 0), s(dtype.Float64, 1), s(dtype.Float64, 0.25), dtype.Invalid, f64(dims(4), 0, 0.25, 0.5, 0.75)},
		{"float32", s(dtype.Float32, 1), s(dtype.Float32, 2), s(dtype.Float32, 0.5), dtype.Invalid, arr(dtype.Float32, dims(2), 1, 1.5)},
		{"int, float", i64(nil, 0), s(dtype.Float64, 2.5), i64(nil, 1), dtype.Invalid, f64(dims(3), 0, 1, 2)},
		{"dtype", i64(nil, 1), i64(nil, 4), i64(nil, 1), dtype.Float32, arr(dtype.Float32, dims(3), 1, 2, 3)},
		{"0.5,-1,-0.5", s(dtype.Float64, 0.5), s(dtype.Float64, -1), s(dtype.Float64, -0.5), dtype.Invalid, f64(dims(3), 0.5, 0, -0.5)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := graph.NewBuilder()
			ins := opstest.Inputs(b, []*tensor.Array{c.start, c.stop, c.stp})
			out, err := ops.ARange(b, ins[0], ins[1], ins[2], c.dt)
			if err != nil {
				t.Fatal(err)
			}
			wantType(t, out, c.want.DType, graph.Unknown)
			got, err := evalRun(out, map[*graph.Variable]*tensor.Array{ins[0]: c.start, ins[1]: c.stop, ins[2]: c.stp})
			if err != nil {
				t.Fatal(err)
			}
			wantArray(t, got, c.want)
			// With constant inputs the length is static and shapes infer.
			cs := []*graph.Variable{b.Constant(c.start), b.Constant(c.stop), b.Constant(c.stp)}
			out, err = ops.ARange(b, cs[0], cs[1], cs[2], c.dt)
			if err != nil {
				t.Fatal(err)
			}
			wantType(t, out, c.want.DType, c.want.Shape...)
			wantArray(t, run(t, out, nil), c.want)
		})
	}
	wantErr(t, evalErr(t, arange, i64(nil, 0), i64(nil, 3), i64(nil, 0)), graph.KindValue, "arange", "step cannot be zero")
	b := graph.NewBuilder()
	zero := b.Constant(i64(nil, 0))
	_, err := ops.ARange(b, zero, zero, zero, dtype.Invalid)
	wantErr(t, err, graph.KindValue, "arange", "step cannot be zero")
	_, err = ops.ARange(b, zero, typed(b, dtype.Int64, 2), zero, dtype.Invalid)
	wantErr(t, err, graph.KindType, "arange", "scalar")
	_, err = ops.ARange(b, zero, typed(b, dtype.Complex128), zero, dtype.Invalid)
	wantErr(t, err, graph.KindType, "arange")
}

// arange is arange(start, stop, step) in numpy's default dtype.
func arange(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
	return ops.ARange(b, in[0], in[1], in[2], dtype.Invalid)
}
