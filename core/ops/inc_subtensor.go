package ops

import (
	"fmt"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/tensor"
)

// IncSubtensor returns a copy of x whose selected elements are incremented
// by y (x[items] += y), or replaced by y when Set (x[items] = y). y
// broadcasts to the selection as elemwise ops do: it may have fewer
// dimensions, and its dimensions of static length 1 broadcast. Inputs are x,
// y and the index scalars of Items.
//
//	inc_subtensor{1:3}(vector (5,), vector (2,)) -> vector (5,)
type IncSubtensorOp struct {
	Items IndexItems
	Set   bool
}

func (op IncSubtensorOp) Name() string {
	if op.Set {
		return "set_subtensor"
	}
	return "inc_subtensor"
}

func (op IncSubtensorOp) ParamString() string { return op.Items.String() }

// OutputTypes checks that y fits the selection and can be stored in x's dtype.
func (op IncSubtensorOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	name := op.Name()
	if len(in) < 2 {
		return nil, graph.TypeErrorf("%s takes at least 2 inputs (x, y), got %d", name, len(in))
	}
	x, y := in[0], in[1]
	if err := checkIndexTypes(name, op.Items.List(), x, in[2:]); err != nil {
		return nil, err
	}
	sel, err := staticIndexShape(name, op.Items.List(), x.Shape)
	if err != nil {
		return nil, graph.Annotate(err, " (x is %v)", x)
	}
	if err := checkFitsSelection(name, x, y, sel); err != nil {
		return nil, err
	}
	return []graph.Type{x}, nil
}

// checkFitsSelection checks that y can be stored in x's dtype and
// broadcasts to the selection's static shape sel.
func checkFitsSelection(name string, x, y graph.Type, sel []int) error {
	if dtype.Promote(x.DType, y.DType) != x.DType {
		return graph.TypeErrorf("%s: cannot store %v values into %v without loss (inputs %s)", name, y.DType, x.DType, TypesString([]graph.Type{x, y}))
	}
	if y.Ndim() > len(sel) {
		return graph.ValueErrorf("%s: y %v has more dimensions than the selection of x (%d) (inputs %s)", name, y, len(sel), TypesString([]graph.Type{x, y}))
	}
	lead := len(sel) - y.Ndim()
	for d, n := range y.Shape {
		s := sel[lead+d]
		if n != 1 && n != graph.Unknown && s != graph.Unknown && n != s {
			return graph.ValueErrorf("%s: y %v does not fit the selection of shape %v of x (inputs %s)", name, y, sel, TypesString([]graph.Type{x, y}))
		}
	}
	return nil
}

// Evaluate copies x and adds (or stores) y at the selected positions.
func (op IncSubtensorOp) Evaluate(node *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	x, y := in[0], in[1]
	name := op.Name()
	spans, _, err := resolveSpans(name, op.Items.List(), x.Shape, indexValues(in[2:]))
	if err != nil {
		return nil, err
	}
	index, sel := spanIndex(x.Shape, spans)
	yIndex, err := broadcastInto(name, sel, y.Shape, node.Inputs[1].Type)
	if err != nil {
		return nil, err
	}
	return []*tensor.Array{scatterInto(x, index, y, yIndex, op.Set)}, nil
}

// scatterInto returns a copy of x with y's elements ys[yIndex[k]] added to
// (or, with set, stored at) the flat positions index[k], computing in x's domain.
func scatterInto(x *tensor.Array, index []int, y *tensor.Array, yIndex []int, set bool) *tensor.Array {
	dt := x.DType
	switch {
	case dt.IsComplex():
		out := x.Complex128s()
		scatter(out, index, y.Complex128s(), yIndex, set)
		return tensor.FromComplex128s(dt, x.Shape, out)
	case dt.IsDiscrete():
		out := x.Int64s()
		scatter(out, index, y.Int64s(), yIndex, set)
		return tensor.FromInt64s(dt, x.Shape, out)
	default:
		out := x.Float64s()
		scatter(out, index, y.Float64s(), yIndex, set)
		return tensor.OwnFloat64s(dt, x.Shape, out)
	}
}

