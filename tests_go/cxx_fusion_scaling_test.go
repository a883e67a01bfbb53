package testsgo

import (
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// The fused chain's C++ computes each shared value once, as a named
// temporary of the element function: the kernel's source grows as the
// chain (counted: 4 times the levels, less than 5 times the source), and a
// 4,000-node chain (several fused groups, fusion.go's cap) computes the
// evaluator's values.
func TestCxxFusedSharedChain(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	source := map[int]int{}
	for _, levels := range []int{64, 256, 1000} {
		b := graph.NewBuilder()
		x := b.Input(graph.NewType(dtype.Float64, -1), "x")
		e := ops.NewExpr(b)
		y := opstest.SharedChain(e, x, levels)
		if e.Err != nil {
			t.Fatal(e.Err)
		}
		c := checkCxx(t, b, []*graph.Variable{y}, []*graph.Variable{x}, []*tensor.Array{randomArray(rng, dtype.Float64, 1031)})
		source[levels] = len(c.Kernel.Source)
	}
	if source[256] >= 5*source[64] {
		t.Errorf("64 -> 256 levels: source %d -> %d bytes, not linear", source[64], source[256])
	}
}
