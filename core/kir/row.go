package kir

import "theanogo/core/dtype"

// Row is a row of the scalar table (core/ops.ScalarOp implements it): a
// function of one to three scalars, its dtype rules and its C template.
// The package holds rows by this interface so that it does not import
// core/ops (which imports kir); a row is compared by pointer, so Apply of
// the same row to the same arguments is one node.
type Row interface {
	// RowName is the row's name in the table ("add", "tanh").
	RowName() string
	// RowArity is how many arguments it takes (1 to 3).
	RowArity() int
	// OutputDType is the dtype of its value for arguments of dtypes in,
	// or the error building the Elemwise node would give.
	OutputDType(in []dtype.DType) (dtype.DType, error)
	// ComputeDType is the dtype it computes in (the Go evaluator's
	// domain and the C type its operands are converted to).
	ComputeDType(in []dtype.DType) dtype.DType
	// OperandDType is the dtype argument i enters the template in
	// (the compute dtype, but bool for switch's condition).
	OperandDType(in []dtype.DType, i int) dtype.DType
	// CTemplate is the C expression of the row: $0, $1, $2 are its
	// operands ("($0 + $1)", "std::exp($0)").
	CTemplate() string
	// ChecksIntegers reports whether the row rejects some operands when
	// it computes in int64 (integer pow of a negative exponent raises):
	// generated element code cannot raise, so Render refuses such a node.
	ChecksIntegers(in []dtype.DType) bool
}

// Rows finds a row by name when an expression is decoded (Decode).
type Rows func(name string) (Row, bool)
