package graph

import (
	"fmt"
	"sync"

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
	// Shared holds the value of a shared variable; nil for every other variable.
	Shared *SharedValue
}

// ID is the variable's unique number within its Builder.
func (v *Variable) ID() uint64 { return v.id }

// IsConstant reports whether v is a constant.
func (v *Variable) IsConstant() bool { return v.Value != nil }

// IsShared reports whether v is a shared variable.
func (v *Variable) IsShared() bool { return v.Shared != nil }

// IsInput reports whether v is a free input: not computed, not constant, not shared.
func (v *Variable) IsInput() bool { return v.Owner == nil && v.Value == nil && v.Shared == nil }

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

// SharedValue is the storage of a shared variable: a value that outlives
// function calls and that updates replace. It is safe for concurrent use.
type SharedValue struct {
	mu    sync.Mutex
	value *tensor.Array
}

// Get returns the current value (callers must not modify it).
func (s *SharedValue) Get() *tensor.Array {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.value
}

// Set replaces the value.
func (s *SharedValue) Set(a *tensor.Array) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.value = a
}

// Apply is one application of an op to input variables, producing outputs.
// Apply nodes are interned by their Builder: never build one by hand.
type Apply struct {
	Op      Op
	Inputs  []*Variable
	Outputs []*Variable
}

// Out returns the single output of a one-output node.
func (a *Apply) Out() *Variable { return a.Outputs[0] }