// scatter adds (or stores) ys[yIndex[k]] into out[index[k]].
func scatter[T float64 | int64 | complex128](out []T, index []int, ys []T, yIndex []int, set bool) {
	for k, i := range index {
		if set {
			out[i] = ys[yIndex[k]]
		} else {
			out[i] += ys[yIndex[k]]
		}
	}
}

// broadcastInto maps every position of the selection (shape sel) to the
// position of y it reads: y is padded on the left, and its dimensions of
// static length 1 (per yType) broadcast.
func broadcastInto(name string, sel, yShape []int, yType graph.Type) ([]int, error) {
	lead := len(sel) - len(yShape)
	padded := make([]int, len(sel))
	for d := range sel {
		padded[d] = 1
		if d >= lead {
			padded[d] = yShape[d-lead]
			if padded[d] != sel[d] && !(yType.Shape[d-lead] == 1) {
				return nil, graph.ValueErrorf("%s: y of shape %v does not fit the selection of shape %v", name, yShape, sel)
			}
		}
	}
	return BroadcastIndex(sel, padded), nil
}

// Pullback: x's gradient is gz (with the selection zeroed for set); y's is
// gz at the selection, summed over the dimensions y was broadcast along.
func (op IncSubtensorOp) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	return scatterPullback(b, node, gouts[0], op.Set, SubtensorOp{Items: op.Items}, IncSubtensorOp{Items: op.Items, Set: true})
}

// IncSubtensor is x with y added at x[items] (x[items] += y, on a copy);
// indexInputs are the items' symbolic entries, as for Subtensor.
//
//	ops.IncSubtensor(b, v, y, []ops.IndexItem{ops.IndexAt(0)}) // v[0] += y
func IncSubtensor(b *graph.Builder, x, y *graph.Variable, items []IndexItem, indexInputs ...*graph.Variable) (*graph.Variable, error) {
	return incSubtensor(b, false, x, y, items, indexInputs)
}

// SetSubtensor is x with y stored at x[items] (x[items] = y, on a copy).
func SetSubtensor(b *graph.Builder, x, y *graph.Variable, items []IndexItem, indexInputs ...*graph.Variable) (*graph.Variable, error) {
	return incSubtensor(b, true, x, y, items, indexInputs)
}

func incSubtensor(b *graph.Builder, set bool, x, y *graph.Variable, items []IndexItem, indexInputs []*graph.Variable) (*graph.Variable, error) {
	op := IncSubtensorOp{Items: NewIndexItems(items), Set: set}
	if err := checkItems(op.Name(), items); err != nil {
		return nil, err
	}
	return b.Apply1(op, append([]*graph.Variable{x, y}, indexInputs...)...)
}

// OutputShapes: inc/set_subtensor keeps x's shape.
func (op IncSubtensorOp) OutputShapes(_ *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{in[0]}, nil
}

// Lower is a call of the runtime's x[items] += y (or = y) with basic
// indices (tg_index.h), which checks the bounds, the steps and y's fit
// before the first write. The items become a table of 7 int64s per item
// (an index: 0, value, then zeros; a slice: 1, then has/value for start,
// stop and step), whose symbolic entries read the node's index scalars
// (inputs 2...). Output 0 may take x's memory:
//
//	kernel inc_subtensor(in0: float64[2], in1: float64[1], in2: int64[0], out0: float64[2] contiguous)
//	  tg_inc_subtensor(out0, in0, in1, [0], 1, [0, *in2, 0, 0, 0, 0, 0], 0) in place of in0
func (op IncSubtensorOp) Lower(node *graph.Apply) (*kir.Kernel, error) {
	items := op.Items.List()
	next := 2 // the next index scalar input
	entry := func(en IndexEntry) (has, value kir.Arg, err error) {
		switch en.Kind {
		case EntryConst:
			return kir.IntArg(1), kir.IntArg(int64(en.Value)), nil
		case EntryInput:
			if next >= len(node.Inputs) {
				return has, value, fmt.Errorf("%s: too few index inputs", op.Name())
			}
			next++
			return kir.IntArg(1), kir.ScalarArg(next - 1), nil
		}
		return kir.IntArg(0), kir.IntArg(0), nil
	}
	var codes []kir.Arg
	zero := kir.IntArg(0)
	for _, it := range items {
		if !it.Slice {
			_, v, err := entry(it.Entries[0])
			if err != nil {
				return nil, err
			}
			codes = append(codes, zero, v, zero, zero, zero, zero, zero)
			continue
		}
		codes = append(codes, kir.IntArg(1))
		for _, en := range it.Entries {
			has, v, err := entry(en)
			if err != nil {
				return nil, err
			}
			codes = append(codes, has, v)
		}
	}
	return callKernel(node, op.Name(), &kir.Call{Func: "tg_inc_subtensor", Header: "tg_index.h",
		Args: []kir.Arg{kir.ViewArg(len(node.Inputs)), kir.ViewArg(0), kir.ViewArg(1), staticOnes(node.Inputs[1].Type),
			kir.IntArg(int64(len(items))), kir.IntTable(codes...), kir.IntArg(boolInt(op.Set))},
		InPlace: []int{0}}), nil
}

