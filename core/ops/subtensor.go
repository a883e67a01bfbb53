package ops

import (
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Subtensor is numpy's basic indexing: integers and slices, with negative
// indices counting from the end and slices clamped to the bounds. Inputs
// are x and then one integer scalar per symbolic ("input") entry of Items,
// in order. Fewer items than dimensions leave the rest whole.
//
//	subtensor{1:, 0}(matrix (4, 3)) -> vector (3,)      (x[1:, 0])
type SubtensorOp struct {
	Items IndexItems
}

func (op SubtensorOp) Name() string        { return "subtensor" }
func (op SubtensorOp) ParamString() string { return op.Items.String() }

// OutputTypes checks the index inputs and computes the static shape where
// the items' constants and x's lengths allow.
func (op SubtensorOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	if len(in) == 0 {
		return nil, graph.TypeErrorf("subtensor takes at least 1 input, got 0")
	}
	if err := checkIndexTypes("subtensor", op.Items.List(), in[0], in[1:]); err != nil {
		return nil, err
	}
	shape, err := staticIndexShape("subtensor", op.Items.List(), in[0].Shape)
	if err != nil {
		return nil, graph.Annotate(err, " (x is %v)", in[0])
	}
	return []graph.Type{graph.NewType(in[0].DType, shape...)}, nil
}

// Evaluate gathers the selected elements into a new array.
func (op SubtensorOp) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	x := in[0]
	spans, _, err := resolveSpans("subtensor", op.Items.List(), x.Shape, indexValues(in[1:]))
	if err != nil {
		return nil, err
	}
	index, shape := spanIndex(x.Shape, spans)
	return []*tensor.Array{Gather(x, shape, index)}, nil
}

// Pullback puts the gradient into zeros shaped like x, at the selected
// positions: inc_subtensor(zeros_like(x), gz).
func (op SubtensorOp) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	return selectionPullback(b, node, gouts[0], IncSubtensorOp{Items: op.Items})
}

// Subtensor is numpy's basic indexing x[items] with integers and slices;
// indexInputs are the integer scalars of the items' symbolic (EntryInput)
// entries, in order.
//
//	ops.Subtensor(b, m, []ops.IndexItem{{Slice: true, Entries: []ops.IndexEntry{{Kind: ops.EntryConst, Value: 1}, {}, {}}}, ops.IndexAt(0)}) // m[1:, 0]
func Subtensor(b *graph.Builder, x *graph.Variable, items []IndexItem, indexInputs ...*graph.Variable) (*graph.Variable, error) {
	if err := checkItems("subtensor", items); err != nil {
		return nil, err
	}
	return b.Apply1(SubtensorOp{Items: NewIndexItems(items)}, append([]*graph.Variable{x}, indexInputs...)...)
}

// OutputShapes gives each slice its length by numpy's rules, from the
// constant or symbolic start, stop and step; integer items drop their
// dimension and the dimensions after the items are kept.
func (op SubtensorOp) OutputShapes(b *graph.Builder, node *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	l := NewLengths(b)
	next := 1 // the next index input
	entry := func(e IndexEntry) *graph.Variable {
		switch e.Kind {
		case EntryConst:
			return l.Const(e.Value)
		case EntryInput:
			v := l.Int64(node.Inputs[next])
			next++
			return v
		}
		return nil
	}
	items := op.Items.List()
	out := []*graph.Variable{}
	for d, n := range in[0] {
		if d >= len(items) {
			out = append(out, n)
			continue
		}
		it := items[d]
		if !it.Slice {
			entry(it.Entries[0])
			continue
		}
		start, stop, step := entry(it.Entries[0]), entry(it.Entries[1]), entry(it.Entries[2])
		out = append(out, sliceLength(l, n, start, stop, step))
	}
	return [][]*graph.Variable{out}, l.Err()
}

// sliceLength is len(range(n)[start:stop:step]) for possibly absent (nil)
// entries, as numpy computes it.
func sliceLength(l *Lengths, n, start, stop, step *graph.Variable) *graph.Variable {
	if step == nil {
		step = l.Const(1)
	}
	zero, one := l.Const(0), l.Const(1)
	// clamp normalizes an entry: negative counts from the end, then the
	// result is clamped to [lo, hi].
	clamp := func(v, lo, hi *graph.Variable) *graph.Variable {
		return l.Switch(l.Less(v, zero), l.Max(l.Add(v, n), lo), l.Min(v, hi))
	}
	forward := func() *graph.Variable {
		a, z := zero, n
		if start != nil {
			a = clamp(start, zero, n)
		}
		if stop != nil {
			z = clamp(stop, zero, n)
		}
		return l.Max(zero, l.CeilDiv(l.Sub(z, a), step))
	}
	backward := func() *graph.Variable {
		minusOne, last := l.Const(-1), l.Sub(n, one)
		a, z := last, minusOne
		if start != nil {
			a = clamp(start, minusOne, last)
		}
		if stop != nil {
			z = clamp(stop, minusOne, last)
		}
		return l.Max(zero, l.CeilDiv(l.Sub(a, z), l.Neg(step)))
	}
	if s, ok := Value(step); ok {
		if s > 0 {
			return forward()
		}
		return backward()
	}
	return l.Switch(l.Less(zero, step), forward(), backward())
}
