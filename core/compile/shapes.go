package compile

import (
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/shape"
)

// shapeOf replaces each shape(v) of a computed v by the vector of v's
// symbolic lengths, so that x.shape never computes x:
//
//	shape(exp(dot(x, y)))  ->  make_vector(shape(x)[0], shape(y)[1])
//
// A v whose op has no shape rule keeps its shape node (and is computed).
func shapeOf(b *graph.Builder, fg *FunctionGraph) error {
	tr := shape.NewTracker(b)
	return rewriteGraph(b, fg, nil, func(n *graph.Apply, ins []*graph.Variable) ([]*graph.Variable, error) {
		if _, ok := n.Op.(ops.ShapeOp); !ok || ins[0].Owner == nil {
			return nil, nil
		}
		vec, err := tr.Vector(ins[0])
		if err != nil {
			return nil, nil
		}
		return []*graph.Variable{vec}, nil
	})
}
