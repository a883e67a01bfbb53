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
type MakeVector struct {
	DType dtype.DType
}

func (op *MakeVector) Name() string   { return "make_vector" }
func (op *MakeVector) Params() string { return "dtype=" + op.DType.String() }

func (op *MakeVector) OutputTypes(in []graph.Type) ([]graph.Type, error) {
	for i, t := range in {
		if t.Ndim() != 0 {
			return nil, graph.TypeErrorf("make_vector: input %d must be a scalar, got %v (inputs %s)", i, t, typesString(in))
		}
		if t.DType.IsComplex() && !op.DType.IsComplex() {
			return nil, graph.TypeErrorf("make_vector: cannot put complex input %d into a %v vector (inputs %s)", i, op.DType, typesString(in))
		}
	}
	return []graph.Type{graph.NewType(op.DType, len(in))}, nil
}

// OutputShapes: one entry per input scalar.
func (op *MakeVector) OutputShapes(b *graph.Builder, node *graph.Apply, _ [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{{NewLengths(b).Const(len(node.Inputs))}}, nil
}

func (op *MakeVector) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	out := tensor.New(op.DType, []int{len(in)})
	size := op.DType.Size()
	dst := out.Bytes()
	for i, a := range in {
		copy(dst[i*size:(i+1)*size], a.Astype(op.DType).Bytes())
	}
	return []*tensor.Array{out}, nil
}

// Pullback gives each scalar its element of the gradient.
func (op *MakeVector) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
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
		item := []IndexItem{{Entries: []IndexEntry{{Kind: EntryConst, Value: i}}}}
		grads[i] = e.Cast(e.Apply(&Subtensor{Items: item}, gz), in.Type.DType)
	}
	return grads, e.Err
}

// buildMakeVector reads {"dtype": name}; the default is the inputs'
// promoted dtype (int64 when there are none).
func buildMakeVector(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
	def := dtype.Int64
	if len(inputs) > 0 {
		dts := make([]dtype.DType, len(inputs))
		for i, in := range inputs {
			dts[i] = in.Type.DType
		}
		def = dtype.Upcast(dts...)
	}
	dt, err := p.DType("dtype", def)
	if err != nil {
		return nil, graph.TypeErrorf("make_vector: %v", err)
	}
	return b.Apply1(&MakeVector{DType: dt}, inputs...)
}
