package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
)

// OutputShapes broadcasts: each length comes from the first input whose
// type does not say it is 1 (Theano's rule: the others must agree at run
// time, which the evaluator checks).
func (op *Elemwise) OutputShapes(b *graph.Builder, node *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	l := NewLengths(b)
	types := make([]graph.Type, len(node.Inputs))
	for i, x := range node.Inputs {
		types[i] = x.Type
	}
	return [][]*graph.Variable{broadcastLengths(l, types, in)}, l.Err()
}

// broadcastLengths is the broadcast shape of inputs of the given static
// types and symbolic shapes, left-padding lower ranks with 1s.
func broadcastLengths(l *Lengths, types []graph.Type, dims [][]*graph.Variable) []*graph.Variable {
	rank := 0
	for _, t := range types {
		rank = max(rank, t.Ndim())
	}
	out := make([]*graph.Variable, rank)
	for d := range out {
		for i, t := range types {
			k := d - (rank - t.Ndim())
			if k >= 0 && t.Shape[k] != 1 {
				out[d] = dims[i][k]
				break
			}
		}
		if out[d] == nil {
			out[d] = l.Const(1)
		}
	}
	return out
}

// OutputShapes drops the reduced axes (or keeps them as 1 with keepdims).
func (op *Reduce) OutputShapes(b *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{reducedLengths(NewLengths(b), in[0], op.Axes, op.KeepDims)}, nil
}

// OutputShapes: the count is a scalar.
func (op *ReducedCount) OutputShapes(_ *graph.Builder, _ *graph.Apply, _ [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{{}}, nil
}

// OutputShapes: inc/set_subtensor keeps x's shape.
func (op *IncSubtensor) OutputShapes(_ *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{in[0]}, nil
}

// OutputShapes: advanced inc/set_subtensor keeps x's shape.
func (op *AdvancedIncSubtensor) OutputShapes(_ *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{in[0]}, nil
}

// OutputShapes is the index arrays' broadcast shape, then x's lengths
// after the indexed dimensions; no index values are needed.
func (op *AdvancedSubtensor) OutputShapes(b *graph.Builder, node *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	l := NewLengths(b)
	idx := node.Inputs[1:]
	types := make([]graph.Type, len(idx))
	for i, x := range idx {
		types[i] = x.Type
	}
	out := append(broadcastLengths(l, types, in[1:]), in[0][len(idx):]...)
	return [][]*graph.Variable{out}, l.Err()
}

// OutputShapes gives each slice its length by numpy's rules, from the
// constant or symbolic start, stop and step; integer items drop their
// dimension and the dimensions after the items are kept.
func (op *Subtensor) OutputShapes(b *graph.Builder, node *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
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
	out := []*graph.Variable{}
	for d, n := range in[0] {
		if d >= len(op.Items) {
			out = append(out, n)
			continue
		}
		it := op.Items[d]
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

// OutputShapes is numpy's length ceil((stop - start) / step), at least 0,
// computed from the inputs' values (exactly for integers).
func (op *ARange) OutputShapes(b *graph.Builder, node *graph.Apply, _ [][]*graph.Variable) ([][]*graph.Variable, error) {
	l := NewLengths(b)
	start, stop, step := node.Inputs[0], node.Inputs[1], node.Inputs[2]
	discrete := start.Type.DType.IsDiscrete() && stop.Type.DType.IsDiscrete() && step.Type.DType.IsDiscrete()
	var n *graph.Variable
	if discrete {
		n = l.CeilDiv(l.Sub(l.Int64(stop), l.Int64(start)), l.Int64(step))
	} else {
		e := l.e
		f := func(v *graph.Variable) *graph.Variable { return e.Cast(v, dtype.Float64) }
		// ceil(a / b) = -floor(-a / b)
		n = l.Int64(e.Neg(e.Call("int_div", e.Neg(e.Sub(f(stop), f(start))), f(step))))
	}
	return [][]*graph.Variable{{l.Max(l.Const(0), n)}}, l.Err()
}

// OutputShapes reads the shape vector's entries; the one -1 entry is the
// size of x divided by the product of the others.
func (op *Reshape) OutputShapes(b *graph.Builder, node *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	l := NewLengths(b)
	s := node.Inputs[1]
	entries := make([]*graph.Variable, op.Ndim)
	for i := range entries {
		if s.IsConstant() {
			entries[i] = l.Const(int(s.Value.Int64s()[i]))
			continue
		}
		item := []IndexItem{{Entries: []IndexEntry{{Kind: EntryConst, Value: i}}}}
		entries[i] = l.Int64(l.e.Apply(&Subtensor{Items: item}, s))
	}
	size := l.Product(in[0])
	// With one entry -1, the product of all entries is minus the product of
	// the others.
	missing := l.FloorDiv(size, l.Neg(l.Product(entries)))
	out := make([]*graph.Variable, op.Ndim)
	for i, v := range entries {
		out[i] = l.Switch(l.Equal(v, l.Const(-1)), missing, v)
	}
	return [][]*graph.Variable{out}, l.Err()
}
