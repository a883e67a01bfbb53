package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
)

// ScalarOp is one row of the scalar op table: a function of one to three
// scalars that Elemwise maps over arrays (with broadcasting), that
// reductions and fusion are generic over, and that code generators render
// from the C template.
type ScalarOp struct {
	Name  string
	Arity int
	// Out is the rule giving the output dtype from the input dtypes.
	Out outRule
	// F64 computes in float64; used for float inputs and, when I64 is nil, for integers.
	F64 func(x, y, z float64) float64
	// I64 computes exactly on integers and bools (nil: use F64).
	I64 func(x, y, z int64) int64
	// Bool computes on bool inputs where the integer rule would be wrong
	// (invert is logical not, ^1 is not); nil: bools compute as integers.
	Bool func(x, y, z bool) bool
	// C128 computes on complex numbers (nil: the op rejects complex inputs).
	C128 func(x, y, z complex128) complex128
	// Grad is the pullback: the gradient with respect to each input given the
	// output's gradient gz, built with e (nil entries: no gradient). Nil Grad
	// means the op has no gradient (comparisons, integer ops).
	Grad func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable
	// C is the C++ expression template: $0, $1, $2 are the inputs.
	C string
}

// outRule names how a scalar op's output dtype follows from its inputs.
type outRule int

const (
	outUpcast   outRule = iota // the promoted input dtype (add, mul, maximum)
	outFloat                   // promoted, then at least a float (exp, log, tanh)
	outTrueDiv                 // promoted; integers give float64 as numpy's true_divide does
	outBool                    // bool (comparisons)
	outSecond                  // the second input's dtype (second/fill)
	outSwitch                  // the promoted dtype of inputs 1 and 2 (switch)
	outDiscrete                // promoted; inputs must be bool or integers (and, or, invert)
)

// outputDType applies the rule to the input dtypes, or explains why the
// inputs are not allowed.
func (s *ScalarOp) outputDType(in []dtype.DType) (dtype.DType, error) {
	up := dtype.Upcast(in...)
	if s.Out == outSwitch {
		up = dtype.Promote(in[1], in[2])
	}
	if up.IsComplex() && s.C128 == nil && s.Out != outSecond {
		return 0, graph.TypeErrorf("%s is not defined for complex inputs (%v)", s.Name, up)
	}
	switch s.Out {
	case outFloat:
		return dtype.FloatOf(up), nil
	case outTrueDiv:
		if up.IsDiscrete() {
			return dtype.Float64, nil
		}
		return up, nil
	case outBool:
		return dtype.Bool, nil
	case outSecond:
		return in[1], nil
	case outDiscrete:
		if !up.IsDiscrete() {
			return 0, graph.TypeErrorf("%s needs bool or integer inputs, got %v", s.Name, in)
		}
	}
	return up, nil
}

// computeDType is the dtype whose domain the op computes in: float64 math
// for floats, exact int64 math for integers (when I64 exists), complex128.
func (s *ScalarOp) computeDType(in []dtype.DType) dtype.DType {
	switch s.Out {
	case outSwitch:
		return dtype.Promote(in[1], in[2])
	case outSecond:
		return in[1]
	}
	return dtype.Upcast(in...)
}
