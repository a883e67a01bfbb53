package ops_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// The composite ops' values, worked out with numpy.
func TestCompositeValues(t *testing.T) {
	x := f64(dims(4), -2, 0.5, 3, 0)
	wantArray(t, evalOp(t, clip, x, f64(nil, 0), f64(nil, 1)), f64(dims(4), 0, 0.5, 1, 0))
	wantArray(t, evalOp(t, relu, x), f64(dims(4), 0, 0.5, 3, 0))
	wantArray(t, evalOp(t, relu, x, f64(nil, 0.1)), f64(dims(4), -0.2, 0.5, 3, 0))
	wantArray(t, evalOp(t, zerosLike(dtype.Invalid), x), f64(dims(4), 0, 0, 0, 0))
	wantArray(t, evalOp(t, onesLike(dtype.Int32), x), arr(dtype.Int32, dims(4), 1, 1, 1, 1))
	o, tgt := f64(dims(3), 0.25, 0.5, 0.9), f64(dims(3), 1, 0, 0.5)
	want := []float64{-math.Log(0.25), -math.Log(0.5), -(0.5*math.Log(0.9) + 0.5*math.Log(0.1))}
	wantArray(t, evalOp(t, binary(ops.BinaryCrossentropy), o, tgt), f64(dims(3), want...))
}

// relu with a constant zero alpha is the plain maximum; int inputs keep their dtype.
func TestCompositeTypes(t *testing.T) {
	b := graph.NewBuilder()
	xi := typed(b, dtype.Int32, graph.Unknown)
	zero := b.Constant(tensor.Scalar(dtype.Int8, 0))
	y, err := ops.Relu(b, xi, zero)
	if err != nil {
		t.Fatal(err)
	}
	if y.Owner.Op.Name() != "maximum" {
		t.Errorf("relu(x, 0) is %s, want maximum", y.Owner.Op.Name())
	}
	wantType(t, y, dtype.Int32, graph.Unknown)
	xf := typed(b, dtype.Float32, 2, graph.Unknown)
	z, err := ops.ZerosLike(b, xf, xf.Type.DType)
	if err != nil {
		t.Fatal(err)
	}
	wantType(t, z, dtype.Float32, 2, graph.Unknown)
}

// Gradients against finite differences (away from the kinks of clip and relu).
func TestCompositeGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	x := opstest.Rand(rng, 3, 4)
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return apply(e, clip, in[0], e.Const(-0.5, in[0]), e.Const(0.5, in[0]))
	}, x)
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return apply(e, relu, in...)
	}, x)
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return apply(e, relu, in...)
	}, x, f64(nil, 0.3))
	probs := shiftScale(opstest.Rand(rng, 3, 4), 0.5, 0.4) // in (0.1, 0.9)
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return apply(e, binary(ops.BinaryCrossentropy), in...)
	}, probs, shiftScale(opstest.Rand(rng, 3, 4), 0.5, 0.5))
}

// shiftScale maps each element v to c + s·v.
func shiftScale(a *tensor.Array, c, s float64) *tensor.Array {
	v := a.Float64s()
	for i := range v {
		v[i] = c + s*v[i]
	}
	return tensor.FromFloat64s(a.DType, a.Shape, v)
}

// clip is clip(x, lo, hi).
func clip(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
	return ops.Clip(b, in[0], in[1], in[2])
}

// relu is relu(x) or, with a second input, relu(x, alpha).
func relu(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
	if len(in) == 1 {
		return ops.Relu(b, in[0], nil)
	}
	return ops.Relu(b, in[0], in[1])
}

// zerosLike and onesLike fill x's shape; dtype.Invalid means x's dtype.
func zerosLike(dt dtype.DType) build { return filled(ops.ZerosLike, dt) }
func onesLike(dt dtype.DType) build  { return filled(ops.OnesLike, dt) }

func filled(f func(*graph.Builder, *graph.Variable, dtype.DType) (*graph.Variable, error), dt dtype.DType) build {
	return func(b *graph.Builder, in ...*graph.Variable) (*graph.Variable, error) {
		d := dt
		if d == dtype.Invalid {
			d = in[0].Type.DType
		}
		return f(b, in[0], d)
	}
}
