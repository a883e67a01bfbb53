package ops_test

import (
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/pyapi/optable"
)

// pattern builds dimshuffle parameters: ints and "x".
func pattern(p ...any) optable.Params {
	list := make([]any, len(p))
	for i, v := range p {
		if n, ok := v.(int); ok {
			list[i] = float64(n)
		} else {
			list[i] = v
		}
	}
	return optable.Params{"pattern": list}
}

func TestDimShuffle(t *testing.T) {
	m := iota64(2, 3) // [[0 1 2] [3 4 5]]
	wantArray(t, evalOp(t, "dimshuffle", pattern(1, "x", 0), m), f64(dims(3, 1, 2), 0, 3, 1, 4, 2, 5))
	wantArray(t, evalOp(t, "dimshuffle", pattern("x", 0, 1), m), iota64(1, 2, 3))
	wantArray(t, evalOp(t, "dimshuffle", pattern(1), f64(dims(1, 3), 7, 8, 9)), f64(dims(3), 7, 8, 9))
	wantArray(t, evalOp(t, "dimshuffle", pattern(), f64(dims(1, 1), 4)), f64(nil, 4))
	wantArray(t, evalOp(t, "dimshuffle", pattern("x"), f64(nil, 4)), f64(dims(1), 4))
	wantArray(t, evalOp(t, "dimshuffle", pattern(1, 0), iota64(0, 2)), iota64(2, 0))

	b := graph.NewBuilder()
	x := typed(b, dtype.Int16, graph.Unknown, 1, 4)
	v, err := optable.Build(b, "dimshuffle", pattern(2, "x", 0), []*graph.Variable{x})
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, v, dtype.Int16, 4, 1, graph.Unknown)
	bad := []struct {
		p      optable.Params
		kind   graph.ErrorKind
		substr string
	}{
		{pattern(0, 1), graph.KindValue, "cannot drop dimension 2"},
		{pattern(0, 0, 1, 2), graph.KindValue, "used twice"},
		{pattern(0, 1, 3), graph.KindValue, "out of range"},
		{pattern(0, "y", 1, 2), graph.KindValue, "bad pattern entry"},
		{pattern(0, 1.5, 2), graph.KindValue, "bad pattern entry"},
		{optable.Params{"pattern": "x"}, graph.KindType, "pattern must be a list"},
	}
	for _, c := range bad {
		_, err := optable.Build(b, "dimshuffle", c.p, []*graph.Variable{x})
		wantErr(t, err, c.kind, "dimshuffle", c.substr)
	}

	rng := rand.New(rand.NewPCG(12, 12))
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return optable.Apply(e, "dimshuffle", pattern(2, "x", 0), in[0])
	}, opstest.Rand(rng, 3, 1, 2))
}
