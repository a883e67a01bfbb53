package ops

import (
	"fmt"
	"slices"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Elemwise applies a scalar op to every element of same-rank inputs,
// broadcasting dimensions of static length 1 (Theano's rule: a dimension
// broadcasts only when its type says it is broadcastable).
//
//	add(matrix (?, 3), row (1, 3)) -> matrix (?, 3)
type Elemwise struct {
	Scalar *ScalarOp // a row of the scalar table: pointer equality is row identity
}

func (op Elemwise) Name() string { return op.Scalar.Name }

// OutputTypes checks the arity, dtypes and static shapes.
func (op Elemwise) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	s := op.Scalar
	if len(in) != s.Arity {
		return nil, graph.TypeErrorf("%s takes %d inputs, got %d", s.Name, s.Arity, len(in))
	}
	dts := make([]dtype.DType, len(in))
	for i, t := range in {
		dts[i] = t.DType
		if t.Ndim() != in[0].Ndim() {
			return nil, graph.TypeErrorf("%s: inputs have different ranks %s", s.Name, TypesString(in))
		}
	}
	out, err := s.outputDType(dts)
	if err != nil {
		return nil, err
	}
	shape, err := broadcastStatic(in)
	if err != nil {
		return nil, graph.ValueErrorf("%s: %v for inputs %s", s.Name, err, TypesString(in))
	}
	return []graph.Type{graph.NewType(out, shape...)}, nil
}

// broadcastStatic combines static shapes: lengths 1 broadcast, known lengths
// must agree, unknown lengths stay unknown unless another input knows.
func broadcastStatic(in []graph.Type) ([]int, error) {
	shape := make([]int, in[0].Ndim())
	for d := range shape {
		shape[d] = 1
		for _, t := range in {
			n := t.Shape[d]
			switch {
			case n == 1:
			case shape[d] == 1 || shape[d] == graph.Unknown:
				if n != graph.Unknown || shape[d] == 1 {
					shape[d] = n
				}
			case n != graph.Unknown && n != shape[d]:
				return nil, fmt.Errorf("dimension %d has incompatible lengths %d and %d", d, shape[d], n)
			}
		}
	}
	return shape, nil
}

// broadcastRuntime computes the output shape from concrete input shapes.
// Only dimensions whose static length is 1 broadcast; the other inputs must
// agree on every dimension.
func broadcastRuntime(name string, inputs []*graph.Variable, shapes [][]int) ([]int, error) {
	out := make([]int, len(shapes[0]))
	for d := range out {
		out[d] = 1
		first := -1
		for i, s := range shapes {
			if len(s) != len(out) {
				return nil, graph.ValueErrorf("%s: input %d has rank %d, expected %d", name, i, len(s), len(out))
			}
			if inputs[i].Type.Shape[d] == 1 {
				continue // broadcastable
			}
			if first < 0 {
				first, out[d] = i, s[d]
			} else if s[d] != out[d] {
				return nil, graph.ValueErrorf("%s: input dimension mismatch: dimension %d has length %d in input %d and %d in input %d (shapes %v)",
					name, d, out[d], first, s[d], i, shapes)
			}
		}
	}
	return out, nil
}

