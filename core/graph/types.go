// Package graph is theanogo's expression graph: tensor types, variables,
// apply nodes and the op interface with its optional capabilities.
//
// Nodes are immutable, and every Builder call makes a new one. Ops are
// comparable values, so the compiler's merge pass finds equal
// subexpressions (equal op, same inputs) with a map.
//
//	b := graph.NewBuilder()
//	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
package graph

import (
	"fmt"
	"strings"

	"theanogo/core/dtype"
	"theanogo/core/tensor"
)

// Unknown marks a dimension whose length is not known statically.
const Unknown = -1

// Type is a tensor type: a dtype and a static shape in which each dimension
// is a known length or Unknown. A dimension of static length 1 is
// broadcastable, as in Theano's TensorType(dtype, broadcastable).
type Type struct {
	DType dtype.DType
	Shape []int
}

// NewType returns the type with dtype dt and the given static shape.
func NewType(dt dtype.DType, shape ...int) Type {
	return Type{DType: dt, Shape: append([]int{}, shape...)}
}

// Ndim is the rank of the type.
func (t Type) Ndim() int { return len(t.Shape) }

// Broadcastable reports, per dimension, whether its static length is 1.
func (t Type) Broadcastable() []bool {
	out := make([]bool, len(t.Shape))
	for i, d := range t.Shape {
		out[i] = d == 1
	}
	return out
}

// Equal reports whether two types are identical.
func (t Type) Equal(u Type) bool {
	if t.DType != u.DType || len(t.Shape) != len(u.Shape) {
		return false
	}
	for i := range t.Shape {
		if t.Shape[i] != u.Shape[i] {
			return false
		}
	}
	return true
}

// WithDType returns t with another dtype.
func (t Type) WithDType(dt dtype.DType) Type { return NewType(dt, t.Shape...) }

// rankNames are Theano's names for the common ranks, used in String.
var rankNames = []string{"scalar", "vector", "matrix", "tensor3", "tensor4", "tensor5", "tensor6", "tensor7"}

// String prints the type as Theano does, with the static shape:
// "TensorType(float64, matrix (?, 3))".
func (t Type) String() string {
	dims := make([]string, len(t.Shape))
	for i, d := range t.Shape {
		if d == Unknown {
			dims[i] = "?"
		} else {
			dims[i] = fmt.Sprint(d)
		}
	}
	rank := fmt.Sprintf("%d-d", len(t.Shape))
	if len(t.Shape) < len(rankNames) {
		rank = rankNames[len(t.Shape)]
	}
	shape := "(" + strings.Join(dims, ", ")
	if len(dims) == 1 {
		shape += ","
	}
	return fmt.Sprintf("TensorType(%v, %s %s))", t.DType, rank, shape)
}

// AcceptsShape reports whether a concrete shape fits t's static shape.
func (t Type) AcceptsShape(shape []int) bool {
	if len(shape) != len(t.Shape) {
		return false
	}
	for i, d := range t.Shape {
		if d != Unknown && d != shape[i] {
			return false
		}
	}
	return true
}

// CheckSize returns a ValueError when no array can have t's static shape:
// a length below Unknown, or known lengths whose product overflows int64
// (numpy's "array is too big"). Unknown lengths count as 1, so a type
// passes when some array of it could exist.
//
//	NewType(dtype.Float64, 1<<62, 4).CheckSize() // ValueError
func (t Type) CheckSize() error {
	known := make([]int, 0, len(t.Shape))
	for _, d := range t.Shape {
		switch {
		case d == Unknown:
		case d < 0:
			return ValueErrorf("%v: negative length %d", t, d)
		default:
			known = append(known, d)
		}
	}
	if _, ok := tensor.ElementCount(known); !ok {
		return ValueErrorf("%v: the number of elements overflows int64", t)
	}
	return nil
}
