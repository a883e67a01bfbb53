package ops

import (
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Copy is x.copy() (Theano's tensor_copy): the same values as a new
// variable, so that naming or freezing the copy leaves x alone.
//
//	tensor_copy(matrix (?, 3)) -> matrix (?, 3)
type Copy struct{}

func (op *Copy) Name() string   { return "tensor_copy" }
func (op *Copy) Params() string { return "" }

func (op *Copy) OutputTypes(in []graph.Type) ([]graph.Type, error) {
	if len(in) != 1 {
		return nil, graph.TypeErrorf("tensor_copy takes 1 input, got %d", len(in))
	}
	return []graph.Type{in[0]}, nil
}

// OutputShapes: a copy keeps the shape.
func (op *Copy) OutputShapes(_ *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{in[0]}, nil
}

func (op *Copy) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	return []*tensor.Array{in[0].Clone()}, nil
}

// Pullback passes the gradient through.
func (op *Copy) Pullback(_ *graph.Builder, _ *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	return []*graph.Variable{gouts[0]}, nil
}

func buildCopy(b *graph.Builder, _ Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if err := checkArity("tensor_copy", inputs, 1); err != nil {
		return nil, err
	}
	return b.Apply1(&Copy{}, inputs[0])
}
