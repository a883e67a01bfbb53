package compile

import (
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// foldLimit is the largest output (in elements) constant folding computes
// at compile time; larger constants would cost memory in every function.
const foldLimit = 1 << 16

// foldConstants computes, at compile time, every node whose inputs are all
// constants, replacing its outputs by constants.
//
//	exp(log(2) * 3) + x  ->  8 + x
//
// A node that fails to evaluate (an index out of range in constant inputs)
// is kept, so that the error is raised when the function runs, as the user
// expects.
func foldConstants(b *graph.Builder, fg *FunctionGraph) error {
	return rewriteGraph(b, fg, nil, func(n *graph.Apply, ins []*graph.Variable) ([]*graph.Variable, error) {
		if !foldable(n) {
			return nil, nil
		}
		values := make([]*tensor.Array, len(ins))
		for i, in := range ins {
			if in.Value == nil {
				return nil, nil
			}
			values[i] = in.Value
		}
		node, err := rebuild(b, n, ins)
		if err != nil {
			return nil, nil
		}
		p, err := eval.NewProgram(nil, node.Outputs)
		if err != nil {
			return nil, nil
		}
		results, err := p.Run(nil)
		if err != nil {
			return nil, nil
		}
		outs := make([]*graph.Variable, len(results))
		for i, r := range results {
			outs[i] = b.Constant(r)
		}
		return outs, nil
	})
}

// foldable reports whether n's outputs are small enough, by their static
// shapes, to be computed at compile time.
func foldable(n *graph.Apply) bool {
	if _, ok := n.Op.(graph.Evaluator); !ok {
		return false
	}
	for _, o := range n.Outputs {
		size := 1
		for _, d := range o.Type.Shape {
			if d == graph.Unknown || d > foldLimit {
				return false
			}
			size *= d
			if size > foldLimit {
				return false
			}
		}
	}
	return true
}
