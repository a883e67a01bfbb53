package ops_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// transpose permutes dimensions as numpy.transpose: no axes reverses them.
func TestTranspose(t *testing.T) {
	x := iota64(2, 3) // [[0 1 2] [3 4 5]]
	wantArray(t, evalOp(t, transpose(nil), x), f64(dims(3, 2), 0, 3, 1, 4, 2, 5))
	wantArray(t, evalOp(t, transpose([]int{1, 0}), x), f64(dims(3, 2), 0, 3, 1, 4, 2, 5))
	wantArray(t, evalOp(t, transpose([]int{0, -1}), x), x)

	y := iota64(2, 1, 3) // y[i,0,k] = 3i + k
	got := evalOp(t, transpose([]int{2, 0, 1}), y)
	wantArray(t, got, f64(dims(3, 2, 1), 0, 3, 1, 4, 2, 5))

	b := graph.NewBuilder()
	v, err := ops.Transpose(b, typed(b, dtype.Float32, 2, graph.Unknown, 4), nil)
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, dtype.Float32, 4, graph.Unknown, 2)

	m := typed(b, dtype.Float64, 2, 3)
	for _, bad := range [][]int{{0}, {0, 0}, {0, 2}, {0, -3}} {
		_, err := ops.Transpose(b, m, bad)
		wantErr(t, err, graph.KindValue, "transpose")
	}
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return apply(e, transpose([]int{1, 2, 0}), in[0])
	}, opstest.Rand(rand.New(rand.NewPCG(1, 1)), 2, 3, 4))
}

// shape is x.shape as an int64 vector whose length is x's rank.
func TestShape(t *testing.T) {
	wantArray(t, evalOp(t, unary(ops.Shape), iota64(2, 0, 3)), i64(dims(3), 2, 0, 3))
	wantArray(t, evalOp(t, unary(ops.Shape), f64(nil, 7)), i64(dims(0)))

	b := graph.NewBuilder()
	v, err := ops.Shape(b, typed(b, dtype.Int8, graph.Unknown, 5))
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, dtype.Int64, 2)

	// The shape carries no gradient, but an expression using it still has one:
	// d/dx sum(x * len(x) * w) = len(x) * w.
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		n := e.Index(e.Shape(in[0]), 0)
		return e.Mul(in[0], e.Cast(n, dtype.Float64))
	}, opstest.Rand(rand.New(rand.NewPCG(2, 2)), 4))
}

// reshape follows numpy, with -1 standing for the remaining length.
func TestReshapeValues(t *testing.T) {
	x := iota64(6)
	cases := []struct {
		shape []int64
		want  []int
	}{
		{[]int64{2, 3}, dims(2, 3)},
		{[]int64{3, -1}, dims(3, 2)},
		{[]int64{-1}, dims(6)},
		{[]int64{1, 6, 1}, dims(1, 6, 1)},
		{[]int64{-1, 2, 1}, dims(3, 2, 1)},
	}
	for _, c := range cases {
		b := graph.NewBuilder()
		xv := typed(b, dtype.Float64, graph.Unknown)
		s := b.Constant(i64(dims(len(c.shape)), c.shape...))
		out, err := ops.Reshape(b, xv, s, len(c.shape))
		if err != nil {
			t.Fatalf("%v: %v", c.shape, err)
		}
		got := run(t, out, map[*graph.Variable]*tensor.Array{xv: x})
		wantArray(t, got, iota64(c.want...))
	}
	// A reshape to size 0 with -1, and of a scalar into (1, 1).
	wantArray(t, reshapeConst(t, iota64(0, 4), -1, 2), iota64(0, 2))
	wantArray(t, reshapeConst(t, f64(nil, 5), 1, 1), f64(dims(1, 1), 5))
}

// reshapeConst reshapes x by a constant shape.
func reshapeConst(t *testing.T, x *tensor.Array, shape ...int64) *tensor.Array {
	t.Helper()
	return opstest.Eval(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		s := e.B.Constant(i64(dims(len(shape)), shape...))
		return e.Reshape(in[0], s, len(shape))
	}, x)
}

// run evaluates one output.
func run(t *testing.T, out *graph.Variable, values map[*graph.Variable]*tensor.Array) *tensor.Array {
	t.Helper()
	opstest.CheckInferShape(t, []*graph.Variable{out}, values)
	res, err := evalRun(out, values)
	if err != nil {
		t.Fatalf("evaluating %v: %v", out, err)
	}
	return res
}

