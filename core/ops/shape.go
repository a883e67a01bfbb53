package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// shapeConstructors is the shape family's table in the Build registry: ops
// that rearrange elements without computing new values.
var shapeConstructors = map[string]Constructor{
	"dimshuffle":  buildDimShuffle, // dimshuffle.go
	"transpose":   buildTranspose,  // transpose.go
	"reshape":     buildReshape,    // reshape.go
	"flatten":     buildFlatten,    // flatten.go
	"shape":       buildShape,      // shape.go
	"make_vector": buildMakeVector, // make_vector.go
	"tensor_copy": buildCopy,       // copy.go
}

// Shape returns the shape of its input as an int64 vector (x.shape).
//
//	shape(matrix (?, 3)) -> int64 vector (2,)
type Shape struct{}

func (op *Shape) Name() string   { return "shape" }
func (op *Shape) Params() string { return "" }

func (op *Shape) OutputTypes(in []graph.Type) ([]graph.Type, error) {
	if len(in) != 1 {
		return nil, graph.TypeErrorf("shape takes 1 input, got %d", len(in))
	}
	return []graph.Type{graph.NewType(dtype.Int64, in[0].Ndim())}, nil
}

// OutputShapes: the shape vector has one entry per input dimension.
func (op *Shape) OutputShapes(b *graph.Builder, node *graph.Apply, _ [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{{NewLengths(b).Const(node.Inputs[0].Type.Ndim())}}, nil
}

func (op *Shape) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	dims := make([]int64, in[0].Ndim())
	for i, n := range in[0].Shape {
		dims[i] = int64(n)
	}
	return []*tensor.Array{tensor.FromInt64s(dtype.Int64, []int{len(dims)}, dims)}, nil
}

// Pullback: a shape has no gradient with respect to the values.
func (op *Shape) Pullback(_ *graph.Builder, _ *graph.Apply, _ []*graph.Variable) ([]*graph.Variable, error) {
	return []*graph.Variable{nil}, nil
}

// buildShape takes no parameters.
func buildShape(b *graph.Builder, _ Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if err := checkArity("shape", inputs, 1); err != nil {
		return nil, err
	}
	return b.Apply1(&Shape{}, inputs[0])
}
