package optable

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// elemwiseConstructors makes one row per scalar op (no parameters), plus
// cast {"dtype": name}.
func elemwiseConstructors() map[string]Constructor {
	table := map[string]Constructor{"cast": buildCast}
	for _, s := range ops.ScalarOps() {
		table[s.Name] = func(b *graph.Builder, _ Params, inputs []*graph.Variable) (*graph.Variable, error) {
			return ops.ApplyScalar(b, s, inputs...)
		}
	}
	return table
}

// buildCast reads {"dtype": name}.
func buildCast(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if err := ops.CheckArity("cast", inputs, 1); err != nil {
		return nil, err
	}
	to, err := p.DType("dtype", dtype.Invalid)
	if err != nil {
		return nil, graph.TypeErrorf("cast: %v", err)
	}
	return ops.Cast(b, inputs[0], to)
}
