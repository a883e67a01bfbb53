package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Expr builds expressions with the typed constructors and a sticky error,
// so that gradient rules read like the math they implement:
//
//	e := ops.NewExpr(b)
//	gx := e.Mul(gz, e.Sub(e.Const(1, z), e.Mul(z, z))) // tanh' = 1 - z²
//	if e.Err != nil { ... }
//
// After the first error every method returns nil and Err keeps that error.
type Expr struct {
	B   *graph.Builder
	Err error
}

// NewExpr returns an Expr building into b.
func NewExpr(b *graph.Builder) *Expr { return &Expr{B: b} }

// build runs a typed constructor unless an error is pending or an input is
// missing (a nil from an earlier failed step), and records its error.
func (e *Expr) build(what string, inputs []*graph.Variable, f func() (*graph.Variable, error)) *graph.Variable {
	if e.Err != nil {
		return nil
	}
	for _, in := range inputs {
		if in == nil {
			e.Err = graph.ValueErrorf("%s: missing input (internal error)", what)
			return nil
		}
	}
	v, err := f()
	if err != nil {
		e.Err = err
		return nil
	}
	return v
}

// Apply applies an op value directly and returns its single output.
func (e *Expr) Apply(op graph.Op, inputs ...*graph.Variable) *graph.Variable {
	return e.build(op.Name(), inputs, func() (*graph.Variable, error) { return e.B.Apply1(op, inputs...) })
}

// Const returns a scalar constant of like's dtype (a 0-d array).
func (e *Expr) Const(value float64, like *graph.Variable) *graph.Variable {
	if e.Err != nil || like == nil {
		return nil
	}
	return e.B.Constant(tensor.Scalar(like.Type.DType, value))
}

// ConstOf returns a scalar constant of dtype dt.
func (e *Expr) ConstOf(value float64, dt dtype.DType) *graph.Variable {
	if e.Err != nil {
		return nil
	}
	return e.B.Constant(tensor.Scalar(dt, value))
}

// Call applies the scalar table's row called name elementwise (Scalar).
func (e *Expr) Call(name string, xs ...*graph.Variable) *graph.Variable {
	return e.build(name, xs, func() (*graph.Variable, error) { return Scalar(e.B, name, xs...) })
}

// The elemwise shorthands used by gradient rules.

func (e *Expr) Add(x, y *graph.Variable) *graph.Variable { return e.Call("add", x, y) }
func (e *Expr) Sub(x, y *graph.Variable) *graph.Variable { return e.Call("sub", x, y) }
func (e *Expr) Mul(x, y *graph.Variable) *graph.Variable { return e.Call("mul", x, y) }
func (e *Expr) Div(x, y *graph.Variable) *graph.Variable { return e.Call("true_div", x, y) }
func (e *Expr) Neg(x *graph.Variable) *graph.Variable    { return e.Call("neg", x) }
func (e *Expr) Exp(x *graph.Variable) *graph.Variable    { return e.Call("exp", x) }
func (e *Expr) Log(x *graph.Variable) *graph.Variable    { return e.Call("log", x) }

// Second returns y broadcast to the shape of x (Theano's fill/second).
func (e *Expr) Second(x, y *graph.Variable) *graph.Variable { return e.Call("second", x, y) }

// ZerosLike returns zeros with x's shape and dtype.
func (e *Expr) ZerosLike(x *graph.Variable) *graph.Variable { return e.Second(x, e.Const(0, x)) }

// OnesLike returns ones with x's shape and dtype.
func (e *Expr) OnesLike(x *graph.Variable) *graph.Variable { return e.Second(x, e.Const(1, x)) }

// Cast converts x to dtype dt (no node when it already has it).
func (e *Expr) Cast(x *graph.Variable, dt dtype.DType) *graph.Variable {
	return e.build("cast", []*graph.Variable{x}, func() (*graph.Variable, error) { return Cast(e.B, x, dt) })
}

// DimShuffle reorders, drops (broadcastable) and inserts (Broadcast) dimensions.
func (e *Expr) DimShuffle(x *graph.Variable, pattern []int) *graph.Variable {
	return e.build("dimshuffle", []*graph.Variable{x}, func() (*graph.Variable, error) { return DimShuffle(e.B, x, pattern) })
}

// Sum sums x over the axes (nil: all), keeping reduced dimensions as 1 when keepdims.
func (e *Expr) Sum(x *graph.Variable, axes []int, keepdims bool) *graph.Variable {
	return e.build("sum", []*graph.Variable{x}, func() (*graph.Variable, error) { return Sum(e.B, x, axes, keepdims) })
}

// Shape is x.shape.
func (e *Expr) Shape(x *graph.Variable) *graph.Variable {
	return e.build("shape", []*graph.Variable{x}, func() (*graph.Variable, error) { return Shape(e.B, x) })
}

// Reshape gives x the ndim-long shape vector shape.
func (e *Expr) Reshape(x, shape *graph.Variable, ndim int) *graph.Variable {
	return e.build("reshape", []*graph.Variable{x, shape}, func() (*graph.Variable, error) { return Reshape(e.B, x, shape, ndim) })
}

// Index is x[i] for a constant integer i (Subtensor).
func (e *Expr) Index(x *graph.Variable, i int) *graph.Variable {
	return e.build("subtensor", []*graph.Variable{x}, func() (*graph.Variable, error) { return Subtensor(e.B, x, []IndexItem{IndexAt(i)}) })
}

// Dot is numpy.dot(x, y).
func (e *Expr) Dot(x, y *graph.Variable) *graph.Variable {
	return e.build("dot", []*graph.Variable{x, y}, func() (*graph.Variable, error) { return Dot(e.B, x, y) })
}

// ARange is numpy.arange(start, stop, step) of dtype dt (dtype.Invalid: numpy's default).
func (e *Expr) ARange(start, stop, step *graph.Variable, dt dtype.DType) *graph.Variable {
	return e.build("arange", []*graph.Variable{start, stop, step}, func() (*graph.Variable, error) { return ARange(e.B, start, stop, step, dt) })
}

// AdvancedSubtensor is x[idx...] with integer index arrays.
func (e *Expr) AdvancedSubtensor(x *graph.Variable, idx ...*graph.Variable) *graph.Variable {
	ins := append([]*graph.Variable{x}, idx...)
	return e.build("advanced_subtensor", ins, func() (*graph.Variable, error) { return AdvancedSubtensor(e.B, x, idx...) })
}