// The static shape is known from a constant shape, from a shape op and from
// a make_vector with constant elements; mismatches are errors at build time
// when both sizes are static, else at evaluation.
func TestReshapeStatic(t *testing.T) {
	b := graph.NewBuilder()
	x := typed(b, dtype.Float32, 4, 6)
	xu := typed(b, dtype.Float32, graph.Unknown, 6)
	c := func(v ...int64) *graph.Variable { return b.Constant(i64(dims(len(v)), v...)) }

	v, err := ops.Reshape(b, x, c(2, -1, 3), 3)
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, dtype.Float32, 2, 4, 3)
	v, _ = ops.Reshape(b, xu, c(-1, 2), 2)
	wantType(t, v, dtype.Float32, graph.Unknown, 2)

	shapeOfX, _ := ops.Shape(b, x)
	v, err = ops.Reshape(b, xu, shapeOfX, 2)
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, dtype.Float32, 4, 6)

	n := typed(b, dtype.Int64)
	mv, _ := ops.MakeVector(b, dtype.Invalid, n, b.Constant(tensor.Scalar(dtype.Int64, 3)))
	v, err = ops.Reshape(b, x, mv, 2)
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, dtype.Float32, graph.Unknown, 3)

	_, err = ops.Reshape(b, x, c(5, 5), 2)
	wantErr(t, err, graph.KindValue, "reshape", "size 24")
	_, err = ops.Reshape(b, x, c(-1, -1), 2)
	wantErr(t, err, graph.KindValue, "reshape", "one unknown dimension")
	_, err = ops.Reshape(b, x, c(-2, 12), 2)
	wantErr(t, err, graph.KindValue, "reshape")
	_, err = ops.Reshape(b, x, c(4, 6), 3)
	wantErr(t, err, graph.KindValue, "reshape", "ndim=3")
	_, err = ops.Reshape(b, x, b.Constant(f64(dims(1), 24)), 1)
	wantErr(t, err, graph.KindType, "reshape", "integer vector")
	_, err = ops.Reshape(b, x, typed(b, dtype.Int64, graph.Unknown), -1)
	wantErr(t, err, graph.KindType, "reshape", "ndim")

	// Sizes known only at evaluation.
	err = evalErr(t, reshape(2), iota64(7), i64(dims(2), 2, -1))
	wantErr(t, err, graph.KindValue, "reshape", "size 7")
	err = evalErr(t, reshape(2), iota64(6), i64(dims(2), 4, 2))
	wantErr(t, err, graph.KindValue, "reshape", "size 6")
	err = evalErr(t, reshape(3), iota64(6), i64(dims(2), 2, 3))
	wantErr(t, err, graph.KindValue, "reshape", "ndim=3")
}

// The reshape gradient reshapes gz back to x's shape, for a constant and
// for a computed shape (x.shape[0], -1).
func TestReshapePullback(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return e.Reshape(in[0], e.B.Constant(i64(dims(2), 3, -1)), 2)
	}, opstest.Rand(rng, 2, 3, 2))
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		rows := e.Index(e.Shape(in[0]), 0)
		s := apply(e, makeVector(dtype.Invalid), rows, e.B.Constant(tensor.Scalar(dtype.Int64, -1)))
		return e.Call("tanh", e.Reshape(in[0], s, 2))
	}, opstest.Rand(rng, 2, 3, 2))
}

// flatten(x, ndim) keeps ndim-1 leading dimensions and merges the rest.
func TestFlatten(t *testing.T) {
	x := iota64(2, 3, 4)
	wantArray(t, evalOp(t, flatten(1), x), iota64(24))
	wantArray(t, evalOp(t, flatten(2), x), iota64(2, 12))
	wantArray(t, evalOp(t, flatten(3), x), x)
	wantArray(t, evalOp(t, flatten(1), f64(nil, 4)), f64(dims(1), 4))
	wantArray(t, evalOp(t, flatten(2), iota64(2, 0, 4)), iota64(2, 0))

	b := graph.NewBuilder()
	v, _ := ops.Flatten(b, typed(b, dtype.Int32, graph.Unknown, 3, 4), 2)
	wantType(t, v, dtype.Int32, graph.Unknown, 12)
	v, _ = ops.Flatten(b, typed(b, dtype.Int32, 2, graph.Unknown), 1)
	wantType(t, v, dtype.Int32, graph.Unknown)
	for _, nd := range []int{0, 4} {
		_, err := ops.Flatten(b, typed(b, dtype.Int32, 2, 3, 4), nd)
		wantErr(t, err, graph.KindValue, "flatten", "outdim")
	}
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return apply(e, flatten(2), in[0])
	}, opstest.Rand(rand.New(rand.NewPCG(4, 4)), 2, 3, 2))
}

