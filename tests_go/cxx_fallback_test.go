package testsgo

import (
	"math/rand/v2"
	"testing"

	"theanogo/codegen/cxx"
	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// TestCxxEvaluatorFallback runs some nodes of a kernel in the Go evaluator
// (through st->eval_node), between nodes that run in C++: their inputs are
// the kernel's buffers and their outputs land in its workspace or results.
// The kernel must list them (debugprint marks them) and still match the
// evaluator-only function.
func TestCxxEvaluatorFallback(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float32, -1, -1), "x")
	w := b.Input(graph.NewType(dtype.Float32, -1, -1), "w")
	e := ops.NewExpr(b)
	h := e.Dot(x, w)
	p, err := ops.Softmax(b, e.Call("tanh", h))
	if err != nil {
		t.Fatal(err)
	}
	best, err := ops.ArgMax(b, p, []int{1}, false)
	if err != nil {
		t.Fatal(err)
	}
	total := e.Sum(e.Exp(p), []int{0}, false)
	base := cxxBackend(t)
	backend := &cxx.Backend{Config: base.Config, Evaluate: map[string]bool{"dot": true, "softmax": true, "argmax": true}}
	spec := compile.FunctionSpec{Inputs: []*graph.Variable{x, w}, Outputs: []*graph.Variable{p, best, total}, OnUnusedInput: "ignore", Backend: backend}
	for _, shape := range [][3]int{{5, 7, 3}, {1, 1, 1}, {0, 4, 2}, {64, 100, 10}} {
		vals := []*tensor.Array{randomArray(rng, dtype.Float32, shape[0], shape[1]), randomArray(rng, dtype.Float32, shape[1], shape[2])}
		c := checkCxxSpec(t, b, spec, vals, nil)
		got := map[string]bool{}
		for _, n := range c.Kernel.Fallback {
			got[n.Op.Name()] = true
		}
		if !got["dot"] || !got["softmax"] || !got["argmax"] || len(c.EvaluatorNodes()) != len(c.Kernel.Fallback) {
			t.Fatalf("evaluator nodes %v, want dot, softmax and argmax", c.EvaluatorNodes())
		}
		for _, n := range c.Kernel.Nodes {
			if n.Op.Name() == "composite" && c.IsEvaluatorNode(n) {
				t.Fatalf("the elementwise node %v ran in the evaluator", n)
			}
		}
	}
}
