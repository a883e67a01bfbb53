package ops

import (
	"math"
	"math/cmplx"
	"slices"

	"theanogo/core/graph"
)

// scalarTable lists every scalar op: the arithmetic, comparison and basic
// math rows below, then the groups kept in their own files (rounding,
// trigonometric, special functions). Adding an elementwise function is one
// row in one of them: Elemwise, its gradient, the Go evaluator, code
// generation and the Python function of the same name all read this table.
var scalarTable = slices.Concat(basicRows, roundingRows, trigRows, specialRows)

// basicRows are arithmetic, comparisons, logic and the first math functions.
var basicRows = []*ScalarOp{
	{Name: "add", Arity: 2, Out: outUpcast, Doc: "x + y",
		C:    "($0 + $1)",
		F64:  func(x, y, _ float64) float64 { return x + y },
		I64:  func(x, y, _ int64) int64 { return x + y },
		C128: func(x, y, _ complex128) complex128 { return x + y },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{gz, gz}
		}},
	{Name: "sub", Arity: 2, Out: outUpcast, Doc: "x - y",
		C:    "($0 - $1)",
		F64:  func(x, y, _ float64) float64 { return x - y },
		I64:  func(x, y, _ int64) int64 { return x - y },
		C128: func(x, y, _ complex128) complex128 { return x - y },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{gz, e.Neg(gz)}
		}},
	{Name: "mul", Arity: 2, Out: outUpcast, Doc: "x * y",
		C:    "($0 * $1)",
		F64:  func(x, y, _ float64) float64 { return x * y },
		I64:  func(x, y, _ int64) int64 { return x * y },
		C128: func(x, y, _ complex128) complex128 { return x * y },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Mul(gz, in[1]), e.Mul(gz, in[0])}
		}},
	{Name: "true_div", Arity: 2, Out: outTrueDiv, Doc: "x / y (integers divide as float64: 1/0 = inf)",
		C:    "($0 / $1)", // operands are float64 for integer inputs (ComputeDType): never an integer division
		F64:  func(x, y, _ float64) float64 { return x / y },
		C128: func(x, y, _ complex128) complex128 { return x / y },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// d(x/y)/dy = -x/y² = -out/y
			return []*graph.Variable{e.Div(gz, in[1]), e.Neg(e.Div(e.Mul(gz, out), in[1]))}
		}},
	{Name: "int_div", Arity: 2, Out: outUpcast, Doc: "x // y (floor)",
		C:   "tg_floordiv($0, $1)",
		F64: floorDivFloat,
		I64: floorDivInt},
	{Name: "mod", Arity: 2, Out: outUpcast, Doc: "x % y, sign of y (Python)",
		C: "tg_mod($0, $1)",
		F64: func(x, y, _ float64) float64 {
			r := math.Mod(x, y)
			switch {
			case r == 0:
				return math.Copysign(0, y) // numpy: the zero takes y's sign
			case (r < 0) != (y < 0):
				r += y
			}
			return r
		},
		I64: func(x, y, _ int64) int64 {
			if y == 0 {
				return 0
			}
			r := x % y
			if r != 0 && (r < 0) != (y < 0) {
				r += y
			}
			return r
		}},
	{Name: "pow", Arity: 2, Out: outUpcast, Doc: "x ** y",
		C: "tg_pow($0, $1)",
		F64: func(x, y, _ float64) float64 {
			if y == 2 {
				return x * x // the common square, without math.Pow's cost (same result)
			}
			return math.Pow(x, y)
		},
		I64:      powInt,
		CheckI64: checkPowInt,
		C128:     func(x, y, _ complex128) complex128 { return cmplx.Pow(x, y) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			x, y := in[0], in[1]
			// d/dx = y x^(y-1);  d/dy = out log x
			gx := e.Mul(gz, e.Mul(y, e.Call("pow", x, e.Sub(y, e.Const(1, y)))))
			gy := e.Mul(gz, e.Mul(out, e.Log(x)))
			return []*graph.Variable{gx, gy}
		}},
	{Name: "neg", Arity: 1, Out: outUpcast, Doc: "-x",
		C:    "(-$0)",
		F64:  func(x, _, _ float64) float64 { return -x },
		I64:  func(x, _, _ int64) int64 { return -x },
		C128: func(x, _, _ complex128) complex128 { return -x },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Neg(gz)}
		}},
	{Name: "abs", Arity: 1, Out: outMagnitude, Doc: "|x| (the magnitude of a complex x; abs(int min) wraps to itself)",
		C:   "tg_abs($0)",
		F64: func(x, _, _ float64) float64 { return math.Abs(x) },
		I64: func(x, _, _ int64) int64 {
			if x < 0 {
				return -x
			}
			return x
		},
		C128: func(x, _, _ complex128) complex128 { return complex(cmplx.Abs(x), 0) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Mul(gz, e.Call("sgn", in[0]))} // 0 at 0: the mean of -1 and 1 (tieSplitGrad)
		}},
	{Name: "sgn", Arity: 1, Out: outUpcast, Doc: "sign(x): -1, 0 or 1",
		C: "tg_sgn($0)",
		F64: func(x, _, _ float64) float64 {
			switch {
			case x > 0:
				return 1
			case x < 0:
				return -1
			}
			return x // 0 or NaN
		},
		I64: func(x, _, _ int64) int64 {
			switch {
			case x > 0:
				return 1
			case x < 0:
				return -1
			}
			return 0
		}},
	{Name: "sqr", Arity: 1, Out: outUpcast, Doc: "x²",
		C:    "($0 * $0)",
		F64:  func(x, _, _ float64) float64 { return x * x },
		I64:  func(x, _, _ int64) int64 { return x * x },
		C128: func(x, _, _ complex128) complex128 { return x * x },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Mul(gz, e.Mul(e.Const(2, in[0]), in[0]))}
		}},
	{Name: "sqrt", Arity: 1, Out: outFloat, Doc: "√x",
		C:    "std::sqrt($0)",
		F64:  func(x, _, _ float64) float64 { return math.Sqrt(x) },
		C128: func(x, _, _ complex128) complex128 { return cmplx.Sqrt(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Div(gz, e.Mul(e.Const(2, out), out))}
		}},
	{Name: "exp", Arity: 1, Out: outFloat, Doc: "eˣ",
		C:    "std::exp($0)",
		F64:  func(x, _, _ float64) float64 { return math.Exp(x) },
		C128: func(x, _, _ complex128) complex128 { return cmplx.Exp(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Mul(gz, out)}
		}},
	{Name: "log", Arity: 1, Out: outFloat, Doc: "ln x",
		C:    "std::log($0)",
		F64:  func(x, _, _ float64) float64 { return math.Log(x) },
		C128: func(x, _, _ complex128) complex128 { return cmplx.Log(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Div(gz, in[0])}
		}},
	{Name: "log1p", Arity: 1, Out: outFloat, Doc: "ln(1 + x)",
		C:   "std::log1p($0)",
		F64: func(x, _, _ float64) float64 { return math.Log1p(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Div(gz, e.Add(e.Const(1, out), in[0]))}
		}},
	{Name: "expm1", Arity: 1, Out: outFloat, Doc: "eˣ - 1",
		C:   "std::expm1($0)",
		F64: func(x, _, _ float64) float64 { return math.Expm1(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Mul(gz, e.Add(out, e.Const(1, out)))}
		}},
	{Name: "sin", Arity: 1, Out: outFloat, Doc: "sin x",
		C:    "std::sin($0)",
		F64:  func(x, _, _ float64) float64 { return math.Sin(x) },
		C128: func(x, _, _ complex128) complex128 { return cmplx.Sin(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Mul(gz, e.Call("cos", in[0]))}
		}},
	{Name: "cos", Arity: 1, Out: outFloat, Doc: "cos x",
		C:    "std::cos($0)",
		F64:  func(x, _, _ float64) float64 { return math.Cos(x) },
		C128: func(x, _, _ complex128) complex128 { return cmplx.Cos(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Neg(e.Mul(gz, e.Call("sin", in[0])))}
		}},
	{Name: "tanh", Arity: 1, Out: outFloat, Doc: "tanh x",
		C:    "std::tanh($0)",
		F64:  func(x, _, _ float64) float64 { return math.Tanh(x) },
		C128: func(x, _, _ complex128) complex128 { return cmplx.Tanh(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// tanh' = 1 - tanh²
			return []*graph.Variable{e.Mul(gz, e.Sub(e.Const(1, out), e.Mul(out, out)))}
		}},
	{Name: "sigmoid", Arity: 1, Out: outFloat, Doc: "1 / (1 + e⁻ˣ)",
		C:   "tg_sigmoid($0)",
		F64: sigmoid,
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// σ' = σ (1 - σ)
			return []*graph.Variable{e.Mul(gz, e.Mul(out, e.Sub(e.Const(1, out), out)))}
		}},
	{Name: "softplus", Arity: 1, Out: outFloat, Doc: "ln(1 + eˣ)",
		C: "tg_softplus($0)",
		F64: func(x, _, _ float64) float64 {
			if x > 30 {
				return x + math.Log1p(math.Exp(-x))
			}
			return math.Log1p(math.Exp(x))
		},
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Mul(gz, e.Call("sigmoid", in[0]))}
		}},
	{Name: "maximum", Arity: 2, Out: outUpcast, Doc: "max(x, y), NaN wins; a tie splits the gradient evenly",
		C: "tg_max($0, $1)",
		F64: func(x, y, _ float64) float64 {
			if x >= y || math.IsNaN(x) {
				return x
			}
			return y
		},
		I64: func(x, y, _ int64) int64 { return max(x, y) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return tieSplitGrad(e, "gt", in, gz)
		}},
	{Name: "minimum", Arity: 2, Out: outUpcast, Doc: "min(x, y), NaN wins; a tie splits the gradient evenly",
		C: "tg_min($0, $1)",
		F64: func(x, y, _ float64) float64 {
			if x <= y || math.IsNaN(x) {
				return x
			}
			return y
		},
		I64: func(x, y, _ int64) int64 { return min(x, y) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return tieSplitGrad(e, "lt", in, gz)
		}},
	{Name: "lt", Arity: 2, Out: outBool, Doc: "x < y",
		C:   "($0 < $1)",
		F64: func(x, y, _ float64) float64 { return b2f(x < y) },
		I64: func(x, y, _ int64) int64 { return b2i(x < y) }},
	{Name: "gt", Arity: 2, Out: outBool, Doc: "x > y",
		C:   "($0 > $1)",
		F64: func(x, y, _ float64) float64 { return b2f(x > y) },
		I64: func(x, y, _ int64) int64 { return b2i(x > y) }},
	{Name: "le", Arity: 2, Out: outBool, Doc: "x <= y",
		C:   "($0 <= $1)",
		F64: func(x, y, _ float64) float64 { return b2f(x <= y) },
		I64: func(x, y, _ int64) int64 { return b2i(x <= y) }},
	{Name: "ge", Arity: 2, Out: outBool, Doc: "x >= y",
		C:   "($0 >= $1)",
		F64: func(x, y, _ float64) float64 { return b2f(x >= y) },
		I64: func(x, y, _ int64) int64 { return b2i(x >= y) }},
	{Name: "eq", Arity: 2, Out: outBool, Doc: "x == y",
		C:    "($0 == $1)",
		F64:  func(x, y, _ float64) float64 { return b2f(x == y) },
		I64:  func(x, y, _ int64) int64 { return b2i(x == y) },
		C128: func(x, y, _ complex128) complex128 { return complex(b2f(x == y), 0) }},
	{Name: "neq", Arity: 2, Out: outBool, Doc: "x != y",
		C:    "($0 != $1)",
		F64:  func(x, y, _ float64) float64 { return b2f(x != y) },
		I64:  func(x, y, _ int64) int64 { return b2i(x != y) },
		C128: func(x, y, _ complex128) complex128 { return complex(b2f(x != y), 0) }},
	{Name: "and", Arity: 2, Out: outDiscrete, Doc: "x & y (bitwise)",
		C:   "($0 & $1)",
		I64: func(x, y, _ int64) int64 { return x & y }},
	{Name: "or", Arity: 2, Out: outDiscrete, Doc: "x | y (bitwise)",
		C:   "($0 | $1)",
		I64: func(x, y, _ int64) int64 { return x | y }},
	{Name: "xor", Arity: 2, Out: outDiscrete, Doc: "x ^ y (bitwise)",
		C:   "($0 ^ $1)",
		I64: func(x, y, _ int64) int64 { return x ^ y }},
	{Name: "invert", Arity: 1, Out: outDiscrete, Doc: "~x (logical not for bool)",
		C:    "tg_invert($0)",
		I64:  func(x, _, _ int64) int64 { return ^x },
		Bool: func(x, _, _ bool) bool { return !x }},
	{Name: "switch", Arity: 3, Out: outSwitch, Doc: "c ? a : b",
		C: "($0 ? $1 : $2)",
		F64: func(c, a, b float64) float64 {
			if c != 0 {
				return a
			}
			return b
		},
		I64: func(c, a, b int64) int64 {
			if c != 0 {
				return a
			}
			return b
		},
		C128: func(c, a, b complex128) complex128 {
			if c != 0 {
				return a
			}
			return b
		},
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			zero := e.Const(0, gz)
			return []*graph.Variable{nil, e.Call("switch", in[0], gz, zero), e.Call("switch", in[0], zero, gz)}
		}},
	{Name: "second", Arity: 2, Out: outSecond, Doc: "y broadcast to x's shape (fill)",
		C:    "$1",
		F64:  func(_, y, _ float64) float64 { return y },
		I64:  func(_, y, _ int64) int64 { return y },
		C128: func(_, y, _ complex128) complex128 { return y },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{nil, gz}
		}},
}

