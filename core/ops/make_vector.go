package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// MakeVector stacks scalars into a vector of dtype DType, converting each as
// numpy's astype does. It is how shapes like (x.shape[0], -1) are built.
//
//	make_vector{dtype=int64}(n, 3) -> int64 vector (2,)
type MakeVectorOp struct {
	DType dtype.DType
}

func (op MakeVectorOp) Name() string        { return "make_vector" }
func (op MakeVectorOp) ParamString() string { return "dtype=" + op.DType.String() }

func (op MakeVectorOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	for i, t := range in {
		if t.Ndim() != 0 {
			return nil, graph.TypeErrorf("make_vector: input %d must be a scalar, got %v (inputs %s)", i, t, TypesString(in))
		}
		if t.DType.IsComplex() && !op.DType.IsComplex() {
			return nil, graph.TypeErrorf("make_vector: cannot put complex input %d into a %v vector (inputs %s)", i, op.DType, TypesString(in))
		}
	}
	return []graph.Type{graph.NewType(op.DType, len(in))}, nil
}

// OutputShapes: one entry per input scalar.
func (op MakeVectorOp) OutputShapes(b *graph.Builder, node *graph.Apply, _ [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{{NewLengths(b).Const(len(node.Inputs))}}, nil
}

func (op MakeVectorOp) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	out := tensor.New(op.DType, []int{len(in)})
	size := op.DType.Size()
	dst := out.Bytes()
	for i, a := range in {
		copy(dst[i*size:(i+1)*size], a.Astype(op.DType).Bytes())
	}
	return []*tensor.Array{out}, nil
}

// Pullback gives each scalar its element of the gradient.
func (op MakeVectorOp) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	grads := make([]*graph.Variable, len(node.Inputs))
	gz := gouts[0]
	if gz == nil || op.DType.IsDiscrete() {
		return grads, nil
	}
	e := NewExpr(b)
	for i, in := range node.Inputs {
		if in.Type.DType.IsDiscrete() {
			continue
		}
		grads[i] = e.Cast(e.Index(gz, i), in.Type.DType)
	}
	return grads, e.Err
}

// MakeVector stacks the scalars into a vector of dtype dt; dtype.Invalid
// means the scalars' promoted dtype (int64 when there are none).
//
//	ops.MakeVector(b, dtype.Int64, n, minusOne) // make_vector{dtype=int64}(n, -1)
func MakeVector(b *graph.Builder, dt dtype.DType, scalars ...*graph.Variable) (*graph.Variable, error) {
	if dt == dtype.Invalid {
		dt = dtype.Int64
		if len(scalars) > 0 {
			dts := make([]dtype.DType, len(scalars))
			for i, in := range scalars {
				if in == nil {
					return nil, graph.TypeErrorf("make_vector: input %d is nil", i)
				}
				dts[i] = in.Type.DType
			}
			dt = dtype.Upcast(dts...)
		}
	}
	return b.Apply1(MakeVectorOp{DType: dt}, scalars...)
}
