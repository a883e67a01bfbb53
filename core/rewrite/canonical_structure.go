package rewrite

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// The bodies of the canonicalization rules that remove useless ops and
// merge chains of casts, dimshuffles and subtensors (see canonical.go).

// castSame: cast(x, x.dtype) -> x.
func castSame(_ *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	if n.Op.(ops.CastOp).To != n.Inputs[0].Type.DType {
		return nil, nil
	}
	return one(n.Inputs[0]), nil
}

// castCast: cast(cast(x, a), b) -> cast(x, b) when a holds every value of x.
func castCast(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	in := n.Inputs[0]
	if in.Owner == nil {
		return nil, nil
	}
	inner, ok := in.Owner.Op.(ops.CastOp)
	if !ok {
		return nil, nil
	}
	x := in.Owner.Inputs[0]
	if !exactCast(x.Type.DType, inner.To) {
		return nil, nil
	}
	r, err := ops.Cast(b, x, n.Op.(ops.CastOp).To)
	return one(r), err
}

// exactCast reports whether converting from to to keeps every value.
func exactCast(from, to dtype.DType) bool {
	switch {
	case from == to || from == dtype.Bool:
		return true
	case from.Kind() == to.Kind():
		return to.Size() >= from.Size()
	case from.Kind() == dtype.KindUint && to.Kind() == dtype.KindInt:
		return to.Size() > from.Size()
	case from.IsInteger() && to.IsFloat():
		// the float's significand holds the integer's bits
		bits := map[dtype.DType]int{dtype.Float16: 11, dtype.Float32: 24, dtype.Float64: 53}[to]
		intBits := 8 * from.Size()
		if from.Kind() == dtype.KindInt {
			intBits--
		}
		return intBits <= bits
	case from.IsFloat() && to.IsComplex():
		return to.Size() >= 2*from.Size()
	}
	return false
}

// dimshuffleIdentity: dimshuffle{0,1,...,n-1}(x) -> x.
func dimshuffleIdentity(_ *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	p := n.Op.(ops.DimShuffleOp).Pattern.Ints()
	if len(p) != n.Inputs[0].Type.Ndim() {
		return nil, nil
	}
	for i, d := range p {
		if d != i {
			return nil, nil
		}
	}
	return one(n.Inputs[0]), nil
}

// dimshuffleMerge: dimshuffle{q}(dimshuffle{p}(x)) -> dimshuffle{p∘q}(x).
func dimshuffleMerge(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	in := n.Inputs[0]
	if in.Owner == nil {
		return nil, nil
	}
	inner, ok := in.Owner.Op.(ops.DimShuffleOp)
	if !ok {
		return nil, nil
	}
	p := inner.Pattern.Ints()
	q := n.Op.(ops.DimShuffleOp).Pattern.Ints()
	composed := make([]int, len(q))
	for i, d := range q {
		composed[i] = ops.Broadcast
		if d != ops.Broadcast {
			composed[i] = p[d]
		}
	}
	x := in.Owner.Inputs[0]
	r, err := ops.DimShuffle(b, x, composed)
	if err != nil {
		return nil, err
	}
	if rs, _ := dimshuffleIdentity(b, r.Owner); rs != nil {
		return rs, nil
	}
	return one(r), nil
}

// dimshuffleConstant: dimshuffle{p}(constant) -> constant of the new shape.
func dimshuffleConstant(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	c := n.Inputs[0]
	if !c.IsConstant() {
		return nil, nil
	}
	vals, err := n.Op.(ops.DimShuffleOp).Evaluate(n, []*tensor.Array{c.Value})
	if err != nil {
		return nil, err
	}
	return one(b.Constant(vals[0])), nil
}

