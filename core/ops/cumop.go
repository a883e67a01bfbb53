package ops

import (
	"fmt"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/tensor"
)

// CumOp is numpy's cumsum (or cumprod) along one axis: element k of the
// axis is the sum (product) of elements 0..k, or of k..n-1 with Reverse
// (the gradient of cumsum). The output has the input's shape and the
// dtype numpy gives: bools and small integers accumulate in int64,
// unsigned ones in uint64 (as sum and prod); every step rounds to it.
//
//	cumsum{axis=1}([[1, 2, 3], [4, 5, 6]]) -> [[1, 3, 6], [4, 9, 15]]
type CumOp struct {
	Prod    bool // cumprod; otherwise cumsum
	Axis    int
	Reverse bool
}

// kind is the reduction row whose scalar row and identity the scan folds
// with: sum's add and 0, or prod's mul and 1.
func (op CumOp) kind() *Reduction {
	if op.Prod {
		return reductionTable["prod"]
	}
	return reductionTable["sum"]
}

func (op CumOp) Name() string { return "cum" + op.kind().Name }

func (op CumOp) ParamString() string {
	if op.Reverse {
		return fmt.Sprintf("axis=%d reverse", op.Axis)
	}
	return fmt.Sprintf("axis=%d", op.Axis)
}

func (op CumOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	in := graph.TypesOf(inputs)
	if len(in) != 1 {
		return nil, graph.TypeErrorf("%s takes 1 input, got %d", op.Name(), len(in))
	}
	x := in[0]
	if op.Axis < 0 || op.Axis >= x.Ndim() {
		return nil, graph.ValueErrorf("%s: axis %d is out of bounds for %v", op.Name(), op.Axis, x)
	}
	return []graph.Type{graph.NewType(op.kind().Out(x.DType), x.Shape...)}, nil
}

// OutputShapes: the input's shape.
func (op CumOp) OutputShapes(_ *graph.Builder, _ *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	return [][]*graph.Variable{in[0]}, nil
}

// Evaluate scans every line along the axis in the row's compute domain,
// rounding the accumulator to the output dtype after every step, as the
// generated loops do (a float32 cumsum accumulates in float).
func (op CumOp) Evaluate(node *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	x := in[0]
	out := node.Outputs[0].Type.DType
	k := op.kind()
	switch compute := k.ComputeDType(out); {
	case compute.IsComplex():
		round := func(v complex128) complex128 { return v }
		if out == dtype.Complex64 {
			round = func(v complex128) complex128 { return complex128(complex64(v)) }
		}
		acc := scanLines(op, x.Shape, x.Complex128s(), k.Identity.Complex128(), k.Scalar.C128, round)
		return []*tensor.Array{tensor.FromComplex128s(out, x.Shape, acc)}, nil
	case compute == dtype.Int64:
		acc := scanLines(op, x.Shape, x.Int64s(), k.Identity.Int64(), k.Scalar.I64, func(v int64) int64 { return v })
		return []*tensor.Array{tensor.FromInt64s(out, x.Shape, acc)}, nil
	default:
		round := func(v float64) float64 { return v }
		switch out {
		case dtype.Float32:
			round = func(v float64) float64 { return float64(float32(v)) }
		case dtype.Float16:
			round = func(v float64) float64 { return tensor.HalfToFloat64(tensor.Float64ToHalf(v)) }
		}
		acc := scanLines(op, x.Shape, x.Float64s(), k.Identity.Float64(), k.Scalar.F64, round)
		return []*tensor.Array{tensor.FromFloat64s(out, x.Shape, acc)}, nil
	}
}

// scanLines runs the scan over xs (C order, of the given shape) along
// op.Axis: the array is outer × n × inner, and each of the outer × inner
// lines folds its n elements in order (backwards with Reverse). xs is
// overwritten with the results and returned.
func scanLines[T any](op CumOp, shape []int, xs []T, identity T, combine func(acc, x, _ T) T, round func(T) T) []T {
	outer, n, inner := 1, shape[op.Axis], 1
	for d, l := range shape {
		switch {
		case d < op.Axis:
			outer *= l
		case d > op.Axis:
			inner *= l
		}
	}
	var zero T
	for o := 0; o < outer; o++ {
		for j := 0; j < inner; j++ {
			acc := identity
			for s := 0; s < n; s++ {
				k := s
				if op.Reverse {
					k = n - 1 - s
				}
				i := (o*n+k)*inner + j
				acc = round(combine(acc, xs[i], zero))
				xs[i] = acc
			}
		}
	}
	return xs
}

// Pullback, for an output gradient gz:
//
//	cumsum:  the reversed cumsum of gz (element k feeds outputs k..n-1)
//	cumprod: the reversed cumsum of gz·out, divided by x, as Theano's
//	         CumOp: correct where no element of x is zero.
func (op CumOp) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	x, z, gz := node.Inputs[0], node.Outputs[0], gouts[0]
	if gz == nil || x.Type.DType.IsDiscrete() {
		return []*graph.Variable{nil}, nil
	}
	e := NewExpr(b)
	back := CumOp{Axis: op.Axis, Reverse: !op.Reverse}
	var g *graph.Variable
	if op.Prod {
		g = e.Div(e.Apply(back, e.Mul(gz, z)), x)
	} else {
		g = e.Apply(back, gz)
	}
	return []*graph.Variable{e.Cast(g, x.Type.DType)}, e.Err
}

