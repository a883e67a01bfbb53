package compile

import (
	"fmt"

	"theanogo/core/graph"
)

// checkGraph verifies fg's invariants after a pass, in strict mode
// (DebugMode and the tests), so that a pass that breaks the graph is named
// at once instead of failing three passes later:
//
//   - every node's outputs have the types its op gives for its inputs now;
//   - each result keeps the dtype and rank it had before the passes (the
//     caller allocates results by them), and every length its type knew;
//   - the results read no free input the function was not given.
func checkGraph(fg *FunctionGraph, before []graph.Type, pass string) error {
	for _, n := range fg.Toposort() {
		types, err := n.Op.OutputTypes(n.Inputs)
		if err != nil {
			return fmt.Errorf("after pass %s: %s no longer type-checks: %v", pass, graph.OpString(n.Op), err)
		}
		if len(types) != len(n.Outputs) {
			return fmt.Errorf("after pass %s: %s has %d outputs, its op gives %d", pass, graph.OpString(n.Op), len(n.Outputs), len(types))
		}
		for i, t := range types {
			if !t.Equal(n.Outputs[i].Type) {
				return fmt.Errorf("after pass %s: output %d of %s has type %v, its op gives %v", pass, i, graph.OpString(n.Op), n.Outputs[i].Type, t)
			}
		}
	}
	for i, r := range fg.Results {
		old := before[i]
		if r.Type.DType != old.DType || r.Type.Ndim() != old.Ndim() || !old.AcceptsShape(knownLengths(r.Type, old)) {
			return fmt.Errorf("after pass %s: result %d has type %v, it had %v", pass, i, r.Type, old)
		}
	}
	given := map[*graph.Variable]bool{}
	for _, in := range fg.Inputs {
		given[in] = true
	}
	for _, r := range graph.Roots(fg.Results) {
		if r.IsInput() && !given[r] {
			return fmt.Errorf("after pass %s: the results read %v, which is not an input of the function", pass, r)
		}
	}
	return nil
}

// knownLengths is t's static shape with its unknown lengths taken from
// old, for comparing what t knows with what old knew.
func knownLengths(t, old graph.Type) []int {
	out := make([]int, len(t.Shape))
	for d, n := range t.Shape {
		out[d] = n
		if n == graph.Unknown {
			out[d] = old.Shape[d]
		}
	}
	return out
}