// liftDimshuffle: f(dimshuffle{p}(x), dimshuffle{p}(y)) -> dimshuffle{p}(f(x, y))
// for an elementwise f; inputs that are constants of length 1 in every
// dimension take part too (exp(x.T) + 1).
func liftDimshuffle(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	var pattern graph.IntList
	found, rank := false, 0
	inner := make([]*graph.Variable, len(n.Inputs))
	for i, in := range n.Inputs {
		if in.Owner != nil {
			ds, ok := in.Owner.Op.(ops.DimShuffleOp)
			if !ok || (found && ds.Pattern != pattern) {
				return nil, nil
			}
			pattern, found = ds.Pattern, true
			inner[i] = in.Owner.Inputs[0]
			rank = inner[i].Type.Ndim()
			continue
		}
		if !in.IsConstant() {
			return nil, nil
		}
		for _, l := range in.Type.Shape {
			if l != 1 {
				return nil, nil
			}
		}
	}
	if !found {
		return nil, nil
	}
	ones := make([]int, rank)
	for d := range ones {
		ones[d] = 1
	}
	for i, in := range n.Inputs {
		if inner[i] == nil {
			inner[i] = b.Constant(in.Value.Reshaped(ones))
		}
	}
	f, err := b.Apply1(n.Op, inner...)
	if err != nil {
		return nil, err
	}
	r, err := ops.DimShuffle(b, f, pattern.Ints())
	return one(r), err
}

// reshapeSame: reshape(x, s) -> x when s is x's shape (x.shape, or equal
// static shapes).
func reshapeSame(_ *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	x, s, out := n.Inputs[0], n.Inputs[1], n.Outputs[0]
	if s.Owner != nil {
		if _, ok := s.Owner.Op.(ops.ShapeOp); ok && s.Owner.Inputs[0] == x {
			return one(x), nil
		}
	}
	if x.Type.Ndim() != out.Type.Ndim() {
		return nil, nil
	}
	for d, l := range x.Type.Shape {
		if l == graph.Unknown || out.Type.Shape[d] != l {
			return nil, nil
		}
	}
	return one(x), nil
}

// powSimple: x ** 1 -> x and x ** 0 -> ones (second(x, 1)).
func powSimple(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	x, y, out := n.Inputs[0], n.Inputs[1], n.Outputs[0]
	f, _, ok := uniformConst(y)
	if !ok || (f != 0 && f != 1) {
		return nil, nil
	}
	e := ops.NewExpr(b)
	if f == 1 {
		return one(fitType(e, x, out.Type, []*graph.Variable{y})), e.Err
	}
	return one(fitType(e, scalarConst(b, out.Type.DType, 1, 1), out.Type, []*graph.Variable{x, y})), e.Err
}

// subtensorMerge: x[a][b] -> x[c] for constant basic indices a and b and
// a static shape of x, c selecting the same elements.
func subtensorMerge(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	in := n.Inputs[0]
	if len(n.Inputs) != 1 || in.Owner == nil || len(in.Owner.Inputs) != 1 {
		return nil, nil
	}
	innerOp, ok := in.Owner.Op.(ops.SubtensorOp)
	if !ok {
		return nil, nil
	}
	x := in.Owner.Inputs[0]
	for _, l := range x.Type.Shape {
		if l == graph.Unknown {
			return nil, nil
		}
	}
	first, ok := constantSpans(innerOp.Items.List(), x.Type.Shape)
	if !ok {
		return nil, nil
	}
	var mid []int // the shape of x[a]
	for _, s := range first {
		if s.kept {
			mid = append(mid, s.length)
		}
	}
	second, ok := constantSpans(n.Op.(ops.SubtensorOp).Items.List(), mid)
	if !ok {
		return nil, nil
	}
	items := make([]ops.IndexItem, len(first))
	j := 0
	for d, s := range first {
		if !s.kept {
			items[d] = ops.IndexAt(s.start)
			continue
		}
		t := second[j]
		j++
		pos := s.start + t.start*s.step
		switch {
		case !t.kept:
			items[d] = ops.IndexAt(pos)
		case t.length == 0:
			items[d] = constSlice(0, 0, 1, true)
		default:
			step := s.step * t.step
			stop := pos + t.length*step
			items[d] = constSlice(pos, stop, step, stop >= 0)
		}
	}
	r, err := ops.Subtensor(b, x, items)
	return one(r), err
}

