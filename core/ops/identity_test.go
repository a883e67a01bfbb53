package ops_test

import (
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// An op is a comparable value: two ops built separately with the same
// parameters are ==, whatever form the parameters were given in, and ops
// with other parameters are not.
func TestOpIdentityIsByValue(t *testing.T) {
	b := graph.NewBuilder()
	x := typed(b, dtype.Float64, graph.Unknown, 3, 4)
	op := func(v *graph.Variable, err error) graph.Op {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v.Owner.Op
	}
	sum01 := op(ops.Sum(b, x, []int{0, 1}, false))
	if other := op(ops.Sum(b, x, []int{-2, 0}, false)); sum01 != other {
		t.Errorf("sum over [0 1] and over [-2 0]: %v != %v", graph.OpString(sum01), graph.OpString(other))
	}
	for _, other := range []graph.Op{
		op(ops.Sum(b, x, []int{0}, false)),
		op(ops.Sum(b, x, []int{0, 1}, true)),
		op(ops.Prod(b, x, []int{0, 1}, false)),
		op(ops.ArgMax(b, x, []int{0, 1}, false)),
	} {
		if sum01 == other {
			t.Errorf("%v == %v", graph.OpString(sum01), graph.OpString(other))
		}
	}
	if got := graph.OpString(sum01); got != "sum{axis=[0 1] keepdims=false}" {
		t.Errorf("printed %q", got)
	}

	if op(ops.DimShuffle(b, x, []int{2, 0, 1})) != op(ops.Transpose(b, x, []int{-1, 0, 1})) {
		t.Error("equal dimshuffle patterns give different ops")
	}
	if op(ops.DimShuffle(b, x, []int{2, 0, 1})) == op(ops.DimShuffle(b, x, []int{2, 1, 0})) {
		t.Error("different dimshuffle patterns give equal ops")
	}
	first := []ops.IndexItem{ops.IndexAt(0)}
	if op(ops.Subtensor(b, x, first)) != op(ops.Subtensor(b, x, []ops.IndexItem{ops.IndexAt(0)})) {
		t.Error("equal index items give different subtensor ops")
	}
	if op(ops.Subtensor(b, x, first)) == op(ops.Subtensor(b, x, []ops.IndexItem{ops.IndexAt(1)})) {
		t.Error("different index items give equal subtensor ops")
	}
	if got := graph.OpString(op(ops.DimShuffle(b, x, []int{2, ops.Broadcast, 0, 1}))); got != "dimshuffle{2,x,0,1}" {
		t.Errorf("printed %q", got)
	}
}

// OutputTypes reads constant inputs: a reshape's static shape comes from a
// constant shape vector, and the op holds only ndim.
func TestReshapeStaticShapeFromConstant(t *testing.T) {
	b := graph.NewBuilder()
	x := typed(b, dtype.Float64, 6)
	c := b.Constant(i64(dims(2), 3, -1))
	y, err := ops.Reshape(b, x, c, 2)
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, y, dtype.Float64, 3, 2)
	if y.Owner.Op != (ops.ReshapeOp{Ndim: 2}) {
		t.Errorf("op %#v", y.Owner.Op)
	}
}
