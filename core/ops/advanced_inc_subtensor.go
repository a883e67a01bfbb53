package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
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
type AdvancedIncSubtensorOp struct {
	Set bool
}

func (op AdvancedIncSubtensorOp) Name() string {
	if op.Set {
		return "advanced_set_subtensor"
	}
	return "advanced_inc_subtensor"
}

// OutputTypes checks the index arrays, and that y fits the selection and
// can be stored in x's dtype.
func (op AdvancedIncSubtensorOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
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

// OutputShapes: advanced inc/set_subtensor keeps x's shape.
func (op AdvancedIncSubtensorOp) OutputShapes(_ *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{in[0]}, nil
}

// Evaluate copies x and adds (or stores) y at the selected positions, in
// C order over the selection.
func (op AdvancedIncSubtensorOp) Evaluate(node *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
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
func (op AdvancedIncSubtensorOp) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	return scatterPullback(b, node, gouts[0], op.Set, AdvancedSubtensorOp{}, AdvancedIncSubtensorOp{Set: true})
}

// AdvancedIncSubtensor is x with y added at x[idx...] (np.add.at): the
// selection of AdvancedSubtensor, accumulating where an index repeats.
//
//	ops.AdvancedIncSubtensor(b, x, y, rows) // x[rows] += y
func AdvancedIncSubtensor(b *graph.Builder, x, y *graph.Variable, idx ...*graph.Variable) (*graph.Variable, error) {
	return b.Apply1(AdvancedIncSubtensorOp{}, append([]*graph.Variable{x, y}, idx...)...)
}

// AdvancedSetSubtensor is x with y stored at x[idx...] (the last write wins
// where an index repeats).
func AdvancedSetSubtensor(b *graph.Builder, x, y *graph.Variable, idx ...*graph.Variable) (*graph.Variable, error) {
	return b.Apply1(AdvancedIncSubtensorOp{Set: true}, append([]*graph.Variable{x, y}, idx...)...)
}

// Lower is a call of the runtime's x[idx...] += y (np.add.at) or = y
// (tg_index.h), with the index arrays (inputs 2...) as a table of views.
// Output 0 may take x's memory: the function then skips the copy of x and
// writes only the selected elements, after reading every index:
//
//	kernel advanced_inc_subtensor(in0: float64[2], in1: float64[1], in2: int64[1], out0: float64[2] contiguous)
//	  tg_advanced_inc_subtensor(out0, in0, in1, [0], 1, [in2], [0], 0) in place of in0
func (op AdvancedIncSubtensorOp) Lower(node *graph.Apply) (*kir.Kernel, error) {
	k := len(node.Inputs) - 2
	idx := make([]int, k)
	for i := range idx {
		idx[i] = 2 + i
	}
	return callKernel(node, op.Name(), &kir.Call{Func: "tg_advanced_inc_subtensor", Header: "tg_index.h",
		Args: []kir.Arg{kir.ViewArg(k + 2), kir.ViewArg(0), kir.ViewArg(1), staticOnes(node.Inputs[1].Type), kir.IntArg(int64(k)),
			kir.ViewTable(idx...), staticOnes(graph.TypesOf(node.Inputs[2:])...), kir.IntArg(boolInt(op.Set))},
		InPlace: []int{0}}), nil
}

// buildAdvancedIncSubtensor takes no parameters; inputs are x, y and the index arrays.
func buildAdvancedIncSubtensor(name string, f func(b *graph.Builder, x, y *graph.Variable, idx ...*graph.Variable) (*graph.Variable, error)) func(*graph.Builder, Params, []*graph.Variable) (*graph.Variable, error) {
	return func(b *graph.Builder, _ Params, inputs []*graph.Variable) (*graph.Variable, error) {
		if len(inputs) < 3 {
			return nil, graph.TypeErrorf("%s takes at least 3 inputs (x, y and one index array or more), got %d", name, len(inputs))
		}
		return f(b, inputs[0], inputs[1], inputs[2:]...)
	}
}

func init() {
	for _, r := range []struct {
		name string
		f    func(b *graph.Builder, x, y *graph.Variable, idx ...*graph.Variable) (*graph.Variable, error)
	}{{"advanced_inc_subtensor", AdvancedIncSubtensor}, {"advanced_set_subtensor", AdvancedSetSubtensor}} {
		f := r.f
		// index values are in [-5, 5): an indexed axis of length 5 takes them all
		apply := func(b *graph.Builder, in []*graph.Variable) (*graph.Variable, error) {
			return f(b, in[0], in[1], in[2:]...)
		}
		Register(Registration{Name: r.name, Op: AdvancedIncSubtensorOp{}, Build: buildAdvancedIncSubtensor(r.name, f),
			Examples: []Example{
				{Inputs: types(graph.NewType(dtype.Float64, 5, -1), graph.NewType(dtype.Float64, 1), graph.NewType(dtype.Int64, -1)), Apply: apply},
				{Inputs: types(graph.NewType(dtype.Float32, 5, 3), graph.NewType(dtype.Float32, 3), graph.NewType(dtype.Int32, -1)), Apply: apply},
				{Inputs: types(graph.NewType(dtype.Int64, 5, 5), graph.NewType(dtype.Int64), graph.NewType(dtype.Int8, -1), graph.NewType(dtype.Int8, -1)), Apply: apply}, // index arrays of different lengths fail to broadcast, as in the evaluator
				{Inputs: types(graph.NewType(dtype.Float64, 5), graph.NewType(dtype.Float64, -1), graph.NewType(dtype.Int64, -1)), Apply: apply},
			}})
	}
}
