package compile_test

import (
	"math"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/grad"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// FAST_RUN canonicalizes: the gradient of log(sigmoid(x)) no longer
// divides by sigmoid(x), x * 1 is x; optimizer None leaves the graph alone.
func TestFastRunCanonicalizes(t *testing.T) {
	for _, tc := range []struct {
		optimizer string
		canonical bool
	}{{"", true}, {"fast_run", true}, {"None", false}} {
		b := graph.NewBuilder()
		x := b.Input(graph.NewType(dtype.Float64, -1), "x")
		e := ops.NewExpr(b)
		cost := e.Sum(e.Log(e.Call("sigmoid", x)), nil, false)
		if e.Err != nil {
			t.Fatal(e.Err)
		}
		g, _, err := grad.Grad(b, cost, []*graph.Variable{x}, grad.Options{})
		if err != nil {
			t.Fatal(err)
		}
		out := e.Mul(g[0], e.Const(1, g[0]))
		f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{out},
			Optimizer: tc.optimizer, Strict: true})
		if err != nil {
			t.Fatal(err)
		}
		hits := f.RewriteHits["mul_canonizer"]
		divs := countOps(f)["true_div"]
		if tc.canonical && (hits == 0 || divs != 0) {
			t.Errorf("optimizer %q: mul_canonizer hits %d, %d true_div left\n%s", tc.optimizer, hits, divs, f.Graph)
		}
		if !tc.canonical && (hits != 0 || divs != 1) {
			t.Errorf("optimizer %q: mul_canonizer hits %d, %d true_div\n%s", tc.optimizer, hits, divs, f.Graph)
		}
		got, err := f.Call(nil, vec(-3, 0, 2))
		if err != nil {
			t.Fatal(err)
		}
		for i, xv := range []float64{-3, 0, 2} {
			if want := 1 - 1/(1+math.Exp(-xv)); math.Abs(got[0].Float64s()[i]-want) > 1e-12 {
				t.Errorf("optimizer %q: gradient at %v is %v, want %v", tc.optimizer, xv, got[0].Float64s()[i], want)
			}
		}
	}
}
