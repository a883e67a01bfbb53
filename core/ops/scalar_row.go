package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/kir"
)

// A ScalarOp is a kir.Row: the scalar expression DAG of a fused node holds
// its rows by pointer and reads their dtype rules and C templates.
var _ kir.Row = (*ScalarOp)(nil)

// RowName is the row's name.
func (s *ScalarOp) RowName() string { return s.Name }

// RowArity is the row's number of operands.
func (s *ScalarOp) RowArity() int { return s.Arity }

// CTemplate is the row's C template (C).
func (s *ScalarOp) CTemplate() string { return s.C }

// ChecksIntegers reports whether the row computes in int64 for operands
// of dtypes in and rejects some of them there (CheckI64: integer pow).
func (s *ScalarOp) ChecksIntegers(in []dtype.DType) bool {
	return s.CheckI64 != nil && s.ComputeDType(in) == dtype.Int64
}

// ScalarRow finds a row for kir.Decode.
func ScalarRow(name string) (kir.Row, bool) {
	s := scalarIndex[name]
	return s, s != nil
}
