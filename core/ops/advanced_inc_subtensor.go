package ops

import (
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// AdvancedIncSubtensor returns a copy of x whose elements selected by
// integer index arrays are incremented by y (x[idx] += y, accumulating
// where an index repeats, as np.add.at does), or replaced by y when Set
// (x[idx] = y; where an index repeats, the last write wins). The selection
// is AdvancedSubtensor's; y broadcasts to it as in IncSubtensor. Inputs are
// x, y and the index arrays.
//
//	advanced_inc_subtensor(vector (3,), vector (3,), ivector (3,)) -> vector (3,)   (np.add.at(x, [0, 2, 2], y))
type AdvancedIncSubtensor struct {
	Set bool
}

func (op *AdvancedIncSubtensor) Name() string {
	if op.Set {
		return "advanced_set_subtensor"
	}
	return "advanced_inc_subtensor"
}

func (op *AdvancedIncSubtensor) Params() string { return "" }

// OutputTypes checks the index arrays, and that y fits the selection and
// can be stored in x's dtype.
func (op *AdvancedIncSubtensor) OutputTypes(in []graph.Type) ([]graph.Type, error) {
	name := op.Name()
	if len(in) < 3 {
		return nil, graph.TypeErrorf("%s takes at least 3 inputs (x, y and one index array or more), got %d", name, len(in))
	}
	x, y := in[0], in[1]
	sel, err := advancedStaticShape(name, x, in[2:])
	if err != nil {
		return nil, err
	}
	if err := checkFitsSelection(name, x, y, sel); err != nil {
		return nil, err
	}
	return []graph.Type{x}, nil
}

func (op *AdvancedIncSubtensor) InferShape(_ *graph.Apply, shapes [][]int) ([][]int, error) {
	return [][]int{shapes[0]}, nil
}

// Evaluate copies x and adds (or stores) y at the selected positions, in
// C order over the selection.
func (op *AdvancedIncSubtensor) Evaluate(node *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	x, y := in[0], in[1]
	name := op.Name()
	index, sel, err := advancedPositions(name, x.Shape, node.Inputs[2:], in[2:])
	if err != nil {
		return nil, err
	}
	yIndex, err := broadcastInto(name, sel, y.Shape, node.Inputs[1].Type)
	if err != nil {
		return nil, err
	}
	return []*tensor.Array{scatterInto(x, index, y, yIndex, op.Set)}, nil
}

// Pullback: x's gradient is gz (with the selection zeroed for set); y's is
// gz at the selection, summed over the dimensions y was broadcast along.
// (For set with repeated indices, as in Theano, every write of y gets the
// gradient, not only the last one.) The index arrays get no gradient.
func (op *AdvancedIncSubtensor) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	return scatterPullback(b, node, gouts[0], op.Set, &AdvancedSubtensor{}, &AdvancedIncSubtensor{Set: true})
}

// buildAdvancedIncSubtensor takes no parameters; inputs are x, y and the index arrays.
func buildAdvancedIncSubtensor(set bool) Constructor {
	return func(b *graph.Builder, _ Params, inputs []*graph.Variable) (*graph.Variable, error) {
		return b.Apply1(&AdvancedIncSubtensor{Set: set}, inputs...)
	}
}
