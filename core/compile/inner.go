package compile

import (
	"fmt"

	"theanogo/core/control"
	"theanogo/core/graph"
)

// innerGraphs optimizes the inner graphs of every node whose op holds some
// (control.RegionOp: scan's step, a lazy ifelse's branches) with this same
// pass table and mode, and rebuilds the node on its inputs with the
// optimized graphs. Inner graphs nest: an inner graph's own region ops are
// optimized by the same pass when the table runs on it.
//
//	scan{step: exp(log(p))}(xs)  ->  scan{step: p}(xs)
func innerGraphs(c *passContext, fg *FunctionGraph) error {
	return rewriteGraph(c.b, fg, nil, func(n *graph.Apply, ins []*graph.Variable) ([]*graph.Variable, error) {
		r, ok := n.Op.(control.RegionOp)
		if !ok {
			return nil, nil
		}
		gs := r.InnerGraphs()
		changed := false
		news := make([]*control.Graph, len(gs))
		for i, g := range gs {
			if g == nil {
				continue
			}
			ng, err := OptimizeInner(c, g)
			if err != nil {
				return nil, fmt.Errorf("%s, inner graph %d: %w", graph.OpString(n.Op), i, err)
			}
			news[i] = ng
			changed = changed || ng != g
		}
		if !changed {
			return nil, nil
		}
		nn, err := c.b.Apply(r.WithInnerGraphs(news), ins...)
		if err != nil {
			return nil, err
		}
		return nn.Outputs, nil
	})
}

// OptimizeInner runs the pass table of c's mode on inner graph g (its
// inputs stay; its outputs are rewritten) and returns the optimized graph,
// g itself when nothing changed. Rewrite counts add to the function's.
func OptimizeInner(c *passContext, g *control.Graph) (*control.Graph, error) {
	sub := &FunctionGraph{Inputs: g.Inputs, Results: append([]*graph.Variable{}, g.Outputs...), NumOutputs: len(g.Outputs), Builder: c.b}
	inner := *c
	inner.debug = nil // DebugMode checks the outer graph's rewrites
	if err := optimize(&inner, sub); err != nil {
		return nil, err
	}
	same := true
	for i, r := range sub.Results {
		same = same && r == g.Outputs[i]
	}
	if same {
		return g, nil
	}
	return control.NewGraph(g.Inputs, sub.Results)
}