// make_vector stacks scalars, in their promoted dtype unless told otherwise.
func TestMakeVector(t *testing.T) {
	a, c := arr(dtype.Int8, nil, 3), arr(dtype.Float32, nil, 2.5)
	wantArray(t, evalOp(t, makeVector(dtype.Invalid), a, c), arr(dtype.Float32, dims(2), 3, 2.5))
	wantArray(t, evalOp(t, makeVector(dtype.Int64), a, c), i64(dims(2), 3, 2))
	wantArray(t, evalOp(t, makeVector(dtype.Invalid), a), arr(dtype.Int8, dims(1), 3))

	b := graph.NewBuilder()
	v, err := ops.MakeVector(b, dtype.Invalid)
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, dtype.Int64, 0)
	_, err = ops.MakeVector(b, dtype.Invalid, typed(b, dtype.Int64), typed(b, dtype.Int64, 2))
	wantErr(t, err, graph.KindType, "make_vector", "scalar")
	_, err = ops.MakeVector(b, dtype.Float64, typed(b, dtype.Complex64))
	wantErr(t, err, graph.KindType, "make_vector", "complex")

	rng := rand.New(rand.NewPCG(5, 5))
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return apply(e, makeVector(dtype.Invalid), in[0], e.Mul(in[1], in[1]), in[0])
	}, opstest.Rand(rng), opstest.Rand(rng))
}

// Replacing reshape's shape input (as givens do) re-derives the static
// target: reshape(x, [2, 3]) with the shape replaced by [3, 2] is (3, 2),
// since OutputTypes reads the constant shape of the new inputs.
func TestReshapeReplaceFollowsNewShape(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, 6), "x")
	s := b.Input(graph.NewType(dtype.Int64, 2), "s")
	shape23 := b.Constant(tensor.FromInt64s(dtype.Int64, []int{2}, []int64{2, 3}))
	y, err := ops.Reshape(b, x, shape23, 2)
	if err != nil {
		t.Fatal(err)
	}
	shape32 := b.Constant(tensor.FromInt64s(dtype.Int64, []int{2}, []int64{3, 2}))
	out, err := b.Replace([]*graph.Variable{y}, map[*graph.Variable]*graph.Variable{shape23: shape32})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out[0].Type.Shape, []int{3, 2}) {
		t.Errorf("after replacing the shape: static shape %v, want [3 2]", out[0].Type.Shape)
	}
	res, err := eval.Run(out, map[*graph.Variable]*tensor.Array{x: tensor.New(dtype.Float64, []int{6})})
	if err != nil || !slices.Equal(res[0].Shape, []int{3, 2}) {
		t.Errorf("evaluated %v, %v; want shape [3 2]", res, err)
	}
	// a symbolic shape gives an unknown static shape again
	out, err = b.Replace([]*graph.Variable{y}, map[*graph.Variable]*graph.Variable{shape23: s})
	if err != nil || !slices.Equal(out[0].Type.Shape, []int{-1, -1}) {
		t.Errorf("after replacing by a symbolic shape: %v, %v", out[0].Type, err)
	}
}

// x.copy() is a new variable with x's values; its gradient passes through.
func TestCopy(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	opstest.CheckGrad(t, func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
		return e.Mul(apply(e, unary(ops.Copy), x[0]), x[0])
	}, opstest.Rand(rng, 2, 3))
}

// transpose permutes its one input's dimensions (nil: reverses them).
func transpose(axes []int) build {
	return func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
		return ops.Transpose(b, in[0], axes)
	}
}

// reshape is reshape(x, shape) to ndim dimensions.
func reshape(ndim int) build {
	return func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
		return ops.Reshape(b, in[0], in[1], ndim)
	}
}

// flatten is flatten(x, outdim).
func flatten(outdim int) build {
	return func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
		return ops.Flatten(b, in[0], outdim)
	}
}

// makeVector stacks its inputs into a vector of dtype dt (dtype.Invalid:
// their promoted dtype).
func makeVector(dt dtype.DType) build {
	return func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
		return ops.MakeVector(b, dt, in...)
	}
}
