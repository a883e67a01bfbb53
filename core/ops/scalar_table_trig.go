package ops

import (
	"math"

	"theanogo/core/graph"
)

// trigRows are the trigonometric and hyperbolic functions beyond sin, cos
// and tanh, with their inverses, under NumPy's names. Integers compute in
// float64 and give the float that holds them (outFloat, as exp). Complex
// inputs are refused (no C128).
var trigRows = []*ScalarOp{
	{Name: "tan", Arity: 1, Out: outFloat, Doc: "tan x",
		C:   "std::tan($0)",
		F64: func(x, _, _ float64) float64 { return math.Tan(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// tan' = 1 + tan²
			return []*graph.Variable{e.Mul(gz, e.Add(e.Const(1, out), e.Mul(out, out)))}
		}},
	{Name: "arcsin", Arity: 1, Out: outFloat, Doc: "asin x, in [-π/2, π/2]",
		C:   "std::asin($0)",
		F64: func(x, _, _ float64) float64 { return math.Asin(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// asin' = 1 / √(1 - x²)
			return []*graph.Variable{e.Div(gz, sqrtOneMinusSq(e, in[0], out))}
		}},
	{Name: "arccos", Arity: 1, Out: outFloat, Doc: "acos x, in [0, π]",
		C:   "std::acos($0)",
		F64: func(x, _, _ float64) float64 { return math.Acos(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// acos' = -1 / √(1 - x²)
			return []*graph.Variable{e.Neg(e.Div(gz, sqrtOneMinusSq(e, in[0], out)))}
		}},
	{Name: "arctan", Arity: 1, Out: outFloat, Doc: "atan x, in (-π/2, π/2)",
		C:   "std::atan($0)",
		F64: func(x, _, _ float64) float64 { return math.Atan(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// atan' = 1 / (1 + x²)
			x := in[0]
			return []*graph.Variable{e.Div(gz, e.Add(e.Const(1, out), e.Mul(x, x)))}
		}},
	{Name: "arctan2", Arity: 2, Out: outFloat, Doc: "atan2(y, x), the angle of the point (x, y), in [-π, π]",
		C:   "std::atan2($0, $1)",
		F64: func(y, x, _ float64) float64 { return math.Atan2(y, x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// ∂/∂y = x / (x² + y²);  ∂/∂x = -y / (x² + y²)
			y, x := in[0], in[1]
			r2 := e.Add(e.Mul(x, x), e.Mul(y, y))
			return []*graph.Variable{e.Div(e.Mul(gz, x), r2), e.Neg(e.Div(e.Mul(gz, y), r2))}
		}},
	{Name: "sinh", Arity: 1, Out: outFloat, Doc: "sinh x",
		C:   "std::sinh($0)",
		F64: func(x, _, _ float64) float64 { return math.Sinh(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// sinh' = cosh
			return []*graph.Variable{e.Mul(gz, e.Call("cosh", in[0]))}
		}},
	{Name: "cosh", Arity: 1, Out: outFloat, Doc: "cosh x",
		C:   "std::cosh($0)",
		F64: func(x, _, _ float64) float64 { return math.Cosh(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// cosh' = sinh
			return []*graph.Variable{e.Mul(gz, e.Call("sinh", in[0]))}
		}},
	{Name: "arcsinh", Arity: 1, Out: outFloat, Doc: "asinh x",
		C:   "std::asinh($0)",
		F64: func(x, _, _ float64) float64 { return math.Asinh(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// asinh' = 1 / √(x² + 1)
			x := in[0]
			return []*graph.Variable{e.Div(gz, e.Call("sqrt", e.Add(e.Mul(x, x), e.Const(1, out))))}
		}},
	{Name: "arccosh", Arity: 1, Out: outFloat, Doc: "acosh x, for x >= 1",
		C:   "std::acosh($0)",
		F64: func(x, _, _ float64) float64 { return math.Acosh(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// acosh' = 1 / √(x² - 1)
			x := in[0]
			return []*graph.Variable{e.Div(gz, e.Call("sqrt", e.Sub(e.Mul(x, x), e.Const(1, out))))}
		}},
	{Name: "arctanh", Arity: 1, Out: outFloat, Doc: "atanh x, for |x| < 1",
		C:   "std::atanh($0)",
		F64: func(x, _, _ float64) float64 { return math.Atanh(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// atanh' = 1 / (1 - x²)
			x := in[0]
			return []*graph.Variable{e.Div(gz, e.Sub(e.Const(1, out), e.Mul(x, x)))}
		}},
}

// sqrtOneMinusSq is √(1 - x²) in out's dtype, the denominator of asin' and acos'.
func sqrtOneMinusSq(e *Expr, x, out *graph.Variable) *graph.Variable {
	return e.Call("sqrt", e.Sub(e.Const(1, out), e.Mul(x, x)))
}
