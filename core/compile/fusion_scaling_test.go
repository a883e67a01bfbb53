package compile_test

import (
	"math/rand/v2"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// fusedChain compiles sharedChain in FAST_RUN and returns the function and
// its fused ops.
func fusedChain(t *testing.T, levels int) (*compile.Function, []ops.FusedOp) {
	t.Helper()
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	e := ops.NewExpr(b)
	y := opstest.SharedChain(e, x, levels)
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	f := compileMode(t, b, "FAST_RUN", []*graph.Variable{x}, []*graph.Variable{y})
	var fused []ops.FusedOp
	for _, n := range f.Graph.Toposort() {
		op, ok := n.Op.(ops.FusedOp)
		if !ok {
			t.Fatalf("%d levels: node %s is not fused:\n%s", levels, graph.OpString(n.Op), f.Graph)
		}
		fused = append(fused, op)
	}
	return f, fused
}

// chainSize is what the fused chain amounts to: computed nodes of the
// expression (instructions), the nodes of its encoding, the length of the printed
// op (debugprint's), summed over its fused ops.
type chainSize struct{ instrs, program, printed int }

func sizeOf(fused []ops.FusedOp) chainSize {
	var s chainSize
	for _, op := range fused {
		s.instrs += instructions(op)
		s.program += len(kir.Encode(op.Expr))
		s.printed += len(graph.OpString(op))
	}
	return s
}

// instructions counts the computed nodes (rows and casts) of op's expression.
func instructions(op ops.FusedOp) int {
	return len(kir.Temporaries(op.Expr.Schedule()))
}

// Fusing a chain of shared values is linear in the chain (issue 11): one
// instruction per node, and a program and printed form 4 times as long
// for 4 times the levels (counted, not timed). The pairs go from small to
// large so that a program unfolded into its tree fails on the first pair
// (2^16 copies of x) rather than running out of memory on the next.
func TestFusionSharedChainIsLinear(t *testing.T) {
	for _, n := range []int{4, 16, 64} {
		_, fusedN := fusedChain(t, n)
		_, fused4N := fusedChain(t, 4*n)
		small, big := sizeOf(fusedN), sizeOf(fused4N)
		if len(fusedN) != 1 || len(fused4N) != 1 {
			t.Fatalf("%d and %d levels: %d and %d fused nodes, want 1 each", n, 4*n, len(fusedN), len(fused4N))
		}
		if small.instrs != 4*n || big.instrs != 16*n {
			t.Fatalf("%d and %d levels: %d and %d instructions, want one a node (%d and %d)", n, 4*n, small.instrs, big.instrs, 4*n, 16*n)
		}
		if big.program >= 5*small.program || big.printed >= 5*small.printed {
			t.Fatalf("%d -> %d levels: program %d -> %d bytes, printed %d -> %d bytes: not linear",
				n, 4*n, small.program, big.program, small.printed, big.printed)
		}
	}
}

// A chain of 4,000 nodes fuses into groups of at most MaxFusedSize nodes,
// still one instruction a node, and computes FAST_COMPILE's values.
func TestFusionLongChainIsCapped(t *testing.T) {
	const levels = 1000
	f, fused := fusedChain(t, levels)
	for _, op := range fused {
		if k := instructions(op); k > compile.MaxFusedSize {
			t.Errorf("a fused node of %d instructions, cap %d", k, compile.MaxFusedSize)
		}
	}
	if s := sizeOf(fused); s.instrs != 4*levels {
		t.Errorf("%d instructions in %d fused nodes, want %d", s.instrs, len(fused), 4*levels)
	}
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	plain := compileMode(t, b, "FAST_COMPILE", []*graph.Variable{x}, []*graph.Variable{opstest.SharedChain(ops.NewExpr(b), x, levels)})
	rng := rand.New(rand.NewPCG(3, 4))
	xs := make([]float64, 2*1024+7) // blocks of the evaluator, and a partial one
	for i := range xs {
		xs[i] = 6*rng.Float64() - 3
	}
	arg := []*tensor.Array{tensor.FromFloat64s(dtype.Float64, []int{len(xs)}, xs)}
	got, err := f.Run(arg)
	if err != nil {
		t.Fatal(err)
	}
	want, err := plain.Run(arg)
	if err != nil {
		t.Fatal(err)
	}
	sameValues(t, "the 4,000-node chain", got[0], want[0])
}