// tieSplitGrad is the gradient of maximum (wins "gt") and minimum (wins
// "lt") of x and y: gz goes to the input that wins, and at a tie x == y it
// is split evenly, gz/2 to each, so that the two shares always add up to gz
// (maximum(a, a) has derivative 1, not 2). This is the tie convention of every
// gradient here (JAX's too): where a function has a kink, the gradient is
// the mean of its one-sided derivatives (abs' (0) = 0, relu'(0) = 1/2, clip at
// a bound gives 1/2 to x and 1/2 to the bound), and a max or min reduction
// divides the gradient evenly among the entries equal to the result. Where x
// or y is NaN (the result is NaN) neither gets a gradient.
func tieSplitGrad(e *Expr, wins string, in []*graph.Variable, gz *graph.Variable) []*graph.Variable {
	x, y, dt := in[0], in[1], gz.Type.DType
	half := e.Mul(e.Const(0.5, gz), e.Cast(e.Call("eq", x, y), dt)) // 1/2 at a tie, else 0
	return []*graph.Variable{
		e.Mul(gz, e.Add(e.Cast(e.Call(wins, x, y), dt), half)),
		e.Mul(gz, e.Add(e.Cast(e.Call(wins, y, x), dt), half))}
}

func sigmoid(x, _, _ float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	ex := math.Exp(x)
	return ex / (1 + ex)
}

