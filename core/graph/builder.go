package graph

import (
	"fmt"
	"sync/atomic"

	"theanogo/core/tensor"
)

// Builder creates variables and type-checked apply nodes. Every call makes
// a new variable or node, as Theano does: `x + 1` built twice is two
// expressions, and naming one does not name the other. Equal
// subexpressions are merged later, inside a function graph (compile's merge
// pass). A Builder is safe for concurrent use.
//
//	b := graph.NewBuilder()
//	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
type Builder struct {
	nextID atomic.Uint64
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder { return &Builder{} }

func (b *Builder) newVariable(t Type) *Variable {
	return &Variable{id: b.nextID.Add(1), Type: t}
}

// LastID is the number of the last variable created: the variables made
// afterwards have larger numbers (see Stamp).
func (b *Builder) LastID() uint64 { return b.nextID.Load() }

// Input returns a new free input variable of type t.
func (b *Builder) Input(t Type, name string) *Variable {
	v := b.newVariable(t)
	v.Name = name
	return v
}

// Shared returns a new shared variable of type t. Its value is kept by the
// caller and passed to each call of a function that reads it.
func (b *Builder) Shared(t Type, name string) *Variable {
	v := b.newVariable(t)
	v.Name = name
	v.shared = true
	return v
}

// Constant returns a new constant variable holding value (not copied: the
// caller must not modify it afterwards).
func (b *Builder) Constant(value *tensor.Array) *Variable {
	v := b.newVariable(NewType(value.DType, value.Shape...))
	v.Value = value
	return v
}

// Apply type-checks op on the inputs (OutputTypes sees the input variables,
// constants included) and returns a new node.
func (b *Builder) Apply(op Op, inputs ...*Variable) (*Apply, error) {
	for i, in := range inputs {
		if in == nil {
			return nil, fmt.Errorf("%s: input %d is nil", OpString(op), i)
		}
	}
	outTypes, err := op.OutputTypes(inputs)
	if err != nil {
		return nil, err
	}
	node := &Apply{Op: op, Inputs: append([]*Variable{}, inputs...)}
	for i, t := range outTypes {
		out := b.newVariable(t)
		out.Owner = node
		out.Index = i
		node.Outputs = append(node.Outputs, out)
	}
	return node, nil
}

// Apply1 applies a one-output op and returns its output.
func (b *Builder) Apply1(op Op, inputs ...*Variable) (*Variable, error) {
	n, err := b.Apply(op, inputs...)
	if err != nil {
		return nil, err
	}
	if len(n.Outputs) != 1 {
		return nil, fmt.Errorf("%s has %d outputs, not 1", OpString(op), len(n.Outputs))
	}
	return n.Outputs[0], nil
}
