package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Cast converts its input to another dtype, as numpy's astype does.
//
//	cast{dtype=float32}(x: int64 vector) -> float32 vector
type Cast struct {
	To dtype.DType
}

func (op *Cast) Name() string   { return "cast" }
func (op *Cast) Params() string { return "dtype=" + op.To.String() }

func (op *Cast) OutputTypes(in []graph.Type) ([]graph.Type, error) {
	if len(in) != 1 {
		return nil, graph.TypeErrorf("cast takes 1 input, got %d", len(in))
	}
	return []graph.Type{in[0].WithDType(op.To)}, nil
}

// OutputShapes: a cast keeps the shape.
func (op *Cast) OutputShapes(_ *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{in[0]}, nil
}

func (op *Cast) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	return []*tensor.Array{in[0].Astype(op.To)}, nil
}

// Pullback casts the gradient back to the input's dtype (none for discrete types).
func (op *Cast) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	in := node.Inputs[0]
	if gouts[0] == nil || in.Type.DType.IsDiscrete() || op.To.IsDiscrete() {
		return []*graph.Variable{nil}, nil
	}
	e := NewExpr(b)
	return []*graph.Variable{e.Cast(gouts[0], in.Type.DType)}, e.Err
}

func buildCast(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if err := checkArity("cast", inputs, 1); err != nil {
		return nil, err
	}
	to, err := p.DType("dtype", dtype.Invalid)
	if err != nil {
		return nil, graph.TypeErrorf("cast: %v", err)
	}
	if to == dtype.Invalid {
		return nil, graph.TypeErrorf("cast: missing dtype")
	}
	if inputs[0].Type.DType == to {
		return inputs[0], nil
	}
	return b.Apply1(&Cast{To: to}, inputs...)
}
