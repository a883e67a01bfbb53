package ops

import (
	"fmt"

	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Flatten keeps the first Outdim-1 dimensions of x and merges the rest into
// one (Theano's flatten(x, outdim)).
//
//	flatten{outdim=2}(tensor3 (2, 3, 4)) -> matrix (2, 12)
type FlattenOp struct {
	Outdim int
}

func (op FlattenOp) Name() string        { return "flatten" }
func (op FlattenOp) ParamString() string { return fmt.Sprintf("outdim=%d", op.Outdim) }

func (op FlattenOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	if len(in) != 1 {
		return nil, graph.TypeErrorf("flatten takes 1 input, got %d", len(in))
	}
	x := in[0]
	if op.Outdim < 1 || (op.Outdim > 1 && op.Outdim > x.Ndim()) {
		return nil, graph.ValueErrorf("flatten: outdim=%d is out of range [1, %d] for %v", op.Outdim, max(1, x.Ndim()), x)
	}
	return []graph.Type{graph.NewType(x.DType, flattenShape(x.Shape, op.Outdim)...)}, nil
}

// flattenShape merges the dimensions from outdim-1 on; an unknown length
// among them makes the merged length unknown.
func flattenShape(shape []int, outdim int) []int {
	out := make([]int, outdim)
	copy(out, shape[:outdim-1])
	out[outdim-1] = staticSize(shape[outdim-1:])
	return out
}

// OutputShapes keeps the first outdim-1 lengths and multiplies the rest.
func (op FlattenOp) OutputShapes(b *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	l := NewLengths(b)
	out := append([]*graph.Variable{}, in[0][:op.Outdim-1]...)
	out = append(out, l.Product(in[0][op.Outdim-1:]))
	return [][]*graph.Variable{out}, l.Err()
}

func (op FlattenOp) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	return []*tensor.Array{in[0].Clone().Reshaped(flattenShape(in[0].Shape, op.Outdim))}, nil
}

// Pullback reshapes the gradient back to x's shape.
func (op FlattenOp) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	x, gz := node.Inputs[0], gouts[0]
	if gz == nil || x.Type.DType.IsDiscrete() {
		return []*graph.Variable{nil}, nil
	}
	e := NewExpr(b)
	gx := e.Reshape(e.Cast(gz, x.Type.DType), e.Shape(x), x.Type.Ndim())
	return []*graph.Variable{gx}, e.Err
}

// Flatten keeps x's first outdim-1 dimensions and merges the rest
// (Theano's flatten(x, outdim)).
//
//	ops.Flatten(b, x, 2) // flatten{outdim=2}: (2, 3, 4) -> (2, 12)
func Flatten(b *graph.Builder, x *graph.Variable, outdim int) (*graph.Variable, error) {
	return b.Apply1(FlattenOp{Outdim: outdim}, x)
}
