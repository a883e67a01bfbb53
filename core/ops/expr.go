package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Expr builds expressions with a sticky error, so that gradient rules read
// like the math they implement:
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

// Op applies the op called name (as registered for Build) with parameters p.
func (e *Expr) Op(name string, p Params, inputs ...*graph.Variable) *graph.Variable {
	if e.Err != nil {
		return nil
	}
	for _, in := range inputs {
		if in == nil {
			e.Err = graph.ValueErrorf("%s: missing input (internal error)", name)
			return nil
		}
	}
	v, err := Build(e.B, name, p, inputs)
	if err != nil {
		e.Err = err
		return nil
	}
	return v
}

// Apply applies an op value directly and returns its single output.
func (e *Expr) Apply(op graph.Op, inputs ...*graph.Variable) *graph.Variable {
	if e.Err != nil {
		return nil
	}
	v, err := e.B.Apply1(op, inputs...)
	if err != nil {
		e.Err = err
		return nil
	}
	return v
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

// The elemwise shorthands used by gradient rules.

func (e *Expr) Add(x, y *graph.Variable) *graph.Variable { return e.Op("add", nil, x, y) }
func (e *Expr) Sub(x, y *graph.Variable) *graph.Variable { return e.Op("sub", nil, x, y) }
func (e *Expr) Mul(x, y *graph.Variable) *graph.Variable { return e.Op("mul", nil, x, y) }
func (e *Expr) Div(x, y *graph.Variable) *graph.Variable { return e.Op("true_div", nil, x, y) }
func (e *Expr) Neg(x *graph.Variable) *graph.Variable    { return e.Op("neg", nil, x) }
func (e *Expr) Exp(x *graph.Variable) *graph.Variable    { return e.Op("exp", nil, x) }
func (e *Expr) Log(x *graph.Variable) *graph.Variable    { return e.Op("log", nil, x) }

// Call applies any registered elemwise op by name.
func (e *Expr) Call(name string, xs ...*graph.Variable) *graph.Variable {
	return e.Op(name, nil, xs...)
}

// Cast converts x to dtype dt (no node when it already has it).
func (e *Expr) Cast(x *graph.Variable, dt dtype.DType) *graph.Variable {
	if e.Err != nil || x == nil {
		return nil
	}
	if x.Type.DType == dt {
		return x
	}
	return e.Op("cast", Params{"dtype": dt.String()}, x)
}

// Second returns y broadcast to the shape of x (Theano's fill/second).
func (e *Expr) Second(x, y *graph.Variable) *graph.Variable { return e.Op("second", nil, x, y) }

// ZerosLike returns zeros with x's shape and dtype.
func (e *Expr) ZerosLike(x *graph.Variable) *graph.Variable { return e.Second(x, e.Const(0, x)) }

// OnesLike returns ones with x's shape and dtype.
func (e *Expr) OnesLike(x *graph.Variable) *graph.Variable { return e.Second(x, e.Const(1, x)) }

// DimShuffle reorders, drops (broadcastable) and inserts ('x' = -1) dimensions.
func (e *Expr) DimShuffle(x *graph.Variable, pattern []int) *graph.Variable {
	if e.Err != nil || x == nil {
		return nil
	}
	return e.Apply(&DimShuffle{Pattern: pattern}, x)
}

// Sum sums x over the axes (nil: all), keeping reduced dimensions as 1 when keepdims.
func (e *Expr) Sum(x *graph.Variable, axes []int, keepdims bool) *graph.Variable {
	if e.Err != nil || x == nil {
		return nil
	}
	p := Params{"keepdims": keepdims}
	if axes != nil {
		list := make([]any, len(axes))
		for i, a := range axes {
			list[i] = float64(a)
		}
		p["axis"] = list
	}
	return e.Op("sum", p, x)
}
