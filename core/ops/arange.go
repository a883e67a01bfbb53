package ops

import (
	"fmt"
	"math"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// ARange is numpy.arange(start, stop, step) on three scalar inputs: the
// values start, start+step, ... before stop, as a vector of DType.
//
//	arange{dtype=int64}(0, 10, 3) -> [0 3 6 9]
type ARange struct {
	DType dtype.DType
	// Length is the static length (when the builder saw three constants) or graph.Unknown.
	Length int
}

func (op *ARange) Name() string { return "arange" }
func (op *ARange) Params() string {
	return fmt.Sprintf("dtype=%v length=%d", op.DType, op.Length)
}

// OutputTypes checks for three real scalars.
func (op *ARange) OutputTypes(in []graph.Type) ([]graph.Type, error) {
	if len(in) != 3 {
		return nil, graph.TypeErrorf("arange takes 3 inputs (start, stop, step), got %d", len(in))
	}
	for i, t := range in {
		if t.Ndim() != 0 || t.DType.IsComplex() {
			return nil, graph.TypeErrorf("arange: input %d must be a real scalar, got %v (inputs %s)", i, t, typesString(in))
		}
	}
	return []graph.Type{graph.NewType(op.DType, op.Length)}, nil
}

// arangeLength is numpy's length ceil((stop - start) / step), at least 0.
func arangeLength(start, stop, step float64) (int, error) {
	if step == 0 {
		return 0, graph.ValueErrorf("arange: step cannot be zero")
	}
	n := math.Ceil((stop - start) / step)
	if math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, graph.ValueErrorf("arange: cannot compute the length of arange(%v, %v, %v)", start, stop, step)
	}
	if n >= math.MaxInt64 { // int(n) would not be n
		return 0, graph.ValueErrorf("arange: the length %v of arange(%v, %v, %v) overflows int64", n, start, stop, step)
	}
	return max(0, int(n)), nil
}

// arangeIntLength is the exact length for integer bounds.
func arangeIntLength(start, stop, step int64) (int, error) {
	if step == 0 {
		return 0, graph.ValueErrorf("arange: step cannot be zero")
	}
	if stop == start || (stop > start) != (step > 0) {
		return 0, nil
	}
	// ceil(|stop - start| / |step|) in uint64, where neither the distance
	// nor the magnitudes can overflow.
	d, s := uint64(stop)-uint64(start), uint64(step)
	if step < 0 {
		d, s = uint64(start)-uint64(stop), -s
	}
	n := d / s
	if d%s != 0 {
		n++
	}
	if n > math.MaxInt64 {
		return 0, graph.ValueErrorf("arange: the length of arange(%d, %d, %d) overflows int64", start, stop, step)
	}
	return int(n), nil
}

// exact reports whether the three scalars are integers (or bools), whose
// length and elements arange computes exactly in int64.
func exact(start, stop, step *tensor.Array) bool {
	return start.DType.IsDiscrete() && stop.DType.IsDiscrete() && step.DType.IsDiscrete()
}

// length is the number of elements of arange(start, stop, step), computed
// without making them (the static length of constant bounds).
func (op *ARange) length(start, stop, step *tensor.Array) (int, error) {
	if exact(start, stop, step) {
		return arangeIntLength(start.Int64s()[0], stop.Int64s()[0], step.Int64s()[0])
	}
	return arangeLength(start.Float64s()[0], stop.Float64s()[0], step.Float64s()[0])
}

// values computes the elements from the three scalars, exactly for integers.
func (op *ARange) values(start, stop, step *tensor.Array) (*tensor.Array, error) {
	n, err := op.length(start, stop, step)
	if err != nil {
		return nil, err
	}
	if exact(start, stop, step) {
		a, s := start.Int64s()[0], step.Int64s()[0]
		v := tensor.Make[int64](n)
		for i := range v {
			v[i] = a + int64(i)*s
		}
		return tensor.FromInt64s(op.DType, []int{n}, v), nil
	}
	a, s := start.Float64s()[0], step.Float64s()[0]
	v := tensor.Make[float64](n)
	for i := range v {
		v[i] = a + float64(i)*s
	}
	return tensor.FromFloat64s(op.DType, []int{n}, v), nil
}

// InferShape needs the three inputs to be constants.
func (op *ARange) InferShape(node *graph.Apply, _ [][]int) ([][]int, error) {
	ins := node.Inputs
	if !ins[0].IsConstant() || !ins[1].IsConstant() || !ins[2].IsConstant() {
		return nil, graph.ValueErrorf("arange: the length depends on inputs that are not constants")
	}
	n, err := op.length(ins[0].Value, ins[1].Value, ins[2].Value)
	if err != nil {
		return nil, err
	}
	return [][]int{{n}}, nil
}

func (op *ARange) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	out, err := op.values(in[0], in[1], in[2])
	if err != nil {
		return nil, err
	}
	return []*tensor.Array{out}, nil
}

// Pullback: arange has no gradient.
func (op *ARange) Pullback(_ *graph.Builder, _ *graph.Apply, _ []*graph.Variable) ([]*graph.Variable, error) {
	return []*graph.Variable{nil, nil, nil}, nil
}

// buildArange reads {"dtype": name}; the default is the inputs' promoted
// dtype, with integers (and bools) giving int64 as numpy does.
// Rebuild re-derives the static length from the new bounds.
func (op *ARange) Rebuild(b *graph.Builder, inputs []*graph.Variable) (*graph.Apply, error) {
	v, err := buildArange(b, Params{"dtype": op.DType.String()}, inputs)
	if err != nil {
		return nil, err
	}
	return v.Owner, nil
}

func buildArange(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if err := checkArity("arange", inputs, 3); err != nil {
		return nil, err
	}
	def := dtype.Upcast(inputs[0].Type.DType, inputs[1].Type.DType, inputs[2].Type.DType)
	if def.IsDiscrete() {
		def = dtype.Int64
	}
	dt, err := p.DType("dtype", def)
	if err != nil {
		return nil, graph.TypeErrorf("arange: %v", err)
	}
	op := &ARange{DType: dt, Length: graph.Unknown}
	if inputs[0].IsConstant() && inputs[1].IsConstant() && inputs[2].IsConstant() {
		n, err := op.length(inputs[0].Value, inputs[1].Value, inputs[2].Value)
		if err != nil {
			return nil, err
		}
		op.Length = n
	}
	return b.Apply1(op, inputs...)
}