// indexSpan is the elements an index item selects along one dimension:
// length of them from start by step; kept is false for an integer index,
// which drops the dimension.
type indexSpan struct {
	start, step, length int
	kept                bool
}

// constantSpans resolves items of constant entries over a static shape, as
// Python's slice.indices does; ok is false for symbolic entries, a zero
// step or an index out of bounds (left to fail at run time).
func constantSpans(items []ops.IndexItem, shape []int) ([]indexSpan, bool) {
	spans := make([]indexSpan, len(shape))
	if len(items) > len(shape) {
		return nil, false
	}
	for d, n := range shape {
		if d >= len(items) {
			spans[d] = indexSpan{0, 1, n, true}
			continue
		}
		it := items[d]
		var v [3]int
		var has [3]bool
		for k, en := range it.Entries {
			switch en.Kind {
			case ops.EntryInput:
				return nil, false
			case ops.EntryConst:
				v[k], has[k] = en.Value, true
			}
		}
		if !it.Slice {
			i := v[0]
			if i < 0 {
				i += n
			}
			if i < 0 || i >= n {
				return nil, false
			}
			spans[d] = indexSpan{i, 1, 1, false}
			continue
		}
		start, step, length, err := ops.SliceIndices(n, v, has)
		if err != nil {
			return nil, false
		}
		spans[d] = indexSpan{start, step, length, true}
	}
	return spans, true
}

// constSlice is the slice item start:stop:step (stop absent unless hasStop).
func constSlice(start, stop, step int, hasStop bool) ops.IndexItem {
	stopEntry := ops.IndexEntry{}
	if hasStop {
		stopEntry = ops.IndexEntry{Kind: ops.EntryConst, Value: stop}
	}
	return ops.IndexItem{Slice: true, Entries: []ops.IndexEntry{
		{Kind: ops.EntryConst, Value: start}, stopEntry, {Kind: ops.EntryConst, Value: step}}}
}

// fillUseless: second(x, y) -> y when y already has the broadcast shape,
// and second(f(x), y) -> second(x, y) for a unary elementwise f or a cast
// (only x's shape matters).
func fillUseless(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	x, y := n.Inputs[0], n.Inputs[1]
	covers := true
	for d, l := range x.Type.Shape {
		covers = covers && (l == 1 || y.Type.Shape[d] != 1)
	}
	if covers {
		return one(y), nil
	}
	if c := shapeCarrier(x); c != x {
		r, err := b.Apply1(n.Op, c, y)
		return one(r), err
	}
	return nil, nil
}

// fillSink: f(second(a, b), c) -> second(a, f(b, c)) for an elementwise f,
// so that the shape a carries meets f's other operands, and second goes
// when they already have that shape (fill_useless):
//
//	second(x ** 2, 0.0001) * (2 * x) -> second(x ** 2, 0.0001 * (2 * x)) -> 0.0001 * (2 * x)
//
// (Theano's local_fill_sink). The sum of squares' gradient is written with
// second, and without this x ** 2 stayed in the graph, computed only for
// its shape. Not for second itself, and not for a row with a run-time
// check (integer pow): f(b, c) may be computed where the broadcast output
// is empty.
func fillSink(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	op, ok := n.Op.(ops.Elemwise)
	if !ok || op.Scalar.Name == "second" || op.Scalar.CheckI64 != nil || len(n.Outputs) != 1 {
		return nil, nil
	}
	ins := append([]*graph.Variable(nil), n.Inputs...)
	var shapes []*graph.Variable
	for i, in := range ins {
		if fn, name := ScalarNode(in); name == "second" && in.Type.DType == fn.Inputs[1].Type.DType {
			shapes = append(shapes, fn.Inputs[0])
			ins[i] = fn.Inputs[1]
		}
	}
	if len(shapes) == 0 {
		return nil, nil
	}
	r, err := b.Apply1(n.Op, ins...)
	if err != nil {
		return nil, err
	}
	if r.Type.DType != n.Outputs[0].Type.DType {
		return nil, nil
	}
	e := ops.NewExpr(b)
	for _, s := range shapes {
		r = e.Second(s, r)
	}
	return one(r), e.Err
}