// Evaluate maps the scalar function over the broadcast inputs.
func (op Elemwise) Evaluate(node *graph.Apply, inputs []*tensor.Array) ([]*tensor.Array, error) {
	if op.Scalar.Out == outSwitch && inputs[0].DType != dtype.Bool {
		// the condition is a truth value: 0.5 is true, even when the
		// branches compute in integers (which would truncate it to 0)
		inputs = append([]*tensor.Array{tensor.FromBools(inputs[0].Shape, inputs[0].Bools())}, inputs[1:]...)
	}
	shapes := make([][]int, len(inputs))
	dts := make([]dtype.DType, len(inputs))
	for i, a := range inputs {
		shapes[i] = a.Shape
		dts[i] = a.DType
	}
	shape, err := broadcastRuntime(op.Scalar.Name, node.Inputs, shapes)
	if err != nil {
		return nil, err
	}
	outDT := node.Outputs[0].Type.DType
	s := op.Scalar
	n := tensor.Size(shape)
	compute := s.ComputeDType(dts)
	switch {
	case compute.IsComplex():
		args := operands(shape, inputs, (*tensor.Array).Complex128s)
		return []*tensor.Array{tensor.FromComplex128s(outDT, shape, mapScalar(n, args, s.C128))}, nil
	case compute == dtype.Bool:
		args := operands(shape, inputs, (*tensor.Array).Bools)
		return []*tensor.Array{tensor.FromBools(shape, mapScalar(n, args, s.Bool))}, nil
	case compute == dtype.Int64:
		args := operands(shape, inputs, (*tensor.Array).Int64s)
		f, err := checkedI64(s)
		out := mapScalar(n, args, f)
		if *err != nil {
			return nil, *err
		}
		return []*tensor.Array{tensor.FromInt64s(outDT, shape, out)}, nil
	case s.F64 == nil:
		return nil, graph.TypeErrorf("%s: no evaluation for dtype %v", s.Name, compute)
	default:
		args := operands(shape, inputs, (*tensor.Array).ReadFloat64s)
		out, ok := loopFloat64(s, n, args)
		if !ok {
			out = mapScalar(n, args, s.F64)
		}
		return []*tensor.Array{tensor.OwnFloat64s(outDT, shape, out)}, nil
	}
}

// checkedI64 is s.I64, which also records in *err the first operands that
// s.CheckI64 rejects (integer pow with a negative exponent).
func checkedI64(s *ScalarOp) (func(x, y, z int64) int64, *error) {
	var err error
	if s.CheckI64 == nil {
		return s.I64, &err
	}
	return func(x, y, z int64) int64 {
		if err == nil {
			err = s.CheckI64(x, y, z)
		}
		return s.I64(x, y, z)
	}, &err
}

// operand is one input of an elementwise map, as output position k reads
// it: data[k*step] (step 1: same shape; step 0: a single element), or
// data[index[k]] for any other broadcast.
type operand[T any] struct {
	data  []T
	step  int
	index []int
}

// operands loads each input into the computing domain and works out how
// the output positions read it.
func operands[T any](shape []int, inputs []*tensor.Array, load func(*tensor.Array) []T) []operand[T] {
	out := make([]operand[T], len(inputs))
	for i, a := range inputs {
		out[i].data = load(a)
		switch {
		case slices.Equal(a.Shape, shape):
			out[i].step = 1
		case a.Size() == 1:
			out[i].step = 0
		default:
			out[i].index = BroadcastIndex(shape, a.Shape)
		}
	}
	return out
}

// mapScalar applies f at n output positions. The common cases (no input
// needing an index map) run as plain strided loops.
func mapScalar[T any](n int, args []operand[T], f func(x, y, z T) T) []T {
	out := tensor.Make[T](n) // a *tensor.SizeError panic, not an abort, when n cannot fit
	if n == 0 {
		return out
	}
	var zero T
	direct := true
	for _, a := range args {
		direct = direct && a.index == nil
	}
	switch {
	case direct && len(args) == 1:
		x, sx := args[0].data, args[0].step
		for k := range out {
			out[k] = f(x[k*sx], zero, zero)
		}
	case direct && len(args) == 2:
		x, sx, y, sy := args[0].data, args[0].step, args[1].data, args[1].step
		for k := range out {
			out[k] = f(x[k*sx], y[k*sy], zero)
		}
	default:
		at := func(i, k int) T {
			if i >= len(args) {
				return zero
			}
			a := args[i]
			if a.index != nil {
				return a.data[a.index[k]]
			}
			return a.data[k*a.step]
		}
		for k := range out {
			out[k] = f(at(0, k), at(1, k), at(2, k))
		}
	}
	return out
}

// BroadcastIndex maps every position of an array of shape out (C order) to
// the position in an array of shape in (same rank, lengths equal or 1) that
// broadcasting reads.
func BroadcastIndex(out, in []int) []int {
	strides := tensor.Strides(in)
	for d := range in {
		if in[d] == 1 && out[d] != 1 {
			strides[d] = 0
		}
	}
	return stridedIndex(out, strides)
}

