package ops_test

import (
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
)

// X is a new broadcastable dimension in a dimshuffle pattern ("x").
const X = ops.Broadcast

// dimshuffle applies the pattern to its one input.
func dimshuffle(pattern ...int) build {
	return func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
		return ops.DimShuffle(b, in[0], pattern)
	}
}

func TestDimShuffle(t *testing.T) {
	m := iota64(2, 3) // [[0 1 2] [3 4 5]]
	wantArray(t, evalOp(t, dimshuffle(1, X, 0), m), f64(dims(3, 1, 2), 0, 3, 1, 4, 2, 5))
	wantArray(t, evalOp(t, dimshuffle(X, 0, 1), m), iota64(1, 2, 3))
	wantArray(t, evalOp(t, dimshuffle(1), f64(dims(1, 3), 7, 8, 9)), f64(dims(3), 7, 8, 9))
	wantArray(t, evalOp(t, dimshuffle(), f64(dims(1, 1), 4)), f64(nil, 4))
	wantArray(t, evalOp(t, dimshuffle(X), f64(nil, 4)), f64(dims(1), 4))
	wantArray(t, evalOp(t, dimshuffle(1, 0), iota64(0, 2)), iota64(2, 0))

	b := graph.NewBuilder()
	xv := typed(b, dtype.Int16, graph.Unknown, 1, 4)
	v, err := ops.DimShuffle(b, xv, pattern(2, X, 0))
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, dtype.Int16, 4, 1, graph.Unknown)
	bad := []struct {
		p      []int
		kind   graph.ErrorKind
		substr string
	}{
		{pattern(0, 1), graph.KindValue, "cannot drop dimension 2"},
		{pattern(0, 0, 1, 2), graph.KindValue, "used twice"},
		{pattern(0, 1, 3), graph.KindValue, "out of range"},
		{pattern(0, -2, 1, 2), graph.KindValue, "out of range"},
	}
	for _, c := range bad {
		_, err := ops.DimShuffle(b, xv, c.p)
		wantErr(t, err, c.kind, "dimshuffle", c.substr)
	}

	rng := rand.New(rand.NewPCG(12, 12))
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return e.DimShuffle(in[0], pattern(2, X, 0))
	}, opstest.Rand(rng, 3, 1, 2))
}

// pattern is shorthand for a dimshuffle pattern literal.
func pattern(p ...int) []int { return p }
