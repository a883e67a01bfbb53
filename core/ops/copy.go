package ops

import (
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Copy is x.copy() (Theano's tensor_copy): the same values as a new
// variable, so that naming or freezing the copy leaves x alone.
//
//	tensor_copy(matrix (?, 3)) -> matrix (?, 3)
type CopyOp struct{}

func (op CopyOp) Name() string { return "tensor_copy" }

func (op CopyOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	if len(in) != 1 {
		return nil, graph.TypeErrorf("tensor_copy takes 1 input, got %d", len(in))
	}
	return []graph.Type{in[0]}, nil
}

// OutputShapes: a copy keeps the shape.
func (op CopyOp) OutputShapes(_ *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{in[0]}, nil
}

func (op CopyOp) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	return []*tensor.Array{in[0].Clone()}, nil
}

// Pullback passes the gradient through.
func (op CopyOp) Pullback(_ *graph.Builder, _ *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	return []*graph.Variable{gouts[0]}, nil
}

// Copy is x.copy(): the same values as a new variable.
func Copy(b *graph.Builder, x *graph.Variable) (*graph.Variable, error) {
	return b.Apply1(CopyOp{}, x)
}