// buildIncSubtensor reads {"items": [...]}; inputs are x, y and the index
// scalars.
func buildIncSubtensor(name string, f func(*graph.Builder, *graph.Variable, *graph.Variable, []IndexItem, ...*graph.Variable) (*graph.Variable, error)) func(*graph.Builder, Params, []*graph.Variable) (*graph.Variable, error) {
	return func(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
		if len(inputs) < 2 {
			return nil, graph.TypeErrorf("%s takes at least 2 inputs (x, y), got %d", name, len(inputs))
		}
		items, err := p.Items("items")
		if err != nil {
			return nil, graph.TypeErrorf("%s: %v", name, err)
		}
		return f(b, inputs[0], inputs[1], items, inputs[2:]...)
	}
}

func init() {
	input := IndexItem{Entries: []IndexEntry{{Kind: EntryInput}}}
	slice := func(entries ...IndexEntry) IndexItem { return IndexItem{Slice: true, Entries: entries} }
	c := func(v int) IndexEntry { return IndexEntry{Kind: EntryConst, Value: v} }
	none, in := IndexEntry{Kind: EntryNone}, IndexEntry{Kind: EntryInput}
	for _, r := range []struct {
		name string
		f    func(*graph.Builder, *graph.Variable, *graph.Variable, []IndexItem, ...*graph.Variable) (*graph.Variable, error)
	}{{"inc_subtensor", IncSubtensor}, {"set_subtensor", SetSubtensor}} {
		f := r.f
		with := func(items ...IndexItem) func(*graph.Builder, []*graph.Variable) (*graph.Variable, error) {
			return func(b *graph.Builder, in []*graph.Variable) (*graph.Variable, error) {
				return f(b, in[0], in[1], items, in[2:]...)
			}
		}
		// index inputs are in [-5, 5): an axis of length 5 takes them all
		Register(Registration{Name: r.name, Op: IncSubtensorOp{}, Build: buildIncSubtensor(r.name, f),
			Examples: []Example{
				{Inputs: types(graph.NewType(dtype.Float64, 5, -1), graph.NewType(dtype.Float64), graph.NewType(dtype.Int64)), Apply: with(input)},
				{Inputs: types(graph.NewType(dtype.Float32, 6, -1), graph.NewType(dtype.Float32, 3, 1)), Apply: with(slice(c(1), c(-2), none))},
				{Inputs: types(graph.NewType(dtype.Int32, 5, 4), graph.NewType(dtype.Int32, -1), graph.NewType(dtype.Int8), graph.NewType(dtype.Int16)),
					Apply: with(slice(in, none, c(2)), input)}, // y's length may not fit: ValueError as the evaluator's
				{Inputs: types(graph.NewType(dtype.Float64, 5, 5), graph.NewType(dtype.Float64, 2), graph.NewType(dtype.Int64)),
					Apply: with(slice(none, none, c(-2)), slice(in, none, c(3)))},
			}})
	}
}
