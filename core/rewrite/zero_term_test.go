package rewrite

import (
	"math"
	"math/rand"
	"testing"

	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// The SGD step of mlp.py's cost (0.00*L1 + 1e-4*L2): its gradient holds
// 0*sgn(W) beside 2e-4*W; zero_sign_term drops it and the step is one gemm
// into W. The values are those of the graph before the rewrite (W with a
// NaN: it stays NaN).
func TestZeroSignTermGivesOneGemm(t *testing.T) {
	for _, dt := range floats {
		b := graph.NewBuilder()
		w := b.Input(graph.NewType(dt, -1, -1), "W")
		x := b.Input(graph.NewType(dt, -1, -1), "X")
		gr := b.Input(graph.NewType(dt, -1, -1), "G")
		e := ops.NewExpr(b)
		c := dimshuffle(e, e.Const(2e-4, w), ops.Broadcast, ops.Broadcast)
		zero := dimshuffle(e, e.Const(0, w), ops.Broadcast, ops.Broadcast)
		lr := dimshuffle(e, e.Const(0.01, w), ops.Broadcast, ops.Broadcast)
		sgn, err := ops.Scalar(b, "sgn", w)
		if err != nil {
			t.Fatal(err)
		}
		grad := e.Add(e.Add(e.Mul(c, w), e.Mul(zero, sgn)), e.Dot(e.DimShuffle(x, []int{1, 0}), gr))
		upd := e.Sub(w, e.Mul(lr, grad))
		if e.Err != nil {
			t.Fatal(e.Err)
		}
		rules := append(append(append([]*Rule{}, canonicalRules...), specializeRules()...), blasRulesInternal()...)
		res, stats, err := Apply(b, []*graph.Variable{upd}, rules, Options{Strict: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := opCounts(res...); got["GemmOp"] != 1 || got["sgn"] != 0 || stats.Hits["zero_sign_term"] == 0 ||
			res[0].Owner == nil || res[0].Owner.Inputs[0] != w {
			t.Errorf("%v: %v (hits %v):\n%s", dt, got, stats.Hits, graph.Debugprint(res))
		}
		rng := rand.New(rand.NewSource(3))
		wv := randomInput(rng, dt, []int{3, 4}, true)
		v := wv.Float64s()
		v[0] = math.NaN() // (an infinite W becomes NaN without the gemm, inf with it: gemm_accumulate's own choice)
		values := map[*graph.Variable]*tensor.Array{
			w: tensor.FromFloat64s(dt, []int{3, 4}, v), x: randomInput(rng, dt, []int{5, 3}, true),
			gr: randomInput(rng, dt, []int{5, 4}, true),
		}
		before, err := eval.Run([]*graph.Variable{upd}, values)
		if err != nil {
			t.Fatal(err)
		}
		after, err := eval.Run(res, values)
		if err != nil {
			t.Fatal(err)
		}
		sameArrays(t, "update", after[0], before[0])
	}
}
