package compile_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/grad"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// softmaxNodes counts the softmax and logsoftmax nodes of fg.
func softmaxNodes(fg *compile.FunctionGraph) (softmax, logsoftmax int) {
	for _, n := range fg.Toposort() {
		if op, ok := n.Op.(ops.SoftmaxOp); ok {
			if op.Log {
				logsoftmax++
			} else {
				softmax++
			}
		}
	}
	return softmax, logsoftmax
}

// logisticStep is the tutorial's logistic regression as a function of the
// logits z: the predictions p = softmax(z), the cost -mean(log(p)[arange(n),
// y]) and its gradient with respect to z.
func logisticStep(t *testing.T, b *graph.Builder) (compile.FunctionSpec, *graph.Variable) {
	t.Helper()
	e := ops.NewExpr(b)
	z := b.Input(graph.NewType(dtype.Float64, -1, -1), "z")
	y := b.Input(graph.NewType(dtype.Int64, -1), "y")
	cost := tutorialLoss(e, z, y)
	p := e.Apply(ops.SoftmaxOp{}, z)
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	g, _, err := grad.Grad(b, cost, []*graph.Variable{z}, grad.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return compile.FunctionSpec{Inputs: []*graph.Variable{z, y}, Outputs: []*graph.Variable{p, cost, g[0]}}, z
}

// The logistic regression's step computes softmax(z) (predictions and the
// gradient) and logsoftmax(z) (the cost): after softmax_share one
// log-softmax remains, and the values are those computed without it
// (softmax = exp(logsoftmax) to within an ulp, also where probabilities
// underflow).
func TestSoftmaxSharedWithLogSoftmax(t *testing.T) {
	b := graph.NewBuilder()
	spec, _ := logisticStep(t, b)
	fg, err := compile.Optimize(b, spec)
	if err != nil {
		t.Fatal(err)
	}
	if sm, lsm := softmaxNodes(fg); sm != 0 || lsm != 1 {
		t.Fatalf("%d softmax and %d logsoftmax nodes, want 0 and 1:\n%v", sm, lsm, fg)
	}
	spec.Excluding = []string{"softmax_share"}
	unshared, err := compile.Optimize(b, spec)
	if err != nil {
		t.Fatal(err)
	}
	if sm, lsm := softmaxNodes(unshared); sm != 1 || lsm != 1 {
		t.Fatalf("without softmax_share: %d softmax and %d logsoftmax nodes, want 1 and 1 (else the test tests nothing)", sm, lsm)
	}

	rng := rand.New(rand.NewPCG(3, 4))
	for _, shape := range [][2]int{{1, 1}, {5, 3}, {20, 10}, {7, 1}} {
		zs := make([]float64, shape[0]*shape[1])
		for i := range zs {
			zs[i] = 300 * rng.NormFloat64() // large logits: probabilities that underflow
		}
		z := tensor.FromFloat64s(dtype.Float64, []int{shape[0], shape[1]}, zs)
		ys := make([]int64, shape[0])
		for i := range ys {
			ys[i] = rng.Int64N(int64(shape[1]))
		}
		args := []*tensor.Array{z, tensor.FromInt64s(dtype.Int64, []int{shape[0]}, ys)}
		var results [2][]*tensor.Array
		for k, excluding := range [][]string{nil, {"softmax_share"}} {
			spec.Excluding = excluding
			f, err := compile.Compile(b, spec)
			if err != nil {
				t.Fatal(err)
			}
			if results[k], err = f.Run(args); err != nil {
				t.Fatal(err)
			}
		}
		for i := range results[0] {
			got, want := results[0][i].Float64s(), results[1][i].Float64s()
			for j := range want {
				if math.IsNaN(got[j]) || math.Abs(got[j]-want[j]) > 1e-12*(1+math.Abs(want[j])) {
					t.Fatalf("shape %v, output %d[%d]: %v shared, %v not shared", shape, i, j, got[j], want[j])
				}
			}
		}
	}
}

// A softmax alone, or a logsoftmax alone, is left as it is; so are a
// softmax and a logsoftmax of two different inputs.
func TestSoftmaxShareLeavesOthers(t *testing.T) {
	b := graph.NewBuilder()
	e := ops.NewExpr(b)
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	y := b.Input(graph.NewType(dtype.Float64, -1, -1), "y")
	cases := []struct {
		name    string
		outs    []*graph.Variable
		sm, lsm int
	}{
		{"softmax", []*graph.Variable{e.Apply(ops.SoftmaxOp{}, x)}, 1, 0},
		{"logsoftmax", []*graph.Variable{e.Apply(ops.SoftmaxOp{Log: true}, x)}, 0, 1},
		{"two inputs", []*graph.Variable{e.Apply(ops.SoftmaxOp{}, x), e.Apply(ops.SoftmaxOp{Log: true}, y)}, 1, 1},
		{"both of x", []*graph.Variable{e.Apply(ops.SoftmaxOp{}, x), e.Apply(ops.SoftmaxOp{Log: true}, x), e.Apply(ops.SoftmaxOp{}, y)}, 1, 1},
	}
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	for _, c := range cases {
		fg, err := compile.Optimize(b, compile.FunctionSpec{Inputs: []*graph.Variable{x, y}, Outputs: c.outs, OnUnusedInput: "ignore"})
		if err != nil {
			t.Fatal(err)
		}
		if sm, lsm := softmaxNodes(fg); sm != c.sm || lsm != c.lsm {
			t.Errorf("%s: %d softmax and %d logsoftmax nodes, want %d and %d:\n%v", c.name, sm, lsm, c.sm, c.lsm, fg)
		}
	}
}
