package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Shape returns the shape of its input as an int64 vector (x.shape).
//
//	shape(matrix (?, 3)) -> int64 vector (2,)
type ShapeOp struct{}

func (op ShapeOp) Name() string { return "shape" }

func (op ShapeOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	if len(in) != 1 {
		return nil, graph.TypeErrorf("shape takes 1 input, got %d", len(in))
	}
	return []graph.Type{graph.NewType(dtype.Int64, in[0].Ndim())}, nil
}

// OutputShapes: the shape vector has one entry per input dimension.
func (op ShapeOp) OutputShapes(b *graph.Builder, node *graph.Apply, _ [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{{NewLengths(b).Const(node.Inputs[0].Type.Ndim())}}, nil
}

func (op ShapeOp) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	dims := make([]int64, in[0].Ndim())
	for i, n := range in[0].Shape {
		dims[i] = int64(n)
	}
	return []*tensor.Array{tensor.FromInt64s(dtype.Int64, []int{len(dims)}, dims)}, nil
}

// Pullback: a shape has no gradient with respect to the values.
func (op ShapeOp) Pullback(_ *graph.Builder, _ *graph.Apply, _ []*graph.Variable) ([]*graph.Variable, error) {
	return []*graph.Variable{nil}, nil
}

// Shape is x.shape, an int64 vector.
//
//	ops.Shape(b, m) // shape(m): matrix (?, 3) -> int64 vector (2,)
func Shape(b *graph.Builder, x *graph.Variable) (*graph.Variable, error) {
	return b.Apply1(ShapeOp{}, x)
}
