// Package eval is the Go evaluator: it computes a graph's outputs with each
// op's Evaluate method. It is the reference every compiled backend is tested
// against, and the execution engine when no C++ compiler is available.
//
//	out, err := eval.Run([]*graph.Variable{y}, map[*graph.Variable]*tensor.Array{x: xv})
package eval

import (
	"fmt"

	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Program is a graph prepared for repeated evaluation: its nodes in
// dependency order.
type Program struct {
	Outputs []*graph.Variable
	Order   []*graph.Apply
}

// NewProgram orders the nodes computing outputs.
func NewProgram(outputs []*graph.Variable) *Program {
	return &Program{Outputs: outputs, Order: graph.Toposort(outputs)}
}

// Run evaluates outputs given the values of the free inputs; constants and
// shared variables supply their own values.
func Run(outputs []*graph.Variable, values map[*graph.Variable]*tensor.Array) ([]*tensor.Array, error) {
	return NewProgram(outputs).Run(values)
}

// Run evaluates the program. values must hold every free input the outputs
// depend on; it is not modified.
func (p *Program) Run(values map[*graph.Variable]*tensor.Array) ([]*tensor.Array, error) {
	env := make(map[*graph.Variable]*tensor.Array, len(values)+len(p.Order))
	for v, a := range values {
		env[v] = a
	}
	lookup := func(v *graph.Variable) (*tensor.Array, error) {
		if a, ok := env[v]; ok {
			return a, nil
		}
		switch {
		case v.Value != nil:
			return v.Value, nil
		case v.Shared != nil:
			return v.Shared.Get(), nil
		}
		return nil, graph.Errorf(graph.KindMissingInput, "no value given for input %v of type %v", v, v.Type)
	}
	for _, node := range p.Order {
		ins := make([]*tensor.Array, len(node.Inputs))
		for i, in := range node.Inputs {
			a, err := lookup(in)
			if err != nil {
				return nil, err
			}
			ins[i] = a
		}
		outs, err := evaluateNode(node, ins)
		if err != nil {
			return nil, err
		}
		for i, o := range node.Outputs {
			env[o] = outs[i]
		}
	}
	res := make([]*tensor.Array, len(p.Outputs))
	for i, o := range p.Outputs {
		a, err := lookup(o)
		if err != nil {
			return nil, err
		}
		res[i] = a
	}
	return res, nil
}

// evaluateNode runs one node, turning a panic inside an op (a bug) into an
// error that names the node, and checking the results against the types.
func evaluateNode(node *graph.Apply, ins []*tensor.Array) (outs []*tensor.Array, err error) {
	name := graph.OpString(node.Op)
	defer func() {
		if r := recover(); r != nil {
			outs, err = nil, graph.FromPanic(name, r)
		}
	}()
	ev, ok := node.Op.(graph.Evaluator)
	if !ok {
		return nil, fmt.Errorf("%s has no Go evaluation", name)
	}
	outs, err = ev.Evaluate(node, ins)
	if err != nil {
		return nil, err
	}
	if len(outs) != len(node.Outputs) {
		return nil, fmt.Errorf("internal error: %s returned %d outputs, want %d", name, len(outs), len(node.Outputs))
	}
	for i, o := range outs {
		t := node.Outputs[i].Type
		if o.DType != t.DType || !t.AcceptsShape(o.Shape) {
			return nil, fmt.Errorf("internal error: %s computed a %v array of shape %v for output type %v", name, o.DType, o.Shape, t)
		}
	}
	return outs, nil
}