// stridedIndex lists, in C order over shape, the offsets sum(i_d * strides_d).
func stridedIndex(shape, strides []int) []int {
	n := tensor.Size(shape)
	idx := tensor.Make[int](n)
	if n == 0 {
		return idx
	}
	counter := make([]int, len(shape))
	off := 0
	for k := 0; k < n; k++ {
		idx[k] = off
		for d := len(shape) - 1; d >= 0; d-- {
			counter[d]++
			off += strides[d]
			if counter[d] < shape[d] {
				break
			}
			off -= counter[d] * strides[d]
			counter[d] = 0
		}
	}
	return idx
}

// Pullback applies the scalar gradient, sums it over the dimensions each
// input was broadcast along, and casts it to the input's dtype.
func (op Elemwise) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	gz := gouts[0]
	grads := make([]*graph.Variable, len(node.Inputs))
	if op.Scalar.Grad == nil || gz == nil || node.Outputs[0].Type.DType.IsDiscrete() {
		return grads, nil
	}
	e := NewExpr(b)
	raw := op.Scalar.Grad(e, node.Inputs, node.Outputs[0], gz)
	for i, g := range raw {
		in := node.Inputs[i]
		if g == nil || in.Type.DType.IsDiscrete() {
			continue
		}
		grads[i] = e.Cast(reduceToType(e, g, in.Type), in.Type.DType)
	}
	return grads, e.Err
}

// reduceToType sums g over the dimensions where t is broadcastable but g is
// not, so that a gradient has the shape of the input it belongs to.
func reduceToType(e *Expr, g *graph.Variable, t graph.Type) *graph.Variable {
	if g == nil {
		return nil
	}
	if g.Type.Ndim() > t.Ndim() { // a lower-rank input padded on the left
		lead := make([]int, g.Type.Ndim()-t.Ndim())
		for i := range lead {
			lead[i] = i
		}
		g = e.Sum(g, lead, false)
		if g == nil {
			return nil
		}
	}
	var axes []int
	for d, n := range t.Shape {
		if n == 1 && g.Type.Shape[d] != 1 {
			axes = append(axes, d)
		}
	}
	if len(axes) > 0 {
		g = e.Sum(g, axes, true)
	}
	return g
}

// Scalar applies the scalar table's row called name elementwise to the
// inputs, left-padding lower-rank inputs with broadcastable dimensions (as
// numpy broadcasting does). An unknown name is a ValueError.
//
//	ops.Scalar(b, "add", x, one) // add(x, 1)
func Scalar(b *graph.Builder, name string, inputs ...*graph.Variable) (*graph.Variable, error) {
	s := scalarIndex[name]
	if s == nil {
		return nil, graph.ValueErrorf("unknown scalar op %q", name)
	}
	return ApplyScalar(b, s, inputs...)
}

// ApplyScalar applies the scalar row s elementwise, as Scalar does.
func ApplyScalar(b *graph.Builder, s *ScalarOp, inputs ...*graph.Variable) (*graph.Variable, error) {
	if err := CheckArity(s.Name, inputs, s.Arity); err != nil {
		return nil, err
	}
	rank := 0
	for i, in := range inputs {
		if in == nil {
			return nil, graph.TypeErrorf("%s: input %d is nil", s.Name, i)
		}
		rank = max(rank, in.Type.Ndim())
	}
	padded := make([]*graph.Variable, len(inputs))
	for i, in := range inputs {
		padded[i] = in
		if k := rank - in.Type.Ndim(); k > 0 {
			pattern := make([]int, rank)
			for d := range pattern {
				pattern[d] = d - k
				if d < k {
					pattern[d] = Broadcast
				}
			}
			v, err := DimShuffle(b, in, pattern)
			if err != nil {
				return nil, err
			}
			padded[i] = v
		}
	}
	return b.Apply1(Elemwise{Scalar: s}, padded...)
}

// OutputShapes broadcasts: each length comes from the first input whose
// type does not say it is 1 (Theano's rule: the others must agree at run
// time, which the evaluator checks).
func (op Elemwise) OutputShapes(b *graph.Builder, node *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	l := NewLengths(b)
	return [][]*graph.Variable{broadcastLengths(l, graph.TypesOf(node.Inputs), in)}, l.Err()
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
