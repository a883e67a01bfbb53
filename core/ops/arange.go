package ops

import (
	"fmt"
	"math"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/tensor"
)

// ARange is numpy.arange(start, stop, step) on three scalar inputs: the
// values start, start+step, ... before stop, as a vector of DType.
//
//	arange{dtype=int64}(0, 10, 3) -> [0 3 6 9]
type ARangeOp struct {
	DType dtype.DType
}

func (op ARangeOp) Name() string        { return "arange" }
func (op ARangeOp) ParamString() string { return fmt.Sprintf("dtype=%v", op.DType) }

// OutputTypes checks for three real scalars. The length is static when the
// three are constants (and then checked: a zero step is a ValueError).
func (op ARangeOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	if len(in) != 3 {
		return nil, graph.TypeErrorf("arange takes 3 inputs (start, stop, step), got %d", len(in))
	}
	for i, t := range in {
		if t.Ndim() != 0 || t.DType.IsComplex() {
			return nil, graph.TypeErrorf("arange: input %d must be a real scalar, got %v (inputs %s)", i, t, TypesString(in))
		}
	}
	n := graph.Unknown
	if inputs[0].IsConstant() && inputs[1].IsConstant() && inputs[2].IsConstant() {
		var err error
		if n, err = op.length(inputs[0].Value, inputs[1].Value, inputs[2].Value); err != nil {
			return nil, err
		}
	}
	return []graph.Type{graph.NewType(op.DType, n)}, nil
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
func (op ARangeOp) length(start, stop, step *tensor.Array) (int, error) {
	if exact(start, stop, step) {
		return arangeIntLength(start.Int64s()[0], stop.Int64s()[0], step.Int64s()[0])
	}
	return arangeLength(start.Float64s()[0], stop.Float64s()[0], step.Float64s()[0])
}

// values computes the elements from the three scalars, exactly for integers.
func (op ARangeOp) values(start, stop, step *tensor.Array) (*tensor.Array, error) {
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

func (op ARangeOp) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	out, err := op.values(in[0], in[1], in[2])
	if err != nil {
		return nil, err
	}
	return []*tensor.Array{out}, nil
}

// Pullback: arange has no gradient.
func (op ARangeOp) Pullback(_ *graph.Builder, _ *graph.Apply, _ []*graph.Variable) ([]*graph.Variable, error) {
	return []*graph.Variable{nil, nil, nil}, nil
}

// ARange is numpy.arange(start, stop, step) on three real scalars, as a
// vector of dtype dt; dtype.Invalid means numpy's default, the inputs'
// promoted dtype with integers (and bools) giving int64. The length is
// static when the three are constants.
//
//	ops.ARange(b, zero, n, one, dtype.Invalid) // arange{dtype=int64}(0, n, 1)
func ARange(b *graph.Builder, start, stop, step *graph.Variable, dt dtype.DType) (*graph.Variable, error) {
	if start == nil || stop == nil || step == nil {
		return nil, graph.TypeErrorf("arange takes 3 inputs (start, stop, step)")
	}
	if dt == dtype.Invalid {
		dt = dtype.Upcast(start.Type.DType, stop.Type.DType, step.Type.DType)
		if dt.IsDiscrete() {
			dt = dtype.Int64
		}
	}
	return b.Apply1(ARangeOp{DType: dt}, start, stop, step)
}

// OutputShapes is numpy's length ceil((stop - start) / step), at least 0,
// computed from the inputs' values (exactly for integers).
func (op ARangeOp) OutputShapes(b *graph.Builder, node *graph.Apply, _ [][]*graph.Variable) ([][]*graph.Variable, error) {
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

// Lower is a call of the runtime's arange (tg_index.h), which computes
// Evaluate's length (and its errors: a zero step, a NaN or infinite
// length) from the three scalars, checks it against the allocated output,
// and fills it: exactly in int64 when the three are integers, as
// start + i*step in float64 without fused multiply-add otherwise:
//
//	kernel arange(in0: int64[0], in1: int64[0], in2: int64[0], out0: int64[1] contiguous)
//	  tg_arange(out0, in0, in1, in2)
func (op ARangeOp) Lower(node *graph.Apply) (*kir.Kernel, error) {
	return callKernel(node, op.Name(), &kir.Call{Func: "tg_arange", Header: "tg_index.h",
		Args: []kir.Arg{kir.ViewArg(3), kir.ViewArg(0), kir.ViewArg(1), kir.ViewArg(2)}}), nil
}

// buildARange reads {"dtype": name}; the default is the inputs' promoted
// dtype, with integers (and bools) giving int64 as numpy does.
func buildARange(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if err := CheckArity("arange", inputs, 3); err != nil {
		return nil, err
	}
	dt, err := p.DType("dtype", dtype.Invalid)
	if err != nil {
		return nil, graph.TypeErrorf("arange: %v", err)
	}
	return ARange(b, inputs[0], inputs[1], inputs[2], dt)
}

func init() {
	// withStep is arange(in0, in1, step) with a constant step (a random
	// step input is zero now and then: the third example checks that the
	// kernel then fails as the evaluator does)
	withStep := func(step float64, stepType, dt dtype.DType) func(*graph.Builder, []*graph.Variable) (*graph.Variable, error) {
		return func(b *graph.Builder, in []*graph.Variable) (*graph.Variable, error) {
			return ARange(b, in[0], in[1], b.Constant(tensor.Scalar(stepType, step)), dt)
		}
	}
	scalar := func(dt dtype.DType) graph.Type { return graph.NewType(dt) }
	Register(Registration{Name: "arange", Op: ARangeOp{}, Build: buildARange,
		Examples: []Example{
			{Inputs: types(scalar(dtype.Int64), scalar(dtype.Int64)), Apply: withStep(1, dtype.Int64, dtype.Invalid)},
			{Inputs: types(scalar(dtype.Float64), scalar(dtype.Float64)), Apply: withStep(0.25, dtype.Float64, dtype.Float32)},
			{Inputs: types(scalar(dtype.Int16), scalar(dtype.Int8), scalar(dtype.Int32)),
				Apply: func(b *graph.Builder, in []*graph.Variable) (*graph.Variable, error) {
					return ARange(b, in[0], in[1], in[2], dtype.Invalid)
				}},
			{Inputs: types(scalar(dtype.Int32), scalar(dtype.Float32)), Apply: withStep(-0.5, dtype.Float32, dtype.Float64)},
		}})
}