// floorDivFloat is numpy's float floor_divide (npy_divmod): the quotient
// (x - mod(x, y)) / y, rounded to the nearest integer, so that a quotient
// just below an integer is not rounded up by x / y first:
// floorDivFloat(1, 0.1) == 9, where math.Floor(1 / 0.1) == 10.
func floorDivFloat(x, y, _ float64) float64 {
	if y == 0 {
		return x / y
	}
	mod := math.Mod(x, y)
	div := (x - mod) / y
	if mod != 0 && (y < 0) != (mod < 0) {
		div--
	}
	if div == 0 {
		return math.Copysign(0, x/y)
	}
	floor := math.Floor(div)
	if div-floor > 0.5 {
		floor++
	}
	return floor
}

func floorDivInt(x, y, _ int64) int64 {
	if y == 0 {
		return 0 // numpy returns 0 (with a warning)
	}
	q := x / y
	if (x%y != 0) && ((x < 0) != (y < 0)) {
		q--
	}
	return q
}

// powInt is x**y by squaring, wrapping on overflow as numpy does. A
// negative exponent gives 0 here; checkPowInt makes the evaluator reject it.
func powInt(x, y, _ int64) int64 {
	if y < 0 {
		return 0
	}
	r := int64(1)
	for ; y > 0; y >>= 1 {
		if y&1 == 1 {
			r *= x
		}
		x *= x
	}
	return r
}

// checkPowInt rejects what numpy rejects: integer ** negative integer.
func checkPowInt(_, y, _ int64) error {
	if y < 0 {
		return graph.ValueErrorf("pow: Integers to negative integer powers are not allowed.")
	}
	return nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
