package ops

import "theanogo/core/graph"

// The gradients of the selection ops, shared by the basic (Subtensor,
// IncSubtensor) and the advanced (AdvancedSubtensor, AdvancedIncSubtensor)
// families, which differ only in the ops that select and scatter. In every
// one, input 0 is x, the index inputs come last and get no gradient.

// selectionPullback is the pullback of x[idx]: the gradient goes into zeros
// shaped like x at the selected positions, inc(zeros_like(x), gz, idx...),
// accumulating where a position is selected twice.
func selectionPullback(b *graph.Builder, node *graph.Apply, gz *graph.Variable, inc graph.Op) ([]*graph.Variable, error) {
	grads := make([]*graph.Variable, len(node.Inputs))
	x := node.Inputs[0]
	if gz == nil || x.Type.DType.IsDiscrete() {
		return grads, nil
	}
	e := NewExpr(b)
	ins := append([]*graph.Variable{e.ZerosLike(x), e.Cast(gz, x.Type.DType)}, node.Inputs[1:]...)
	grads[0] = e.Apply(inc, ins...)
	return grads, e.Err
}

// scatterPullback is the pullback of inc(x, y, idx...) and set(x, y, idx...)
// (inputs x, y, idx...): x's gradient is gz, with the selection zeroed for
// set (setOp applied to gz and 0); y's is gz at the selection (selectOp),
// summed over the dimensions y was broadcast along.
func scatterPullback(b *graph.Builder, node *graph.Apply, gz *graph.Variable, set bool, selectOp, setOp graph.Op) ([]*graph.Variable, error) {
	grads := make([]*graph.Variable, len(node.Inputs))
	x, y := node.Inputs[0], node.Inputs[1]
	if gz == nil || x.Type.DType.IsDiscrete() {
		return grads, nil
	}
	e := NewExpr(b)
	idx := node.Inputs[2:]
	grads[0] = gz
	if set {
		grads[0] = e.Apply(setOp, append([]*graph.Variable{gz, e.Const(0, gz)}, idx...)...)
	}
	if !y.Type.DType.IsDiscrete() {
		gy := e.Apply(selectOp, append([]*graph.Variable{gz}, idx...)...)
		grads[1] = e.Cast(reduceToType(e, gy, y.Type), y.Type.DType)
	}
	return grads, e.Err
}
