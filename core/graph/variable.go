package graph

import (
	"fmt"

	"theanogo/core/tensor"
)

// Variable is a typed value in the graph: an input, a constant, a shared
// variable, or output Index of the apply node Owner.
type Variable struct {
	id    uint64
	Type  Type
	Owner *Apply
	Index int
	// Name is the user's name for the variable ("x"), for printing only.
	Name string
	// Value is the value of a constant; nil for every other variable.
	Value *tensor.Array
	// shared marks a shared variable. Its value lives with the caller (the
	// Python SharedVariable): Go knows only its type, and a compiled function
	// receives its current value with the arguments of each call.
	shared bool
}

// ID is the variable's unique number within its Builder.
func (v *Variable) ID() uint64 { return v.id }

// IsConstant reports whether v is a constant.
func (v *Variable) IsConstant() bool { return v.Value != nil }

// IsShared reports whether v is a shared variable.
func (v *Variable) IsShared() bool { return v.shared }

// IsInput reports whether v is a free input: not computed, not constant, not shared.
func (v *Variable) IsInput() bool { return v.Owner == nil && v.Value == nil && !v.shared }

// String names the variable for messages: its name, or the op computing it.
func (v *Variable) String() string {
	switch {
	case v.Name != "":
		return v.Name
	case v.Value != nil && v.Value.Size() == 1:
		return fmt.Sprintf("TensorConstant{%v}", v.Value.Float64s()[0])
	case v.Value != nil:
		return fmt.Sprintf("TensorConstant{%v}", v.Type)
	case v.Owner != nil:
		return OpString(v.Owner.Op) + ".out"
	}
	return fmt.Sprintf("<%v>", v.Type)
}

// Apply is one application of an op to input variables, producing outputs.
// Apply nodes are made by a Builder, which type-checks them; never build one
// by hand. Every Apply is a distinct node, even when an equal one exists:
// identity matters to Theano users (names, consider_constant, givens), and
// equal subexpressions are merged inside a function graph instead.
type Apply struct {
	Op      Op
	Inputs  []*Variable
	Outputs []*Variable
	// Source is where the user built the node ("train.py:12"), set when the
	// node is created, for messages; a rewrite's new nodes inherit the
	// source of the node they replace.
	Source string
}

// Out returns the single output of a one-output node.
func (a *Apply) Out() *Variable { return a.Outputs[0] }
