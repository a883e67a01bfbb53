package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Cast converts its input to another dtype, as numpy's astype does.
//
//	cast{dtype=float32}(x: int64 vector) -> float32 vector
type CastOp struct {
	To dtype.DType
}

func (op CastOp) Name() string        { return "cast" }
func (op CastOp) ParamString() string { return "dtype=" + op.To.String() }

func (op CastOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	if len(in) != 1 {
		return nil, graph.TypeErrorf("cast takes 1 input, got %d", len(in))
	}
	return []graph.Type{in[0].WithDType(op.To)}, nil
}

// OutputShapes: a cast keeps the shape.
func (op CastOp) OutputShapes(_ *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{in[0]}, nil
}

func (op CastOp) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	return []*tensor.Array{in[0].Astype(op.To)}, nil
}

// Pullback casts the gradient back to the input's dtype (none for discrete types).
func (op CastOp) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	in := node.Inputs[0]
	if gouts[0] == nil || in.Type.DType.IsDiscrete() || op.To.IsDiscrete() {
		return []*graph.Variable{nil}, nil
	}
	e := NewExpr(b)
	return []*graph.Variable{e.Cast(gouts[0], in.Type.DType)}, e.Err
}

// Cast converts x to dtype to, as numpy's astype does; x itself when it
// already has that dtype (no node).
//
//	ops.Cast(b, x, dtype.Float32) // cast{dtype=float32}(x)
func Cast(b *graph.Builder, x *graph.Variable, to dtype.DType) (*graph.Variable, error) {
	if x == nil {
		return nil, graph.TypeErrorf("cast takes 1 input, got none")
	}
	if to == dtype.Invalid {
		return nil, graph.TypeErrorf("cast: missing dtype")
	}
	if x.Type.DType == to {
		return x, nil
	}
	return b.Apply1(CastOp{To: to}, x)
}
