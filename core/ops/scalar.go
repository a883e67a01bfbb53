package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
)

// ScalarOp is one row of the scalar op table: a function of one to three
// scalars that Elemwise maps over arrays (with broadcasting), that
// reductions and fusion are generic over, and that code generators render
// from the C template.
//
// Each row is evaluated in one domain, chosen by ComputeDType from the
// input dtypes: complex (C128), bool (Bool), exact int64 (I64) or floating
// point (F64). The C template computes in the same dtype, so generated code
// and the Go evaluator agree (tests_go/scalar_codegen_test.go checks every
// row for every dtype).
type ScalarOp struct {
	Name  string
	Arity int
	// Doc says what the row computes, in one line: "x + y".
	Doc string
	// Out is the rule giving the output dtype from the input dtypes.
	Out outRule
	// F64 computes in float64; used for float inputs and, when I64 is nil, for integers.
	F64 func(x, y, z float64) float64
	// I64 computes exactly on integers and bools (nil: use F64).
	I64 func(x, y, z int64) int64
	// CheckI64 rejects integer operands numpy rejects (nil: all are fine):
	// integer pow with a negative exponent is a ValueError, not a value.
	CheckI64 func(x, y, z int64) error
	// Bool computes on bool inputs where the integer rule would be wrong
	// (invert is logical not, ^1 is not); nil: bools compute as integers.
	Bool func(x, y, z bool) bool
	// C128 computes on complex numbers (nil: the op rejects complex inputs).
	C128 func(x, y, z complex128) complex128
	// Grad is the pullback: the gradient with respect to each input given the
	// output's gradient gz, built with e (nil entries: no gradient). Nil Grad
	// means the op has no gradient (comparisons, integer ops).
	Grad func(e *Expr, in []*graph.Variable, out, gz *graph.Variable) []*graph.Variable
	// C is the C++ expression template: $0, $1, $2 are the inputs, already
	// converted to the C type of OperandDType; the tg_ helpers it calls are
	// in codegen/runtime/tg_scalar.h. Its value converts to the output dtype.
	C string
}

// outRule names how a scalar op's output dtype follows from its inputs.
type outRule int

const (
	outUpcast    outRule = iota // the promoted input dtype (add, mul, maximum)
	outFloat                    // promoted, then at least a float (exp, log, tanh)
	outTrueDiv                  // promoted; integers give float64 as numpy's true_divide does
	outBool                     // bool (comparisons)
	outSecond                   // the second input's dtype (second/fill)
	outSwitch                   // the promoted dtype of inputs 1 and 2 (switch)
	outDiscrete                 // promoted; inputs must be bool or integers (and, or, invert)
	outMagnitude                // promoted; complex gives its real part's float (abs)
)

// operandsDType is the promoted dtype of the inputs the value comes from:
// all of them, except the branches of switch and the fill value of second.
func (s *ScalarOp) operandsDType(in []dtype.DType) dtype.DType {
	switch s.Out {
	case outSwitch:
		return dtype.Promote(in[1], in[2])
	case outSecond:
		return in[1]
	}
	return dtype.Upcast(in...)
}

// outputDType applies the rule to the input dtypes, or explains why the
// inputs are not allowed.
func (s *ScalarOp) outputDType(in []dtype.DType) (dtype.DType, error) {
	up := s.operandsDType(in)
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
	case outDiscrete:
		if !up.IsDiscrete() {
			return 0, graph.TypeErrorf("%s needs bool or integer inputs, got %v", s.Name, in)
		}
	case outMagnitude:
		if up.IsComplex() {
			return dtype.FloatOf(realPartOf(up)), nil
		}
	}
	return up, nil
}

// realPartOf is the float dtype of a complex dtype's parts.
func realPartOf(c dtype.DType) dtype.DType {
	if c == dtype.Complex64 {
		return dtype.Float32
	}
	return dtype.Float64
}

// ComputeDType is the dtype the op computes in, for inputs of dtypes in:
// the Go evaluator picks its domain from it and generated C converts the
// operands to its C type (CType) before applying the template.
//
//	complex64, complex128     themselves (C128 in Go)
//	bool, with a Bool rule    bool (logical not for invert)
//	bool and integers         int64, wrapping to the output type (I64 in Go)
//	  ... with no I64 rule    float64 (true_div and exp of integers)
//	float16                   float32 (C stores halves, computes in float)
//	float32, float64          themselves (Go computes in float64, then rounds)
func (s *ScalarOp) ComputeDType(in []dtype.DType) dtype.DType {
	up := s.operandsDType(in)
	switch {
	case up.IsComplex():
		return up
	case up == dtype.Bool && s.Bool != nil:
		return dtype.Bool
	case up.IsDiscrete() && s.I64 != nil:
		return dtype.Int64
	case up.IsDiscrete():
		return dtype.Float64
	case up == dtype.Float16:
		return dtype.Float32
	}
	return up
}

// OperandDType is the dtype input i enters the template in: the compute
// dtype, except switch's condition, which is a truth value (bool).
func (s *ScalarOp) OperandDType(in []dtype.DType, i int) dtype.DType {
	if s.Out == outSwitch && i == 0 {
		return dtype.Bool
	}
	return s.ComputeDType(in)
}

// OutputDType is the output dtype for inputs of dtypes in, or the error
// that building the op would give.
func (s *ScalarOp) OutputDType(in []dtype.DType) (dtype.DType, error) {
	return s.outputDType(in)
}

// ScalarOps lists the scalar op table's rows, in table order.
func ScalarOps() []*ScalarOp { return scalarTable }

// scalarIndex finds a row by name for Scalar. It is filled in init rather
// than by an initializer: the table's gradient rules call Scalar, so an
// initializer reading the table would be an initialization cycle.
var scalarIndex map[string]*ScalarOp

func init() {
	scalarIndex = make(map[string]*ScalarOp, len(scalarTable))
	for _, s := range scalarTable {
		if scalarIndex[s.Name] != nil {
			panic("ops: two scalar rows named " + s.Name)
		}
		scalarIndex[s.Name] = s
	}
}

// ScalarByName returns the table's row called name, or nil.
func ScalarByName(name string) *ScalarOp {
	for _, s := range scalarTable {
		if s.Name == name {
			return s
		}
	}
	return nil
}
