package optable

import (
	"theanogo/core/control"
	"theanogo/core/graph"
)

// controlConstructors are the ops holding inner graphs that Python builds
// with one call (scan builds its own).
var controlConstructors = map[string]Constructor{
	"ifelse": buildIfElse, // {"then": n, "else": m, "output": i}; cond, then values, else values
}

// buildIfElse builds ifelse(cond, then, else) and returns its output i; the
// outputs of the calls for one ifelse are equal nodes, which merge.
func buildIfElse(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
	nt, err := p.Int("then", 1)
	if err != nil {
		return nil, err
	}
	ne, err := p.Int("else", nt)
	if err != nil {
		return nil, err
	}
	i, err := p.Int("output", 0)
	if err != nil {
		return nil, err
	}
	if nt < 0 || ne < 0 || len(inputs) != 1+nt+ne {
		return nil, graph.TypeErrorf("ifelse takes the condition, %d then values and %d else values: %d inputs, got %d", nt, ne, 1+nt+ne, len(inputs))
	}
	outs, err := control.IfElse(b, inputs[0], inputs[1:1+nt], inputs[1+nt:])
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= len(outs) {
		return nil, graph.ValueErrorf("ifelse has %d outputs, not %d", len(outs), i+1)
	}
	return outs[i], nil
}
