package cxx

import (
	"fmt"

	"theanogo/core/dtype"
	"theanogo/core/kir"
	"theanogo/core/tensor"
)

// cxxTarget is the C++ side of kir.Render: the C++ types of ops.CTypeOf
// (float16 stored as uint16_t bits, computed in float), exact literals,
// and the vectorizable variants of a few rows (vectorScalars). The walk,
// the temporaries and the rounding are kir.Render's, shared with CUDA.
// index is set by the map printer (loops.go) for an element function that
// reads the flat element index: the function then takes it as parameter
// ix, the element's C-order position in the output.
type cxxTarget struct {
	index bool
}

var _ kir.Target = cxxTarget{}

func (cxxTarget) Storage(dt dtype.DType) string { return cTypeOf(dt).Storage }

func (cxxTarget) Compute(dt dtype.DType) string { return cTypeOf(dt).Compute }

func (cxxTarget) Load(dt dtype.DType, x string) string { return load(dt, x) }

func (cxxTarget) Store(dt dtype.DType, x string) string { return store(dt, x) }

// Literal writes the constant exactly, as literal writes an array's element.
func (cxxTarget) Literal(c kir.Const) string {
	var a *tensor.Array
	switch dt := c.DType(); {
	case dt.IsComplex():
		a = tensor.FromComplex128s(dt, nil, []complex128{c.Complex128()})
	case dt.IsFloat():
		a = tensor.FromFloat64s(dt, nil, []float64{c.Float64()})
	default:
		a = tensor.FromInt64s(dt, nil, []int64{c.Int64()})
	}
	return literal(a, 0)
}

// Template is the row's C template, or its branch-free variant for float
// operands (vectorScalars).
func (cxxTarget) Template(row kir.Row, operand dtype.DType) string {
	if c, ok := vectorScalars[vectorScalar{row.RowName(), operand}]; ok {
		return c
	}
	return row.CTemplate()
}

// Index is parameter ix of a map's element function, which the loops
// (loops.go) pass as the element's flat position; elsewhere (a reduction's
// element, a scan's step) there is none.
func (t cxxTarget) Index() (string, error) {
	if !t.index {
		return "", fmt.Errorf("the flat element index is available in C++ maps only")
	}
	return "ix", nil
}
