package compile

import (
	"reflect"
	"slices"

	"theanogo/core/control"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// scanHoist moves the loop-invariant work of every scan's step out of the
// loop (Theano's scan_pushout_non_seq_ops): a step node whose inputs are
// all non-sequences, constants or other such nodes computes the same value
// at every step, so the outer graph computes it once and the loop receives
// it as a new non-sequence. Non-sequences only the hoisted nodes read are
// dropped from the loop. Gradient scans are scans too: their steps' copies
// of W.T or dot(W, V) move out the same way.
//
//	scan{step: tanh(dot(h, dot(W, W.T)) + x*(b*2))}(n, x, h0, W, b) -> scan{step: tanh(dot(h, p0) + x*p1)}(n, x, h0, dot(W, W.T), b*2)
//
// A view of invariants (W.T, W[0], (b*2)[None]) stays in the step and its
// input moves out: a view costs no work per step (the step's gemv reads
// W.T as W transposed), while a view handed to the loop as a non-sequence
// would be packed into a contiguous buffer at every step, or copied once
// and then read through a second transpose. As in Theano, a hoisted node
// runs even when the loop runs no step (an invariant index out of range
// then raises). A value only an ifelse's branch reads stays in the step
// (the lazy ifelse computes it only when its branch is taken).
func scanHoist(b *graph.Builder, fg *FunctionGraph) error {
	return rewriteGraph(b, fg, nil, func(n *graph.Apply, ins []*graph.Variable) ([]*graph.Variable, error) {
		op, ok := n.Op.(control.Scan)
		if !ok {
			return nil, nil
		}
		info, outer, err := hoistInvariants(b, op.Info, ins)
		if err != nil || info == nil {
			return nil, err
		}
		nn, err := b.Apply(control.Scan{Info: info}, outer...)
		if err != nil {
			return nil, err
		}
		return nn.Outputs, nil
	})
}

// hoistInvariants returns the loop s with its invariant step nodes moved
// to the outer graph, and the node's new inputs; nil when no node is
// invariant.
func hoistInvariants(b *graph.Builder, s *control.ScanInfo, ins []*graph.Variable) (*control.ScanInfo, []*graph.Variable, error) {
	g := s.Inner
	first := s.StepNonSeqStart()
	// invariant: a value every step computes alike; varying: one that
	// reads a sequence or a state. Constants are neither: a node of
	// constants alone is constant folding's.
	invariant := map[*graph.Variable]bool{}
	constant := map[*graph.Variable]bool{} // constants, and nodes of constants alone (the 2 of b*2 broadcast)
	for _, p := range g.Inputs[first:] {
		invariant[p] = true
	}
	order := graph.Toposort(g.Outputs)
	for _, n := range order {
		inv, reads := true, false
		for _, in := range n.Inputs {
			switch {
			case invariant[in]:
				reads = true
			case !in.IsConstant() && !constant[in]:
				inv = false
			}
		}
		for _, o := range n.Outputs {
			invariant[o] = inv && reads
			constant[o] = inv && !reads
		}
	}
	// hoist the invariant values a varying node or the step's results read
	var hoist []*graph.Variable
	seen := map[*graph.Variable]bool{}
	var want func(v *graph.Variable)
	want = func(v *graph.Variable) {
		if !invariant[v] || v.Owner == nil || seen[v] {
			return
		}
		seen[v] = true
		if isView(v.Owner.Op) { // the view stays: its input moves out
			for _, in := range v.Owner.Inputs {
				want(in)
			}
			return
		}
		hoist = append(hoist, v)
	}
	always := unconditional(g.Outputs)
	for _, n := range order {
		if invariant[n.Outputs[0]] || !always[n] {
			continue
		}
		for i, in := range n.Inputs {
			if !branchInput(n, i) {
				want(in)
			}
		}
	}
	for _, o := range g.Outputs {
		want(o)
	}
	if len(hoist) == 0 {
		return nil, nil, nil
	}
	// the outer values: the hoisted nodes on the outer non-sequences
	toOuter := map[*graph.Variable]*graph.Variable{}
	for m, p := range g.Inputs[first:] {
		toOuter[p] = ins[s.NonSeqStart()+m]
	}
	outerVals, err := b.Replace(hoist, toOuter)
	if err != nil {
		return nil, nil, err
	}
	toInner := map[*graph.Variable]*graph.Variable{}
	var newIns []*graph.Variable
	for _, v := range hoist {
		p := b.Input(v.Type, v.Name)
		toInner[v] = p
		newIns = append(newIns, p)
	}
	outs, err := b.Replace(g.Outputs, toInner)
	if err != nil {
		return nil, nil, err
	}
	// keep the old non-sequences the step still reads, then the new ones
	read := map[*graph.Variable]bool{}
	for _, r := range graph.Roots(outs) {
		read[r] = true
	}
	stepIns := slices.Clone(g.Inputs[:first])
	outer := slices.Clone(ins[:s.NonSeqStart()])
	for m, p := range g.Inputs[first:] {
		if read[p] {
			stepIns = append(stepIns, p)
			outer = append(outer, ins[s.NonSeqStart()+m])
		}
	}
	stepIns = append(stepIns, newIns...)
	outer = append(outer, outerVals...)
	info := *s
	info.NNonSeqs = len(stepIns) - first
	if info.Inner, err = control.NewGraph(stepIns, outs); err != nil {
		return nil, nil, err
	}
	return &info, outer, nil
}

// unconditional is the set of nodes every step runs whatever its values:
// those the outputs read other than through an ifelse's branches (a node
// only a branch reads runs when that branch is taken; ifelse_lazy moves
// it into the branch).
func unconditional(outputs []*graph.Variable) map[*graph.Apply]bool {
	seen := map[*graph.Apply]bool{}
	var visit func(v *graph.Variable)
	visit = func(v *graph.Variable) {
		n := v.Owner
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		for i, in := range n.Inputs {
			if !branchInput(n, i) {
				visit(in)
			}
		}
	}
	for _, o := range outputs {
		visit(o)
	}
	return seen
}

// branchInput reports whether input i of n is read only when a branch of
// the ifelse n is taken (every input but the condition).
func branchInput(n *graph.Apply, i int) bool {
	_, ok := n.Op.(control.IfElseOp)
	return ok && i > 0
}

// viewOps are the ops whose output may be a strided view of their input.
var viewOps = map[reflect.Type]bool{
	reflect.TypeOf(ops.DimShuffleOp{}): true,
	reflect.TypeOf(ops.SubtensorOp{}):  true,
	reflect.TypeOf(ops.ReshapeOp{}):    true,
	reflect.TypeOf(ops.FlattenOp{}):    true,
}

// isView reports whether op's output may be a view of its input.
func isView(op graph.Op) bool { return viewOps[reflect.TypeOf(op)] }
