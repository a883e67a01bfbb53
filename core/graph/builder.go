package graph

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"weak"

	"theanogo/core/tensor"
)

// Builder creates variables and interns apply nodes: applying an equal op to
// the same inputs twice returns the same node. The intern table holds weak
// pointers, so nodes nobody references are collected and their entries
// dropped. A Builder is safe for concurrent use.
type Builder struct {
	nextID atomic.Uint64
	mu     sync.Mutex
	nodes  map[string]weak.Pointer[Apply]
	consts map[string]weak.Pointer[Variable]
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{
		nodes:  map[string]weak.Pointer[Apply]{},
		consts: map[string]weak.Pointer[Variable]{},
	}
}

func (b *Builder) newVariable(t Type) *Variable {
	return &Variable{id: b.nextID.Add(1), Type: t}
}

// Input returns a new free input variable of type t.
func (b *Builder) Input(t Type, name string) *Variable {
	v := b.newVariable(t)
	v.Name = name
	return v
}

// Shared returns a new shared variable of type t holding value.
func (b *Builder) Shared(t Type, value *tensor.Array, name string) (*Variable, error) {
	if value.DType != t.DType || !t.AcceptsShape(value.Shape) {
		return nil, TypeErrorf("shared: value of dtype %v and shape %v does not fit %v", value.DType, value.Shape, t)
	}
	v := b.newVariable(t)
	v.Name = name
	v.Shared = &SharedValue{value: value}
	return v, nil
}

// Constant returns the constant variable holding value; equal constants
// (same dtype, shape and bytes) are the same variable.
func (b *Builder) Constant(value *tensor.Array) *Variable {
	key := fmt.Sprintf("%v%v:%s", value.DType, value.Shape, value.Bytes())
	b.mu.Lock()
	defer b.mu.Unlock()
	if w, ok := b.consts[key]; ok {
		if v := w.Value(); v != nil {
			return v
		}
	}
	v := b.newVariable(NewType(value.DType, value.Shape...))
	v.Value = value
	b.consts[key] = weak.Make(v)
	runtime.AddCleanup(v, b.dropConst, key)
	return v
}

// Apply type-checks op on the inputs and returns the interned node.
func (b *Builder) Apply(op Op, inputs ...*Variable) (*Apply, error) {
	key := nodeKey(op, inputs)
	b.mu.Lock()
	if w, ok := b.nodes[key]; ok {
		if n := w.Value(); n != nil {
			b.mu.Unlock()
			return n, nil
		}
	}
	b.mu.Unlock()

	inTypes := make([]Type, len(inputs))
	for i, in := range inputs {
		if in == nil {
			return nil, fmt.Errorf("%s: input %d is nil", OpString(op), i)
		}
		inTypes[i] = in.Type
	}
	outTypes, err := op.OutputTypes(inTypes)
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

	b.mu.Lock()
	defer b.mu.Unlock()
	if w, ok := b.nodes[key]; ok { // another goroutine won the race
		if n := w.Value(); n != nil {
			return n, nil
		}
	}
	b.nodes[key] = weak.Make(node)
	runtime.AddCleanup(node, b.dropNode, key)
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

// Size reports how many nodes and constants are interned, for memory tests.
func (b *Builder) Size() (nodes, constants int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.nodes), len(b.consts)
}

func (b *Builder) dropNode(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if w, ok := b.nodes[key]; ok && w.Value() == nil {
		delete(b.nodes, key)
	}
}

func (b *Builder) dropConst(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if w, ok := b.consts[key]; ok && w.Value() == nil {
		delete(b.consts, key)
	}
}

// nodeKey identifies a node by its op and the ids of its inputs.
func nodeKey(op Op, inputs []*Variable) string {
	var sb strings.Builder
	sb.WriteString(OpString(op))
	sb.WriteByte('(')
	for i, in := range inputs {
		if i > 0 {
			sb.WriteByte(',')
		}
		if in != nil {
			sb.WriteString(strconv.FormatUint(in.id, 10))
		}
	}
	sb.WriteByte(')')
	return sb.String()
}
