// Package eval is the Go evaluator: it computes a graph's outputs with each
// op's Evaluate method. It is the reference every compiled backend is tested
// against, and the execution engine when no C++ compiler is available.
//
//	p, _ := eval.NewProgram([]*graph.Variable{x}, []*graph.Variable{y})
//	out, err := p.Run([]*tensor.Array{xv})
package eval

import (
	"fmt"

	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Program is a graph prepared for repeated evaluation: its nodes in
// dependency order, with every variable given a slot number so that a run
// keeps its values in one slice instead of a map.
type Program struct {
	inputs  []*graph.Variable
	outputs []*graph.Variable
	steps   []step
	nslots  int
	consts  []constSlot
	outSlot []int
}

// step is one node: where its inputs are read and its outputs written.
type step struct {
	node *graph.Apply
	ins  []int
	outs []int
}

type constSlot struct {
	slot  int
	value *tensor.Array
}

// NewProgram prepares the evaluation of outputs from the values of inputs.
// Every root the outputs depend on must be an input or a constant.
func NewProgram(inputs, outputs []*graph.Variable) (*Program, error) {
	p := &Program{inputs: inputs, outputs: outputs}
	slots := map[*graph.Variable]int{}
	for _, in := range inputs {
		if _, dup := slots[in]; dup {
			return nil, graph.ValueErrorf("input %v is given twice", in)
		}
		slots[in] = len(slots)
	}
	slotOf := func(v *graph.Variable) (int, error) {
		if s, ok := slots[v]; ok {
			return s, nil
		}
		if v.Owner == nil && v.Value == nil {
			return 0, graph.Errorf(graph.KindMissingInput, "no value given for input %v of type %v", v, v.Type)
		}
		s := len(slots)
		slots[v] = s
		if v.Value != nil {
			p.consts = append(p.consts, constSlot{s, v.Value})
		}
		return s, nil
	}
	for _, node := range graph.Toposort(outputs) {
		st := step{node: node, ins: make([]int, len(node.Inputs)), outs: make([]int, len(node.Outputs))}
		for i, in := range node.Inputs {
			s, err := slotOf(in)
			if err != nil {
				return nil, err
			}
			st.ins[i] = s
		}
		for i, o := range node.Outputs {
			st.outs[i], _ = slotOf(o)
		}
		p.steps = append(p.steps, st)
	}
	for _, o := range outputs {
		s, err := slotOf(o)
		if err != nil {
			return nil, err
		}
		p.outSlot = append(p.outSlot, s)
	}
	p.nslots = len(slots)
	return p, nil
}

// Nodes returns the program's nodes in the order they run.
func (p *Program) Nodes() []*graph.Apply {
	nodes := make([]*graph.Apply, len(p.steps))
	for i, st := range p.steps {
		nodes[i] = st.node
	}
	return nodes
}

// Run evaluates the program on one value per input. The arguments are only
// read; results may be argument arrays themselves (an output that is an
// input) or constants, so callers that hand them out must copy them.
func (p *Program) Run(args []*tensor.Array) ([]*tensor.Array, error) {
	return p.RunChecked(args, nil)
}

// RunChecked is Run with check called on each node's outputs as soon as
// the node has run (nil: no check); an error from check stops the run and
// is returned. NanGuardMode uses it to fail at the first node computing a
// NaN.
func (p *Program) RunChecked(args []*tensor.Array, check func(node *graph.Apply, outs []*tensor.Array) error) ([]*tensor.Array, error) {
	if len(args) != len(p.inputs) {
		return nil, graph.TypeErrorf("program takes %d values, got %d", len(p.inputs), len(args))
	}
	env := make([]*tensor.Array, p.nslots)
	copy(env, args)
	for _, c := range p.consts {
		env[c.slot] = c.value
	}
	var buf [8]*tensor.Array
	for _, st := range p.steps {
		ins := buf[:0]
		for _, s := range st.ins {
			ins = append(ins, env[s])
		}
		outs, err := evaluateNode(st.node, ins)
		if err != nil {
			return nil, err
		}
		if check != nil {
			if err := check(st.node, outs); err != nil {
				return nil, err
			}
		}
		for i, s := range st.outs {
			env[s] = outs[i]
		}
	}
	res := make([]*tensor.Array, len(p.outSlot))
	for i, s := range p.outSlot {
		res[i] = env[s]
	}
	return res, nil
}

// Run evaluates outputs given a value for each free input and shared
// variable they depend on: a convenience for tests and one-off evaluations.
func Run(outputs []*graph.Variable, values map[*graph.Variable]*tensor.Array) ([]*tensor.Array, error) {
	var inputs []*graph.Variable
	var args []*tensor.Array
	for _, r := range graph.Roots(outputs) {
		if a, ok := values[r]; ok {
			inputs = append(inputs, r)
			args = append(args, a)
		}
	}
	p, err := NewProgram(inputs, outputs)
	if err != nil {
		return nil, err
	}
	return p.Run(args)
}

// evaluateNode runs one node, turning a panic inside an op (a bug) into an
// error that names the node, and checking the results against the types.
func evaluateNode(node *graph.Apply, ins []*tensor.Array) (outs []*tensor.Array, err error) {
	defer func() {
		if r := recover(); r != nil {
			outs, err = nil, graph.FromPanic(graph.OpString(node.Op), r)
		}
	}()
	ev, ok := node.Op.(graph.Evaluator)
	if !ok {
		return nil, fmt.Errorf("%s has no Go evaluation", graph.OpString(node.Op))
	}
	outs, err = ev.Evaluate(node, ins)
	if err != nil {
		return nil, err
	}
	if len(outs) != len(node.Outputs) {
		return nil, fmt.Errorf("internal error: %s returned %d outputs, want %d", graph.OpString(node.Op), len(outs), len(node.Outputs))
	}
	for i, o := range outs {
		t := node.Outputs[i].Type
		if o.DType != t.DType || !t.AcceptsShape(o.Shape) {
			return nil, fmt.Errorf("internal error: %s computed a %v array of shape %v for output type %v", graph.OpString(node.Op), o.DType, o.Shape, t)
		}
	}
	return outs, nil
}
