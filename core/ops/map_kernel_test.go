package ops_test

import (
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// Every elementwise op lowers to a map kernel over the output's shape:
// its text names the operands' static broadcast patterns, and a
// one-element constant input (padded by a dimshuffle or not) is a
// literal of the expression, its operand unread.
func TestElementwiseKernels(t *testing.T) {
	b := graph.NewBuilder()
	f64 := dtype.Float64
	x := b.Input(graph.NewType(f64, -1, -1), "x")
	row := b.Input(graph.NewType(dtype.Float32, 1, -1), "row")
	half := b.Constant(tensor.FromFloat64s(f64, nil, []float64{0.5}))
	two := b.Constant(tensor.FromInt64s(dtype.Int8, []int{1, 1}, []int64{2}))
	apply := func(v *graph.Variable, err error) *graph.Variable {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	mul := apply(ops.Scalar(b, "mul", x, half))
	pow := apply(ops.Scalar(b, "pow", x, two))
	add := apply(ops.Scalar(b, "add", x, row))
	cast := apply(ops.Cast(b, row, dtype.Int32))
	cases := []struct {
		v    *graph.Variable
		want string
	}{
		{mul, "kernel mul(in0: float64[2], in1: float64[2] broadcast{0,1}, out0: float64[2] contiguous)\n" +
			"for i0<n0=out0.shape[0], i1<n1=out0.shape[1]:\n" +
			"  out0[i0,i1] = in0[i0,i1] * 0.5\n"},
		{pow, "  out0[i0,i1] = in0[i0,i1] ** 2\n"},
		{add, "in1: float32[2] broadcast{0}"},
		{cast, "kernel cast(in0: float32[2] broadcast{0}, out0: int32[2] contiguous broadcast{0})"},
	}
	for _, c := range cases {
		k, err := c.v.Owner.Op.(kir.Lowerable).Lower(c.v.Owner)
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Check(); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(k.String(), c.want) {
			t.Errorf("%s: kernel\n%s\nwant it to contain\n%s", c.v.Owner.Op.Name(), k, c.want)
		}
	}
	k, _ := mul.Owner.Op.(kir.Lowerable).Lower(mul.Owner)
	if r := k.Reads(); !r[0] || r[1] {
		t.Errorf("mul reads %v, want x only (0.5 is a literal)", r)
	}
}
