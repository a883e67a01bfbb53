package testsgo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// Every op registered in one place (ops.Register) compiles with the C++
// backend through its kernel (codegen/cxx/lower_kir.go) and agrees with
// the evaluator on each of its Examples, at random shapes: an unknown
// length is drawn from 0..4 (size 0 included), poisoned outputs and
// canaries as every checkCxx.
func TestCxxRegisteredOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 34))
	for _, r := range ops.Registered() {
		for i, ex := range r.Examples {
			for trial := 0; trial < 4; trial++ {
				t.Run(fmt.Sprintf("%s/%d/%d", r.Name, i, trial), func(t *testing.T) {
					b := graph.NewBuilder()
					var ins []*graph.Variable
					var vals []*tensor.Array
					for _, typ := range ex.Inputs {
						ins = append(ins, b.Input(typ, ""))
						shape := make([]int, typ.Ndim())
						for d, l := range typ.Shape {
							shape[d] = l
							if l < 0 {
								shape[d] = rng.IntN(5)
								if trial == 0 {
									shape[d] = 1 + rng.IntN(4) // one trial without empty axes
								}
							}
						}
						vals = append(vals, randomArray(rng, typ.DType, shape...))
					}
					out, err := ex.Apply(b, ins)
					if err != nil {
						t.Fatalf("building %s: %v", r.Name, err)
					}
					c := checkCxx(t, b, []*graph.Variable{out}, ins, vals)
					if !strings.Contains(c.Kernel.Source, "// kernel "+r.Name+"(") {
						t.Fatalf("%s was not lowered through its kernel:\n%s", r.Name, c.Kernel.Source)
					}
				})
			}
		}
	}
}
