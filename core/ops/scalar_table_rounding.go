package ops

import (
	"math"

	"theanogo/core/graph"
)

// roundingRows round a float to an integral value in its own dtype. On
// integers and bools they are the identity and keep the dtype, as NumPy 2's
// floor, ceil, trunc and round do (Theano gave floats there). Their gradient
// is zero everywhere, as Theano's: the function is flat between the jumps
// and the jumps have no derivative.
var roundingRows = []*ScalarOp{
	{Name: "floor", Arity: 1, Out: outUpcast, Doc: "⌊x⌋, the largest integral value not above x",
		C:    "tg_floor($0)",
		F64:  func(x, _, _ float64) float64 { return math.Floor(x) },
		I64:  identityInt,
		Grad: zeroGrad},
	{Name: "ceil", Arity: 1, Out: outUpcast, Doc: "⌈x⌉, the smallest integral value not below x",
		C:    "tg_ceil($0)",
		F64:  func(x, _, _ float64) float64 { return math.Ceil(x) },
		I64:  identityInt,
		Grad: zeroGrad},
	{Name: "trunc", Arity: 1, Out: outUpcast, Doc: "x rounded toward zero",
		C:    "tg_trunc($0)",
		F64:  func(x, _, _ float64) float64 { return math.Trunc(x) },
		I64:  identityInt,
		Grad: zeroGrad},
	{Name: "round_half_away_from_zero", Arity: 1, Out: outUpcast, Doc: "x rounded to the nearest integer, halves away from 0 (2.5 -> 3)",
		C:    "tg_round($0)",
		F64:  func(x, _, _ float64) float64 { return math.Round(x) },
		I64:  identityInt,
		Grad: zeroGrad},
	{Name: "round_half_to_even", Arity: 1, Out: outUpcast, Doc: "x rounded to the nearest integer, halves to even (2.5 -> 2), as numpy.round",
		C:    "tg_rint($0)",
		F64:  func(x, _, _ float64) float64 { return math.RoundToEven(x) },
		I64:  identityInt,
		Grad: zeroGrad},
}

// identityInt is a rounding row on an integer: the integer itself.
func identityInt(x, _, _ int64) int64 { return x }

// zeroGrad is the gradient of a piecewise constant function: zeros shaped
// like the input.
func zeroGrad(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
	return []*graph.Variable{e.ZerosLike(gz)}
}
