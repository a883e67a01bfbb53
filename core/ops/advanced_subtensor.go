package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/tensor"
)

// AdvancedSubtensor is numpy's integer-array indexing of the leading
// dimensions: x[i_0, ..., i_{k-1}] with k integer tensors (Theano's
// AdvancedSubtensor1 when k = 1 and i_0 is a vector). The index arrays
// broadcast together (a lower rank pads on the left; only dimensions of
// static length 1 broadcast), and the result is their broadcast shape
// followed by x's dimensions after the k indexed ones. Negative indices
// count from the end. Inputs are x and then the k index arrays.
//
//	advanced_subtensor(matrix (4, 3), ivector (5,)) -> matrix (5, 3)      (x[[0, 2, 2, -1, 1]])
type AdvancedSubtensorOp struct{}

func (op AdvancedSubtensorOp) Name() string { return "advanced_subtensor" }

// OutputTypes checks the index arrays and computes the static shape.
func (op AdvancedSubtensorOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	if len(in) < 2 {
		return nil, graph.TypeErrorf("advanced_subtensor takes at least 2 inputs (x and one index array or more), got %d", len(in))
	}
	sel, err := advancedStaticShape("advanced_subtensor", in[0], in[1:])
	if err != nil {
		return nil, err
	}
	return []graph.Type{graph.NewType(in[0].DType, sel...)}, nil
}

// Evaluate gathers the selected elements into a new array.
func (op AdvancedSubtensorOp) Evaluate(node *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	pos, sel, err := advancedPositions("advanced_subtensor", in[0].Shape, node.Inputs[1:], in[1:])
	if err != nil {
		return nil, err
	}
	return []*tensor.Array{Gather(in[0], sel, pos)}, nil
}

// Pullback adds the gradient into zeros shaped like x at the selected
// positions, accumulating where an index repeats (np.add.at):
// advanced_inc_subtensor(zeros_like(x), gz, idx...). The index arrays get
// no gradient.
func (op AdvancedSubtensorOp) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	return selectionPullback(b, node, gouts[0], AdvancedIncSubtensorOp{})
}

// AdvancedSubtensor is x[idx...] with integer index arrays (numpy's
// advanced indexing of the leading dimensions).
//
//	ops.AdvancedSubtensor(b, m, rows) // m[rows]: (4, 3), (5,) -> (5, 3)
func AdvancedSubtensor(b *graph.Builder, x *graph.Variable, idx ...*graph.Variable) (*graph.Variable, error) {
	return b.Apply1(AdvancedSubtensorOp{}, append([]*graph.Variable{x}, idx...)...)
}

// OutputShapes is the index arrays' broadcast shape, then x's lengths
// after the indexed dimensions; no index values are needed.
func (op AdvancedSubtensorOp) OutputShapes(b *graph.Builder, node *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	l := NewLengths(b)
	idx := node.Inputs[1:]
	out := append(broadcastLengths(l, graph.TypesOf(idx), in[1:]), in[0][len(idx):]...)
	return [][]*graph.Variable{out}, l.Err()
}

// advancedStaticShape checks x and the index arrays' types and returns the
// static shape of the selection: the index arrays' broadcast shape, then
// x's dimensions after the indexed ones.
func advancedStaticShape(op string, x graph.Type, idx []graph.Type) ([]int, error) {
	all := append([]graph.Type{x}, idx...)
	if len(idx) > x.Ndim() {
		return nil, graph.TypeErrorf("%s: too many indices (%d) for %v (inputs %s)", op, len(idx), x, TypesString(all))
	}
	rank := 0
	for i, t := range idx {
		if !t.DType.IsInteger() {
			return nil, graph.TypeErrorf("%s: index %d must be an integer tensor, got %v (inputs %s)", op, i, t, TypesString(all))
		}
		rank = max(rank, t.Ndim())
	}
	padded := make([]graph.Type, len(idx))
	for i, t := range idx {
		padded[i] = graph.NewType(t.DType, padLeft(t.Shape, rank)...)
	}
	shape, err := broadcastStatic(padded)
	if err != nil {
		return nil, graph.ValueErrorf("%s: the index arrays cannot be broadcast together: %v (inputs %s)", op, err, TypesString(all))
	}
	return append(shape, x.Shape[len(idx):]...), nil
}

// padLeft prepends lengths 1 to shape up to rank dimensions.
func padLeft(shape []int, rank int) []int {
	out := make([]int, rank-len(shape), rank)
	for d := range out {
		out[d] = 1
	}
	return append(out, shape...)
}

