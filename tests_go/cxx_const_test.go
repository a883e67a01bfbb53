package testsgo

import (
	"math/rand/v2"
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// TestCxxLargeConstant: a constant larger than a few KB is not written
// into the source (it would cost compile time and a second copy); the
// kernel reads the graph's own memory through its state. Small constants
// stay static arrays.
func TestCxxLargeConstant(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, 3000), "x")
	big := b.Constant(randomArray(rng, dtype.Float64, 3000))
	small := b.Constant(randomArray(rng, dtype.Float64, 3))
	e := ops.NewExpr(b)
	y := e.Mul(e.Add(x, big), e.Const(2, x))
	z := e.Sub(b.Input(graph.NewType(dtype.Float64, -1, 3), "w"), small)
	w := z.Owner.Inputs[0]
	c := checkCxx(t, b, []*graph.Variable{y, z}, []*graph.Variable{x, w},
		[]*tensor.Array{randomArray(rng, dtype.Float64, 4, 3000), randomArray(rng, dtype.Float64, 5, 3)})
	if len(c.Kernel.Consts) != 1 || c.Kernel.Consts[0].Value.Size() != 3000 {
		t.Fatalf("large constants read through the state: %d, want the one of 3000 elements", len(c.Kernel.Consts))
	}
	if !strings.Contains(c.Kernel.Source, "st->consts[0]") {
		t.Fatalf("the kernel does not read st->consts[0]:\n%s", c.Kernel.Source)
	}
	if len(c.Kernel.Source) > 200000 {
		t.Fatalf("the source holds the large constant (%d bytes)", len(c.Kernel.Source))
	}
}
