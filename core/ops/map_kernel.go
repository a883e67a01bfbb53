package ops

import (
	"fmt"

	"theanogo/core/graph"
	"theanogo/core/kir"
)

// The elementwise ops (Elemwise, FusedOp, CastOp, CopyOp) lower to one
// kir.Kernel with a Map body: the index space is the output's shape, each
// input is an operand of the space's rank (an input of lower rank is
// padded on the left, as numpy broadcasts), and the element expression is
// the op's scalar function. The C++ generator (codegen/cxx/lower_kir.go)
// and the CUDA printer (cuda/) print this one kernel; neither reads the
// graph node. For z = x * 0.5 over a float64 matrix:
//
//	kernel mul(in0: float64[2], in1: float64[2] broadcast{0,1}, out0: float64[2] contiguous)
//	for i0<n0=out0.shape[0], i1<n1=out0.shape[1]:
//	  out0[i0,i1] = in0[i0,i1] * 0.5
//
// A constant input of one element (of any rank) is a constant of the
// expression, so every printer writes it as a literal (x ** 2 is x * x,
// x * 0.5 multiplies by 0.5), fused or not; it stays an operand, unread
// (Kernel.Reads), so that the node's inputs and the kernel's operands
// keep one numbering.

// Lower is the scalar row mapped over the inputs.
func (op Elemwise) Lower(node *graph.Apply) (*kir.Kernel, error) {
	args := make([]*kir.Expr, len(node.Inputs))
	for i, in := range node.Inputs {
		args[i] = kir.Input(i, in.Type.DType)
	}
	e, err := kir.Apply(op.Scalar, args...)
	if err != nil {
		return nil, err
	}
	return mapKernel(op.Name(), node, e)
}

// Lower is the fused expression mapped over the inputs.
func (op FusedOp) Lower(node *graph.Apply) (*kir.Kernel, error) {
	if op.Expr == nil {
		return nil, fmt.Errorf("composite without an expression")
	}
	if op.Expr.NumInputs() > len(node.Inputs) {
		return nil, fmt.Errorf("composite reads %d inputs, the node has %d", op.Expr.NumInputs(), len(node.Inputs))
	}
	return mapKernel(op.Name(), node, op.Expr)
}

// Lower converts each element as astype does.
func (op CastOp) Lower(node *graph.Apply) (*kir.Kernel, error) {
	return mapKernel(op.Name(), node, kir.Cast(kir.Input(0, node.Inputs[0].Type.DType), op.To))
}

// Lower copies each element.
func (op CopyOp) Lower(node *graph.Apply) (*kir.Kernel, error) {
	return mapKernel(op.Name(), node, kir.Input(0, node.Inputs[0].Type.DType))
}

// mapKernel is the map out0 = e over node's output shape, its one-element
// constant inputs put into e as constants.
func mapKernel(name string, node *graph.Apply, e *kir.Expr) (*kir.Kernel, error) {
	out := node.Outputs[0].Type
	r := out.Ndim()
	e, err := kir.Substitute(e, func(i int) *kir.Expr {
		if c, ok := constantOperand(node.Inputs[i]); ok {
			return kir.Constant(c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if e.DType() != out.DType {
		return nil, fmt.Errorf("%s computes %v, its output is %v", name, e.DType(), out.DType)
	}
	k := &kir.Kernel{Name: name, Extents: make([]kir.Extent, r),
		Outputs: []kir.Operand{{DType: out.DType, Rank: r, Layout: kir.Contiguous, Broadcast: broadcastPattern(out, r)}},
		Body:    &kir.Map{Outputs: []*kir.Expr{e}}}
	for d := range k.Extents {
		k.Extents[d] = kir.Extent{Operand: len(node.Inputs), Axis: d}
	}
	for _, in := range node.Inputs {
		if in.Type.Ndim() > r {
			return nil, fmt.Errorf("%s: an input of rank %d for an output of rank %d", name, in.Type.Ndim(), r)
		}
		k.Inputs = append(k.Inputs, kir.Operand{DType: in.Type.DType, Rank: r, Broadcast: broadcastPattern(in.Type, r)})
	}
	return k, nil
}

// constantOperand is the value of v when v is a constant of one element,
// or a dimshuffle or reshape of one (how ApplyScalar pads the 2 of x ** 2
// to x's rank when no constant folding ran: optimizer=None).
func constantOperand(v *graph.Variable) (kir.Const, bool) {
	for v.Owner != nil {
		switch v.Owner.Op.(type) {
		case DimShuffleOp, ReshapeOp, FlattenOp:
			v = v.Owner.Inputs[0]
		default:
			return kir.Const{}, false
		}
	}
	if !v.IsConstant() {
		return kir.Const{}, false
	}
	return kir.ConstOf(v.Value)
}

// broadcastPattern is t's broadcast pattern over a space of rank r: true along
// the axes t is padded with (on the left) and those it has statically 1.
func broadcastPattern(t graph.Type, r int) []bool {
	b := make([]bool, r)
	pad := r - t.Ndim()
	for d := range b {
		b[d] = d < pad || t.Shape[d-pad] == 1
	}
	return b
}
