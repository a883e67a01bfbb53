package ops_test

import (
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// pow2 is composite{i0 ** i1}, built as the fusion pass builds it.
func pow2(t *testing.T) ops.FusedOp {
	t.Helper()
	var fb ops.FusedBuilder
	p, ok := fb.Apply(ops.Elemwise{Scalar: ops.ScalarByName("pow")}, fb.Input(0), fb.Input(1))
	c, okC := fb.Constant(tensor.Scalar(dtype.Int8, 1))
	if _, okA := fb.Apply(ops.Elemwise{Scalar: ops.ScalarByName("add")}, p, c); !ok || !okC || !okA {
		t.Fatal("FusedBuilder refused an Elemwise")
	}
	return fb.Op(1)
}

// A fused op is a comparable value: the same program is the same op.
func TestFusedOpIdentity(t *testing.T) {
	a, b := pow2(t), pow2(t)
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
	out, err := b.Apply1(pow2(t), x, y)
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

// Bad programs and arities are errors of the type rule; there is no gradient.
func TestFusedOpErrors(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	for _, op := range []ops.FusedOp{{Program: "nosuchrow i0", Ndim: 1}, {Program: "add i0 t3", Ndim: 1}, {Program: "", Ndim: 1}, pow2(t)} {
		if _, err := b.Apply1(op, x); err == nil {
			t.Errorf("%q on one input: no error", op.Program)
		}
	}
	y, err := b.Apply1(ops.FusedOp{Program: "exp i0", Ndim: 1}, x)
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
	bad := []ops.FusedReduceOp{
		{Program: "nosuchrow i0", Ndim: 2, Kind: "sum"},
		{Program: "exp i0", Ndim: 2, Kind: "median"},
		{Program: "exp i0", Ndim: 2, Kind: "sum", Axes: graph.NewAxisSet(2)},
		{Program: "exp i0", Ndim: 2, Kind: "max", Axes: graph.NewAxisSet(1)}, // a static empty dimension
	}
	for _, op := range bad {
		if _, err := b.Apply1(op, x); err == nil {
			t.Errorf("%#v: no error", op)
		}
	}
	op := ops.FusedReduceOp{Program: "exp i0", Ndim: 2, Kind: "mean", Axes: graph.NewAxisSet(0), KeepDims: true}
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
