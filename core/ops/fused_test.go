package ops_test

import (
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// applyRow is row name applied to args, or the test's end.
func applyRow(t *testing.T, name string, args ...*kir.Expr) *kir.Expr {
	t.Helper()
	e, err := kir.Apply(ops.ScalarByName(name), args...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// pow2 is composite{(i0 ** i1) + 1} over inputs of dtype dt, built as the
// fusion pass builds it.
func pow2(t *testing.T, dt dtype.DType) ops.FusedOp {
	t.Helper()
	c, ok := kir.ConstOf(tensor.Scalar(dtype.Int8, 1))
	if !ok {
		t.Fatal("ConstOf refused a scalar")
	}
	p := applyRow(t, "pow", kir.Input(0, dt), kir.Input(1, dt))
	return ops.FusedOp{Expr: applyRow(t, "add", p, kir.Constant(c)), Ndim: 1}
}

// A fused op is a comparable value: the same program is the same op.
func TestFusedOpIdentity(t *testing.T) {
	a, b := pow2(t, dtype.Int32), pow2(t, dtype.Int32)
	if a != b {
		t.Errorf("%v != %v", a, b)
	}
	if got, want := graph.OpString(a), "composite{(i0 ** i1) + 1}"; got != want {
		t.Errorf("OpString = %s, want %s", got, want)
	}
}

// Integer pow with a negative exponent is the unfused evaluator's ValueError.
func TestFusedOpIntegerPowError(t *testing.T) {
	b := graph.NewBuilder()
	x, y := b.Input(graph.NewType(dtype.Int32, -1), "x"), b.Input(graph.NewType(dtype.Int32, -1), "y")
	out, err := b.Apply1(pow2(t, dtype.Int32), x, y)
	if err != nil {
		t.Fatal(err)
	}
	if out.Type.DType != dtype.Int32 {
		t.Errorf("dtype %v, want int32", out.Type.DType)
	}
	v := func(xs ...int64) *tensor.Array { return tensor.FromInt64s(dtype.Int32, []int{len(xs)}, xs) }
	res, err := eval.Run([]*graph.Variable{out}, map[*graph.Variable]*tensor.Array{x: v(2, 3), y: v(3, 2)})
	if err != nil || res[0].Int64s()[0] != 9 || res[0].Int64s()[1] != 10 {
		t.Fatalf("got %v, %v; want [9 10]", res, err)
	}
	_, err = eval.Run([]*graph.Variable{out}, map[*graph.Variable]*tensor.Array{x: v(2, 3), y: v(3, -2)})
	if err == nil || !strings.Contains(err.Error(), "negative integer powers") {
		t.Errorf("error %v, want the negative power ValueError", err)
	}
}

// Bad expressions, arities and input dtypes are errors of the type rule;
// there is no gradient.
func TestFusedOpErrors(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	bad := []ops.FusedOp{
		{Ndim: 1}, // no expression
		{Expr: kir.Input(0, dtype.Float64), Ndim: 1},                     // computes nothing
		pow2(t, dtype.Float64),                                           // two inputs
		{Expr: applyRow(t, "exp", kir.Input(0, dtype.Float32)), Ndim: 1}, // built for float32
	}
	for _, op := range bad {
		if _, err := b.Apply1(op, x); err == nil {
			t.Errorf("%v on one float64 input: no error", graph.OpString(op))
		}
	}
	y, err := b.Apply1(ops.FusedOp{Expr: applyRow(t, "exp", kir.Input(0, dtype.Float64)), Ndim: 1}, x)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (ops.FusedOp{}).Pullback(b, y.Owner, []*graph.Variable{y}); err == nil {
		t.Error("Pullback: no error")
	}
}

// A fused reduction checks its program, its reduction and its axes in the
// type rule, prints both parts, and has no gradient.
func TestFusedReduceOpErrors(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, 0), "x")
	exp := applyRow(t, "exp", kir.Input(0, dtype.Float64))
	bad := []ops.FusedReduceOp{
		{Ndim: 2, Kind: "sum"}, // no expression
		{Expr: exp, Ndim: 2, Kind: "median"},
		{Expr: exp, Ndim: 2, Kind: "sum", Axes: graph.NewAxisSet(2)},
		{Expr: exp, Ndim: 2, Kind: "max", Axes: graph.NewAxisSet(1)}, // a static empty dimension
	}
	for _, op := range bad {
		if _, err := b.Apply1(op, x); err == nil {
			t.Errorf("%#v: no error", op)
		}
	}
	op := ops.FusedReduceOp{Expr: exp, Ndim: 2, Kind: "mean", Axes: graph.NewAxisSet(0), KeepDims: true}
	y, err := b.Apply1(op, x)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := graph.OpString(op), "composite_reduce{mean{axis=[0] keepdims=true}(exp(i0))}"; got != want {
		t.Errorf("OpString = %s, want %s", got, want)
	}
	if got := y.Type.String(); got != graph.NewType(dtype.Float64, 1, 0).String() {
		t.Errorf("type %s, want (1, 0)", got)
	}
	if _, err := op.Pullback(b, y.Owner, []*graph.Variable{y}); err == nil {
		t.Error("Pullback: no error")
	}
}

// The flat element index is the element's C-order position in the output,
// across the evaluator's blocks: i0 * 10 + index over a broadcast row.
func TestFusedOpFlatIndex(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Int64, -1), "x")
	e := applyRow(t, "add", applyRow(t, "mul", kir.Input(0, dtype.Int64), kir.Constant(kir.IntConst(dtype.Int64, 10))), kir.Index())
	out, err := b.Apply1(ops.FusedOp{Expr: e, Ndim: 2}, x)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := graph.OpString(out.Owner.Op), "composite{(i0 * 10) + index}"; got != want {
		t.Errorf("OpString = %s, want %s", got, want)
	}
	const n = 1500 // more than one block
	xs := make([]int64, n)
	for i := range xs {
		xs[i] = int64(i % 7)
	}
	res, err := eval.Run([]*graph.Variable{out}, map[*graph.Variable]*tensor.Array{x: tensor.FromInt64s(dtype.Int64, []int{n}, xs)})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range res[0].Int64s() {
		if want := xs[k]*10 + int64(k); v != want {
			t.Fatalf("element %d = %d, want %d", k, v, want)
		}
	}
}
