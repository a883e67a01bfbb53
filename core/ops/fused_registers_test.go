package ops

import (
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
)

// sharedChainProgram is the expression of levels of y -> tanh(y * 0.5) + sin(y)
// and y -> exp(-|y|) * y in turn, as the fusion pass builds it: each level
// reads y twice, so each level's y is one node that two read.
func sharedChainProgram(levels int) FusedOp {
	apply := func(name string, args ...*kir.Expr) *kir.Expr {
		e, err := kir.Apply(ScalarByName(name), args...)
		if err != nil {
			panic(err)
		}
		return e
	}
	y := kir.Input(0, dtype.Float64)
	half := kir.Constant(kir.FloatConst(dtype.Float64, 0.5))
	for i := range levels {
		if i%2 == 0 {
			y = apply("add", apply("tanh", apply("mul", y, half)), apply("sin", y))
		} else {
			y = apply("mul", apply("exp", apply("neg", apply("abs", y))), y)
		}
	}
	return FusedOp{Expr: y, Ndim: 1}
}

// A shared value is printed once, bound to its instruction's name; values
// read once are printed inline (as they always were).
func TestFusedPrintsSharedValuesOnce(t *testing.T) {
	if got, want := sharedChainProgram(2).ParamString(), "t3 = tanh((i0 * 0.5)) + sin(i0); exp((-abs(t3))) * t3"; got != want {
		t.Errorf("ParamString = %q, want %q", got, want)
	}
	// 4,000 levels: linear, not the 2^4000 copies of i0 of the tree
	p := sharedChainProgram(4000).ParamString()
	if len(p) > 60*4000 || strings.Count(p, "i0") != 2 {
		t.Errorf("4,000 levels print in %d bytes with %d copies of i0", len(p), strings.Count(p, "i0"))
	}
}

// The evaluator holds the values live at once, not one block per
// instruction: a chain of any length needs a few registers.
func TestFusedRegistersFollowLiveness(t *testing.T) {
	for _, levels := range []int{1, 2, 10, 4000} {
		op := sharedChainProgram(levels)
		plan, err := op.plan([]graph.Type{graph.NewType(dtype.Float64, -1)})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(plan.regDomain); n > 3 {
			t.Errorf("%d levels (%d instructions): %d registers, want at most 3", levels, len(plan.reg), n)
		}
		// no instruction writes a register that one of its arguments is in
		for t0, in := range plan.prog.instrs {
			for _, a := range in.args {
				if a.kind == 't' && plan.reg[a.index] == plan.reg[t0] {
					t.Fatalf("%d levels: instruction %d writes register %d, which its argument t%d is in", levels, t0, plan.reg[t0], a.index)
				}
			}
		}
	}
}
