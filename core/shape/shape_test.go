package shape_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/shape"
	"theanogo/core/tensor"
)

func ints(dt dtype.DType, v ...int64) *tensor.Array {
	if len(v) == 1 {
		return tensor.FromInt64s(dt, nil, v)
	}
	return tensor.FromInt64s(dt, []int{len(v)}, v)
}

func randArray(rng *rand.Rand, shape ...int) *tensor.Array {
	v := make([]float64, tensor.Size(shape))
	for i := range v {
		v[i] = rng.Float64()
	}
	return tensor.FromFloat64s(dtype.Float64, shape, v)
}

// checkShape compares the symbolic shape of out, evaluated, with the shape
// of out evaluated, and checks that the shape graph computes none of the
// ops listed in never.
func checkShape(t *testing.T, out *graph.Variable, values map[*graph.Variable]*tensor.Array, never ...string) {
	t.Helper()
	tr := shape.NewTracker(graph.NewBuilder())
	vec, err := tr.Vector(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range graph.Toposort([]*graph.Variable{vec}) {
		if slices.Contains(never, n.Op.Name()) {
			t.Errorf("the shape of %s computes %s:\n%s", graph.OpString(out.Owner.Op), n.Op.Name(), graph.Debugprint([]*graph.Variable{vec}))
		}
	}
	res, err := eval.Run([]*graph.Variable{out, vec}, values)
	if err != nil {
		t.Fatal(err)
	}
	got := res[1].Int64s()
	want := res[0].Shape
	if len(got) != len(want) {
		t.Fatalf("%s: symbolic shape %v, evaluated %v", graph.OpString(out.Owner.Op), got, want)
	}
	for i := range got {
		if int(got[i]) != want[i] {
			t.Fatalf("%s: symbolic shape %v, evaluated %v", graph.OpString(out.Owner.Op), got, want)
		}
	}
}

// The shape of exp(dot(x, x.T)) is (x.shape[0], x.shape[0]): no dot, no exp.
func TestShapeNeverComputesTheValue(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	e := ops.NewExpr(b)
	out := e.Exp(e.Dot(x, e.DimShuffle(x, []int{1, 0})))
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	checkShape(t, out, map[*graph.Variable]*tensor.Array{x: randArray(rng, 5, 3)}, "dot", "exp")
}

// Slices with symbolic and constant bounds and steps of both signs, on
// lengths unknown until run time, against numpy's rules as the evaluator
// implements them.
func TestSliceLengths(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for trial := 0; trial < 300; trial++ {
		n := rng.IntN(7)
		b := graph.NewBuilder()
		x := b.Input(graph.NewType(dtype.Float64, -1), "x")
		values := map[*graph.Variable]*tensor.Array{x: randArray(rng, n)}
		var ins []*graph.Variable
		entries := make([]ops.IndexEntry, 3)
		for k := range entries {
			v := rng.IntN(19) - 9
			if k == 2 && v == 0 {
				v = 1
			}
			switch rng.IntN(3) {
			case 0: // absent
			case 1:
				entries[k] = ops.IndexEntry{Kind: ops.EntryConst, Value: v}
			case 2:
				s := b.Input(graph.NewType(dtype.Int32), "s")
				ins = append(ins, s)
				values[s] = ints(dtype.Int32, int64(v))
				entries[k] = ops.IndexEntry{Kind: ops.EntryInput}
			}
		}
		out, err := b.Apply1(ops.SubtensorOp{Items: ops.NewIndexItems([]ops.IndexItem{{Slice: true, Entries: entries}})}, append([]*graph.Variable{x}, ins...)...)
		if err != nil {
			t.Fatal(err)
		}
		checkShape(t, out, values)
	}
}

// arange with symbolic integer and float bounds.
func TestArangeLengths(t *testing.T) {
	cases := []struct {
		dt               dtype.DType
		start, stop, stp float64
	}{
		{dtype.Int64, 0, 10, 3}, {dtype.Int64, 10, 0, -3}, {dtype.Int32, 5, 5, 1}, {dtype.Int64, 5, 0, 1},
		{dtype.Float64, 0, 1, 0.3}, {dtype.Float64, 1, -2.5, -0.5}, {dtype.Float64, 0.5, 0.4, 0.1},
	}
	for _, c := range cases {
		b := graph.NewBuilder()
		s := [3]*graph.Variable{}
		values := map[*graph.Variable]*tensor.Array{}
		for i, v := range []float64{c.start, c.stop, c.stp} {
			s[i] = b.Input(graph.NewType(c.dt), "s")
			values[s[i]] = tensor.Scalar(c.dt, v)
		}
		out, err := ops.ARange(b, s[0], s[1], s[2], dtype.Invalid)
		if err != nil {
			t.Fatal(err)
		}
		checkShape(t, out, values)
	}
}

// reshape to a symbolic shape vector with a -1 entry, flatten, dimshuffle,
// reductions, advanced indexing and broadcasting elemwise.
func TestShapesOfOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, -1, -1), "x")
	r := b.Input(graph.NewType(dtype.Float64, 1, -1), "row")
	k := b.Input(graph.NewType(dtype.Int64), "k")
	idx := b.Input(graph.NewType(dtype.Int64, -1, -1), "idx")
	e := ops.NewExpr(b)
	minusOne := e.ConstOf(-1, dtype.Int64)
	flat := e.Reshape(x, apply(e, func(b *graph.Builder) (*graph.Variable, error) { return ops.MakeVector(b, dtype.Int64, k, minusOne) }), 2)
	outs := []*graph.Variable{
		flat,
		apply(e, func(b *graph.Builder) (*graph.Variable, error) { return ops.Flatten(b, x, 1) }),
		apply(e, func(b *graph.Builder) (*graph.Variable, error) { return ops.Flatten(b, x, 2) }),
		e.Sum(x, []int{0, 2}, true),
		apply(e, func(b *graph.Builder) (*graph.Variable, error) { return ops.ArgMax(b, x, []int{1}, false) }),
		e.Add(flat, r),
		e.AdvancedSubtensor(flat, idx),
		apply(e, func(b *graph.Builder) (*graph.Variable, error) { return ops.Softmax(b, flat) }),
		e.Dot(flat, e.DimShuffle(flat, []int{1, 0})),
		apply(e, func(b *graph.Builder) (*graph.Variable, error) {
			return ops.SetSubtensor(b, flat, e.ConstOf(1, dtype.Float64), []ops.IndexItem{ops.IndexAt(0)})
		}),
	}
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	values := map[*graph.Variable]*tensor.Array{
		x: randArray(rng, 2, 3, 4), r: randArray(rng, 1, 12), k: ints(dtype.Int64, 2),
		idx: tensor.FromInt64s(dtype.Int64, []int{2, 3}, []int64{0, 1, 1, 0, 0, 1}),
	}
	for _, out := range outs {
		checkShape(t, out, values)
	}
}

// apply runs a typed constructor, closed over its inputs, with e's sticky
// error (the inputs must not be nil: e.Err is checked first).
func apply(e *ops.Expr, f func(b *graph.Builder) (*graph.Variable, error)) *graph.Variable {
	if e.Err != nil {
		return nil
	}
	v, err := f(e.B)
	if err != nil {
		e.Err = err
	}
	return v
}
