package ops

import (
	"math"
	"math/cmplx"

	"theanogo/core/graph"
)

// scalarTable lists every scalar op. Adding an elementwise function is one
// row here: Elemwise, its gradient, the Go evaluator and code generation all
// read this table.
var scalarTable = []*ScalarOp{
	{Name: "add", Arity: 2, Out: outUpcast, C: "($0 + $1)", // x + y
		F64:  func(x, y, _ float64) float64 { return x + y },
		I64:  func(x, y, _ int64) int64 { return x + y },
		C128: func(x, y, _ complex128) complex128 { return x + y },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{gz, gz}
		}},
	{Name: "sub", Arity: 2, Out: outUpcast, C: "($0 - $1)", // x - y
		F64:  func(x, y, _ float64) float64 { return x - y },
		I64:  func(x, y, _ int64) int64 { return x - y },
		C128: func(x, y, _ complex128) complex128 { return x - y },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{gz, e.Neg(gz)}
		}},
	{Name: "mul", Arity: 2, Out: outUpcast, C: "($0 * $1)", // x * y
		F64:  func(x, y, _ float64) float64 { return x * y },
		I64:  func(x, y, _ int64) int64 { return x * y },
		C128: func(x, y, _ complex128) complex128 { return x * y },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Mul(gz, in[1]), e.Mul(gz, in[0])}
		}},
	{Name: "true_div", Arity: 2, Out: outTrueDiv, C: "($0 / $1)", // x / y
		F64:  func(x, y, _ float64) float64 { return x / y },
		C128: func(x, y, _ complex128) complex128 { return x / y },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// d(x/y)/dy = -x/y² = -out/y
			return []*graph.Variable{e.Div(gz, in[1]), e.Neg(e.Div(e.Mul(gz, out), in[1]))}
		}},
	{Name: "int_div", Arity: 2, Out: outUpcast, C: "theanogo_floordiv($0, $1)", // x // y (floor)
		F64: func(x, y, _ float64) float64 { return math.Floor(x / y) },
		I64: floorDivInt},
	{Name: "mod", Arity: 2, Out: outUpcast, C: "theanogo_mod($0, $1)", // x % y, sign of y (Python)
		F64: func(x, y, _ float64) float64 {
			r := math.Mod(x, y)
			if r != 0 && (r < 0) != (y < 0) {
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
	{Name: "pow", Arity: 2, Out: outUpcast, C: "pow($0, $1)", // x ** y
		F64: func(x, y, _ float64) float64 {
			if y == 2 {
				return x * x // the common square, without math.Pow's cost (same result)
			}
			return math.Pow(x, y)
		},
		I64:  powInt,
		C128: func(x, y, _ complex128) complex128 { return cmplx.Pow(x, y) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			x, y := in[0], in[1]
			// d/dx = y x^(y-1);  d/dy = out log x
			gx := e.Mul(gz, e.Mul(y, e.Call("pow", x, e.Sub(y, e.Const(1, y)))))
			gy := e.Mul(gz, e.Mul(out, e.Log(x)))
			return []*graph.Variable{gx, gy}
		}},
	{Name: "neg", Arity: 1, Out: outUpcast, C: "(-$0)", // -x
		F64:  func(x, _, _ float64) float64 { return -x },
		I64:  func(x, _, _ int64) int64 { return -x },
		C128: func(x, _, _ complex128) complex128 { return -x },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Neg(gz)}
		}},
	{Name: "abs", Arity: 1, Out: outUpcast, C: "fabs($0)", // |x|
		F64: func(x, _, _ float64) float64 { return math.Abs(x) },
		I64: func(x, _, _ int64) int64 {
			if x < 0 {
				return -x
			}
			return x
		},
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Mul(gz, e.Call("sgn", in[0]))}
		}},
	{Name: "sgn", Arity: 1, Out: outUpcast, C: "theanogo_sgn($0)", // sign(x): -1, 0 or 1
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
	{Name: "sqr", Arity: 1, Out: outUpcast, C: "($0 * $0)", // x²
		F64:  func(x, _, _ float64) float64 { return x * x },
		I64:  func(x, _, _ int64) int64 { return x * x },
		C128: func(x, _, _ complex128) complex128 { return x * x },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Mul(gz, e.Mul(e.Const(2, in[0]), in[0]))}
		}},
	{Name: "sqrt", Arity: 1, Out: outFloat, C: "sqrt($0)", // √x
		F64:  func(x, _, _ float64) float64 { return math.Sqrt(x) },
		C128: func(x, _, _ complex128) complex128 { return cmplx.Sqrt(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Div(gz, e.Mul(e.Const(2, out), out))}
		}},
	{Name: "exp", Arity: 1, Out: outFloat, C: "exp($0)", // eˣ
		F64:  func(x, _, _ float64) float64 { return math.Exp(x) },
		C128: func(x, _, _ complex128) complex128 { return cmplx.Exp(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Mul(gz, out)}
		}},
	{Name: "log", Arity: 1, Out: outFloat, C: "log($0)", // ln x
		F64:  func(x, _, _ float64) float64 { return math.Log(x) },
		C128: func(x, _, _ complex128) complex128 { return cmplx.Log(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Div(gz, in[0])}
		}},
	{Name: "log1p", Arity: 1, Out: outFloat, C: "log1p($0)", // ln(1 + x)
		F64: func(x, _, _ float64) float64 { return math.Log1p(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Div(gz, e.Add(e.Const(1, out), in[0]))}
		}},
	{Name: "expm1", Arity: 1, Out: outFloat, C: "expm1($0)", // eˣ - 1
		F64: func(x, _, _ float64) float64 { return math.Expm1(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Mul(gz, e.Add(out, e.Const(1, out)))}
		}},
	{Name: "sin", Arity: 1, Out: outFloat, C: "sin($0)", // sin x
		F64:  func(x, _, _ float64) float64 { return math.Sin(x) },
		C128: func(x, _, _ complex128) complex128 { return cmplx.Sin(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Mul(gz, e.Call("cos", in[0]))}
		}},
	{Name: "cos", Arity: 1, Out: outFloat, C: "cos($0)", // cos x
		F64:  func(x, _, _ float64) float64 { return math.Cos(x) },
		C128: func(x, _, _ complex128) complex128 { return cmplx.Cos(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Neg(e.Mul(gz, e.Call("sin", in[0])))}
		}},
	{Name: "tanh", Arity: 1, Out: outFloat, C: "tanh($0)", // tanh x
		F64:  func(x, _, _ float64) float64 { return math.Tanh(x) },
		C128: func(x, _, _ complex128) complex128 { return cmplx.Tanh(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// tanh' = 1 - tanh²
			return []*graph.Variable{e.Mul(gz, e.Sub(e.Const(1, out), e.Mul(out, out)))}
		}},
	{Name: "sigmoid", Arity: 1, Out: outFloat, C: "theanogo_sigmoid($0)", // 1 / (1 + e⁻ˣ)
		F64: sigmoid,
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// σ' = σ (1 - σ)
			return []*graph.Variable{e.Mul(gz, e.Mul(out, e.Sub(e.Const(1, out), out)))}
		}},
	{Name: "softplus", Arity: 1, Out: outFloat, C: "theanogo_softplus($0)", // ln(1 + eˣ)
		F64: func(x, _, _ float64) float64 {
			if x > 30 {
				return x + math.Log1p(math.Exp(-x))
			}
			return math.Log1p(math.Exp(x))
		},
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{e.Mul(gz, e.Call("sigmoid", in[0]))}
		}},
	{Name: "maximum", Arity: 2, Out: outUpcast, C: "theanogo_max($0, $1)", // max(x, y), NaN wins
		F64: func(x, y, _ float64) float64 {
			if x >= y || math.IsNaN(x) {
				return x
			}
			return y
		},
		I64: func(x, y, _ int64) int64 { return max(x, y) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// the gradient goes to whichever input is the maximum (both on ties, as Theano)
			return []*graph.Variable{
				e.Mul(gz, e.Cast(e.Call("eq", out, in[0]), gz.Type.DType)),
				e.Mul(gz, e.Cast(e.Call("eq", out, in[1]), gz.Type.DType))}
		}},
	{Name: "minimum", Arity: 2, Out: outUpcast, C: "theanogo_min($0, $1)", // min(x, y), NaN wins
		F64: func(x, y, _ float64) float64 {
			if x <= y || math.IsNaN(x) {
				return x
			}
			return y
		},
		I64: func(x, y, _ int64) int64 { return min(x, y) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{
				e.Mul(gz, e.Cast(e.Call("eq", out, in[0]), gz.Type.DType)),
				e.Mul(gz, e.Cast(e.Call("eq", out, in[1]), gz.Type.DType))}
		}},
	{Name: "lt", Arity: 2, Out: outBool, C: "($0 < $1)", // x < y
		F64: func(x, y, _ float64) float64 { return b2f(x < y) },
		I64: func(x, y, _ int64) int64 { return b2i(x < y) }},
	{Name: "gt", Arity: 2, Out: outBool, C: "($0 > $1)", // x > y
		F64: func(x, y, _ float64) float64 { return b2f(x > y) },
		I64: func(x, y, _ int64) int64 { return b2i(x > y) }},
	{Name: "le", Arity: 2, Out: outBool, C: "($0 <= $1)", // x <= y
		F64: func(x, y, _ float64) float64 { return b2f(x <= y) },
		I64: func(x, y, _ int64) int64 { return b2i(x <= y) }},
	{Name: "ge", Arity: 2, Out: outBool, C: "($0 >= $1)", // x >= y
		F64: func(x, y, _ float64) float64 { return b2f(x >= y) },
		I64: func(x, y, _ int64) int64 { return b2i(x >= y) }},
	{Name: "eq", Arity: 2, Out: outBool, C: "($0 == $1)", // x == y
		F64:  func(x, y, _ float64) float64 { return b2f(x == y) },
		I64:  func(x, y, _ int64) int64 { return b2i(x == y) },
		C128: func(x, y, _ complex128) complex128 { return complex(b2f(x == y), 0) }},
	{Name: "neq", Arity: 2, Out: outBool, C: "($0 != $1)", // x != y
		F64:  func(x, y, _ float64) float64 { return b2f(x != y) },
		I64:  func(x, y, _ int64) int64 { return b2i(x != y) },
		C128: func(x, y, _ complex128) complex128 { return complex(b2f(x != y), 0) }},
	{Name: "and", Arity: 2, Out: outDiscrete, C: "($0 & $1)", // x & y (bitwise)
		I64: func(x, y, _ int64) int64 { return x & y }},
	{Name: "or", Arity: 2, Out: outDiscrete, C: "($0 | $1)", // x | y (bitwise)
		I64: func(x, y, _ int64) int64 { return x | y }},
	{Name: "xor", Arity: 2, Out: outDiscrete, C: "($0 ^ $1)", // x ^ y (bitwise)
		I64: func(x, y, _ int64) int64 { return x ^ y }},
	{Name: "invert", Arity: 1, Out: outDiscrete, C: "(~$0)", // ~x (logical not for bool)
		I64:  func(x, _, _ int64) int64 { return ^x },
		Bool: func(x, _, _ bool) bool { return !x }},
	{Name: "switch", Arity: 3, Out: outSwitch, C: "($0 ? $1 : $2)", // c ? a : b
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
	{Name: "second", Arity: 2, Out: outSecond, C: "$1", // y broadcast to x's shape (fill)
		F64:  func(_, y, _ float64) float64 { return y },
		I64:  func(_, y, _ int64) int64 { return y },
		C128: func(_, y, _ complex128) complex128 { return y },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			return []*graph.Variable{nil, gz}
		}},
}

func sigmoid(x, _, _ float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	ex := math.Exp(x)
	return ex / (1 + ex)
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
