package ops

import (
	"math"

	"theanogo/core/graph"
)

// specialRows are the base-2 and base-10 logarithms and powers and the
// error functions. Integers compute in float64 and give the float that
// holds them (outFloat, as exp); complex inputs are refused.
var specialRows = []*ScalarOp{
	{Name: "log2", Arity: 1, Out: outFloat, Doc: "log₂ x",
		C:   "std::log2($0)",
		F64: func(x, _, _ float64) float64 { return math.Log2(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// log2' = 1 / (x ln 2)
			return []*graph.Variable{e.Div(gz, e.Mul(in[0], e.Const(math.Ln2, out)))}
		}},
	{Name: "log10", Arity: 1, Out: outFloat, Doc: "log₁₀ x",
		C:   "std::log10($0)",
		F64: func(x, _, _ float64) float64 { return math.Log10(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// log10' = 1 / (x ln 10)
			return []*graph.Variable{e.Div(gz, e.Mul(in[0], e.Const(math.Ln10, out)))}
		}},
	{Name: "exp2", Arity: 1, Out: outFloat, Doc: "2ˣ",
		C:   "std::exp2($0)",
		F64: func(x, _, _ float64) float64 { return math.Exp2(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// exp2' = 2ˣ ln 2
			return []*graph.Variable{e.Mul(gz, e.Mul(out, e.Const(math.Ln2, out)))}
		}},
	{Name: "erf", Arity: 1, Out: outFloat, Doc: "the error function, 2/√π ∫₀ˣ e^(-t²) dt",
		C:   "std::erf($0)",
		F64: func(x, _, _ float64) float64 { return math.Erf(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// erf' = 2/√π e^(-x²)
			return []*graph.Variable{e.Mul(gz, erfSlope(e, in[0], out))}
		}},
	{Name: "erfc", Arity: 1, Out: outFloat, Doc: "1 - erf x, accurate where erf x is near 1",
		C:   "std::erfc($0)",
		F64: func(x, _, _ float64) float64 { return math.Erfc(x) },
		Grad: func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable {
			// erfc' = -2/√π e^(-x²)
			return []*graph.Variable{e.Neg(e.Mul(gz, erfSlope(e, in[0], out)))}
		}},
}

// erfSlope is erf'(x) = 2/√π e^(-x²) in out's dtype.
func erfSlope(e *Expr, x, out *graph.Variable) *graph.Variable {
	return e.Mul(e.Const(2/math.SqrtPi, out), e.Exp(e.Neg(e.Mul(x, x))))
}