// Lower is the scan over the input's index space: the accumulator, of the
// output dtype, starts at the identity and steps acc = acc + x (acc * x)
// along the axis, every step rounded to the output dtype:
//
//	kernel cumsum(in0: int8[2], out0: int64[2] contiguous)
//	for i0<n0=out0.shape[0], i1<n1=out0.shape[1]:
//	  scan i1 from 0, acc = 0: out0[i0,i1] = acc = acc + cast{int64}(in0[i0,i1])
func (op CumOp) Lower(node *graph.Apply) (*kir.Kernel, error) {
	x, out := node.Inputs[0].Type, node.Outputs[0].Type
	k := op.kind()
	v := kir.Input(1, x.DType)
	if x.DType != out.DType {
		v = kir.Cast(v, out.DType)
	}
	step, err := kir.Apply(k.Scalar, kir.Input(0, out.DType), v)
	if err != nil {
		return nil, err
	}
	extents := make([]kir.Extent, out.Ndim())
	for d := range extents {
		extents[d] = kir.Extent{Operand: 1, Axis: d}
	}
	return &kir.Kernel{Name: op.Name(), Extents: extents,
		Inputs:  []kir.Operand{{DType: x.DType, Rank: x.Ndim()}},
		Outputs: []kir.Operand{{DType: out.DType, Rank: out.Ndim(), Layout: kir.Contiguous}},
		Body:    &kir.Scan{Axis: op.Axis, Identity: k.Identity.Const(out.DType), Step: step, Reverse: op.Reverse},
	}, nil
}

// CumSum is numpy's cumsum(x, axis): axis nil flattens x first (the
// result is a vector); a negative axis counts from the end.
//
//	ops.CumSum(b, m, &axis) // cumsum{axis=1}: (2, 3) -> (2, 3)
func CumSum(b *graph.Builder, x *graph.Variable, axis *int) (*graph.Variable, error) {
	return cumulative(b, CumOp{}, x, axis)
}

// CumProd is numpy's cumprod(x, axis), as CumSum.
func CumProd(b *graph.Builder, x *graph.Variable, axis *int) (*graph.Variable, error) {
	return cumulative(b, CumOp{Prod: true}, x, axis)
}

func cumulative(b *graph.Builder, op CumOp, x *graph.Variable, axis *int) (*graph.Variable, error) {
	if x == nil {
		return nil, graph.TypeErrorf("%s takes 1 input, got none", op.Name())
	}
	if axis == nil {
		flat, err := Flatten(b, x, 1)
		if err != nil {
			return nil, err
		}
		return b.Apply1(op, flat)
	}
	a, nd := *axis, x.Type.Ndim()
	if a < -nd || a >= nd {
		return nil, graph.ValueErrorf("%s: axis %d is out of bounds for %v (%d dimensions)", op.Name(), a, x.Type, nd)
	}
	if a < 0 {
		a += nd
	}
	op.Axis = a
	return b.Apply1(op, x)
}

// buildCumulative reads {"axis": null | int} for the C ABI.
func buildCumulative(f func(*graph.Builder, *graph.Variable, *int) (*graph.Variable, error), name string) func(*graph.Builder, Params, []*graph.Variable) (*graph.Variable, error) {
	return func(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
		if err := CheckArity(name, inputs, 1); err != nil {
			return nil, err
		}
		axes, given, err := p.Ints("axis")
		if err != nil || (given && len(axes) != 1) {
			return nil, graph.TypeErrorf("%s: axis must be an integer or None, got %v", name, axes)
		}
		if !given {
			return f(b, inputs[0], nil)
		}
		return f(b, inputs[0], &axes[0])
	}
}

func init() {
	for _, r := range []struct {
		name string
		f    func(*graph.Builder, *graph.Variable, *int) (*graph.Variable, error)
	}{{"cumsum", CumSum}, {"cumprod", CumProd}} {
		f := r.f
		Register(Registration{Name: r.name, Op: CumOp{}, Build: buildCumulative(f, r.name),
			Examples: []Example{
				{Inputs: []graph.Type{graph.NewType(dtype.Float64, -1, -1)}, Apply: cumAt(f, 1)},
				{Inputs: []graph.Type{graph.NewType(dtype.Float32, -1, -1, -1)}, Apply: cumAt(f, 0)},
				{Inputs: []graph.Type{graph.NewType(dtype.Int8, -1, -1)}, Apply: cumAt(f, -1)},
				{Inputs: []graph.Type{graph.NewType(dtype.Bool, -1)}, Apply: cumAt(f, 0)},
				{Inputs: []graph.Type{graph.NewType(dtype.Uint16, -1, -1)}, Apply: cumAt(f, 0)},
				{Inputs: []graph.Type{graph.NewType(dtype.Float16, -1, -1)}, Apply: cumAt(f, 1)},
				{Inputs: []graph.Type{graph.NewType(dtype.Complex128, -1, -1)}, Apply: cumAt(f, 0)},
				{Inputs: []graph.Type{graph.NewType(dtype.Float64, -1, -1, -1)}, Apply: func(b *graph.Builder, in []*graph.Variable) (*graph.Variable, error) {
					return f(b, in[0], nil)
				}},
			}})
	}
}

// cumAt applies f along a fixed axis (an Example's Apply).
func cumAt(f func(*graph.Builder, *graph.Variable, *int) (*graph.Variable, error), axis int) func(*graph.Builder, []*graph.Variable) (*graph.Variable, error) {
	return func(b *graph.Builder, in []*graph.Variable) (*graph.Variable, error) { return f(b, in[0], &axis) }
}