// advancedBroadcast is the index arrays' broadcast shape for their concrete
// shapes. As for elemwise ops, only dimensions of static length 1 (and the
// ones a lower rank pads) broadcast; the others must agree.
func advancedBroadcast(op string, idx []*graph.Variable, shapes [][]int) ([]int, error) {
	rank := 0
	for _, s := range shapes {
		rank = max(rank, len(s))
	}
	out := padLeft(nil, rank)
	first := make([]int, rank)
	for d := range first {
		first[d] = -1
	}
	for i, s := range shapes {
		lead := rank - len(s)
		for d, n := range s {
			if idx[i].Type.Shape[d] == 1 {
				continue // broadcastable
			}
			if at := lead + d; first[at] < 0 {
				first[at], out[at] = i, n
			} else if n != out[at] {
				return nil, graph.ValueErrorf("%s: shape mismatch: the index arrays cannot be broadcast together: dimension %d has length %d in index %d and %d in index %d (shapes %v)",
					op, at, out[at], first[at], n, i, shapes)
			}
		}
	}
	return out, nil
}

// advancedPositions lists the flat positions of an array of shape xShape
// that the index arrays select, in C order over the selection, and returns
// the selection's shape (the broadcast index shape, then the remaining
// dimensions of x). A position repeats when an index does.
func advancedPositions(op string, xShape []int, idxVars []*graph.Variable, idx []*tensor.Array) (pos, sel []int, err error) {
	shapes := make([][]int, len(idx))
	for i, a := range idx {
		shapes[i] = a.Shape
	}
	bshape, err := advancedBroadcast(op, idxVars, shapes)
	if err != nil {
		return nil, nil, err
	}
	// One int position per selected element: refuse a selection that cannot fit.
	if err := tensor.CheckAlloc(dtype.Int64, append(append([]int{}, bshape...), xShape[len(idx):]...)); err != nil {
		return nil, nil, graph.MemoryErrorf("%s: %v (x has shape %v)", op, err, xShape)
	}
	strides := tensor.Strides(xShape)
	base := make([]int, tensor.Size(bshape))
	for axis, a := range idx {
		vals := a.Int64s()
		at := BroadcastIndex(bshape, padLeft(a.Shape, len(bshape)))
		n := int64(xShape[axis])
		for p := range base {
			i := vals[at[p]]
			if i < -n || i >= n {
				return nil, nil, graph.IndexErrorf("%s: index %d is out of bounds for axis %d with size %d", op, i, axis, n)
			}
			if i < 0 {
				i += n
			}
			base[p] += int(i) * strides[axis]
		}
	}
	rest := xShape[len(idx):]
	inner := tensor.Size(rest)
	pos = make([]int, 0, len(base)*inner)
	for _, start := range base {
		for r := range inner {
			pos = append(pos, start+r)
		}
	}
	return pos, append(bshape, rest...), nil
}

// Lower is a call of the runtime's integer-array indexing (tg_index.h),
// which checks every index and the arrays' broadcast before it writes;
// the index arrays (inputs 1...) travel as a table of views with the
// flags of their statically-1 lengths:
//
//	kernel advanced_subtensor(in0: float64[2], in1: int64[1], out0: float64[2] contiguous)
//	  tg_advanced_subtensor(out0, in0, 1, [in1], [0])
func (op AdvancedSubtensorOp) Lower(node *graph.Apply) (*kir.Kernel, error) {
	k := len(node.Inputs) - 1
	idx := make([]int, k)
	for i := range idx {
		idx[i] = 1 + i
	}
	return callKernel(node, op.Name(), &kir.Call{Func: "tg_advanced_subtensor", Header: "tg_index.h",
		Args: []kir.Arg{kir.ViewArg(k + 1), kir.ViewArg(0), kir.IntArg(int64(k)), kir.ViewTable(idx...),
			staticOnes(graph.TypesOf(node.Inputs[1:])...)}}), nil
}

// buildAdvancedSubtensor takes no parameters; inputs are x and the index arrays.
func buildAdvancedSubtensor(b *graph.Builder, _ Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if len(inputs) < 2 {
		return nil, graph.TypeErrorf("advanced_subtensor takes at least 2 inputs (x and one index array or more), got %d", len(inputs))
	}
	return AdvancedSubtensor(b, inputs[0], inputs[1:]...)
}

func init() {
	// the examples' index values are in [-5, 5) (uint8: [0, 10)), so an
	// indexed axis of length 5 (10) takes them all
	apply := func(b *graph.Builder, in []*graph.Variable) (*graph.Variable, error) {
		return AdvancedSubtensor(b, in[0], in[1:]...)
	}
	Register(Registration{Name: "advanced_subtensor", Op: AdvancedSubtensorOp{}, Build: buildAdvancedSubtensor,
		Examples: []Example{
			{Inputs: types(graph.NewType(dtype.Float64, 5, -1), graph.NewType(dtype.Int64, -1)), Apply: apply},
			{Inputs: types(graph.NewType(dtype.Float32, 5, 5, -1), graph.NewType(dtype.Int8, -1, 2), graph.NewType(dtype.Int32, 2)), Apply: apply},
			{Inputs: types(graph.NewType(dtype.Int16, 10), graph.NewType(dtype.Uint8, -1, -1)), Apply: apply},
			{Inputs: types(graph.NewType(dtype.Complex64, 5, 3), graph.NewType(dtype.Int64, 1), graph.NewType(dtype.Int64, -1)), Apply: apply}, // -5 is out of bounds for axis 1: IndexError as the evaluator's
		}})
}
