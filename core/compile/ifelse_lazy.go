package compile

import (
	"theanogo/core/control"
	"theanogo/core/graph"
)

// lazyIfElse makes every ifelse lazy: each node that only one branch of
// an ifelse needs (not its condition, not the other branch, not any other
// consumer or result) moves into that branch's inner graph, so that only
// the taken branch computes it. Nodes both branches share, or that
// something else reads, stay outside and run whichever branch is taken.
// Nested ifelses inside a branch are made lazy inside its inner graph.
//
//	ifelse(c, x[idx] * 2, y + 1)  ->  ifelse{lazy}(c, x, idx, y)  with Then = p0[p1] * 2, Else = p0 + 1
func lazyIfElse(b *graph.Builder, fg *FunctionGraph) error {
	home := branchHomes(fg.Toposort(), fg.Results)
	return walkGraph(b, fg, nil, func(n *graph.Apply, _ []*graph.Variable, get rewritten) ([]*graph.Variable, error) {
		if !home.top(n) {
			return movedAway, nil // computed inside a branch
		}
		op, ok := n.Op.(control.IfElseOp)
		if !ok || op.Lazy() {
			return nil, nil // kept (rebuilt when its inputs changed)
		}
		lazy, err := makeLazy(b, home, n, op, get)
		if err != nil {
			return nil, err
		}
		return lazy.Outputs, nil
	})
}

// branch names one branch of an ifelse node (then: 1, else: 2); the zero
// value is the function's top level.
type branch struct {
	node *graph.Apply
	side int
}

// homes says where each node is computed: at the top level or in one
// branch of one ifelse (whose own home may be a branch: nesting).
type homes map[*graph.Apply]branch

// top reports whether n is computed at the top level of the graph.
func (h homes) top(n *graph.Apply) bool { return h[n] == branch{} }

// outermost follows n's home up to the branch of a top-level ifelse.
func (h homes) outermost(n *graph.Apply) branch {
	b := h[n]
	for b.node != nil && !h.top(b.node) {
		b = h[b.node]
	}
	return b
}

// branchHomes finds every node's home, consumers first: a node read by
// one branch of an ifelse only (directly, or by nodes whose home is that
// branch) lives there; a node read from two places, by a result or by an
// ifelse's condition at the top level, lives at the top.
func branchHomes(nodes []*graph.Apply, results []*graph.Variable) homes {
	h := homes{}
	uses := map[*graph.Apply][]branch{}
	for _, r := range results {
		if r.Owner != nil {
			uses[r.Owner] = append(uses[r.Owner], branch{})
		}
	}
	for i := len(nodes) - 1; i >= 0; i-- {
		n := nodes[i]
		home := branch{}
		if us := uses[n]; len(us) > 0 {
			home = us[0]
			for _, u := range us[1:] {
				if u != home {
					home = branch{}
					break
				}
			}
		}
		h[n] = home
		op, isIf := n.Op.(control.IfElseOp)
		for k, in := range n.Inputs {
			if in.Owner == nil {
				continue
			}
			use := home // an input of n is needed where n is
			if isIf && !op.Lazy() && k > 0 {
				use = branch{n, 1}
				if k > op.N {
					use = branch{n, 2}
				}
			}
			uses[in.Owner] = append(uses[in.Owner], use)
		}
	}
	return h
}

// makeLazy builds the lazy form of top-level ifelse node n: each branch's
// values with the nodes living in that branch become an inner graph over
// placeholders for the values it reads from outside (get maps them to
// their rewritten variables).
func makeLazy(b *graph.Builder, h homes, n *graph.Apply, op control.IfElseOp, get rewritten) (*graph.Apply, error) {
	ins := []*graph.Variable{get(n.Inputs[0])}
	var gs [2]*control.Graph
	for side := 1; side <= 2; side++ {
		values := n.Inputs[1+(side-1)*op.N : 1+side*op.N]
		inner := func(v *graph.Variable) bool { return v.Owner != nil && h.outermost(v.Owner) == branch{n, side} }
		var free []*graph.Variable
		subst := map[*graph.Variable]*graph.Variable{}
		seen := map[*graph.Variable]bool{}
		var visit func(v *graph.Variable)
		visit = func(v *graph.Variable) {
			if seen[v] || v.IsConstant() {
				return
			}
			seen[v] = true
			if !inner(v) {
				free = append(free, v)
				subst[v] = b.Input(v.Type, v.Name)
				return
			}
			for _, in := range v.Owner.Inputs {
				visit(in)
			}
		}
		for _, v := range values {
			visit(v)
		}
		outs, err := b.Replace(values, subst)
		if err != nil {
			return nil, err
		}
		placeholders := make([]*graph.Variable, len(free))
		for i, v := range free {
			placeholders[i] = subst[v]
			ins = append(ins, get(v))
		}
		// nested ifelses of this branch become lazy inside it
		sub := &FunctionGraph{Inputs: placeholders, Results: outs, NumOutputs: len(outs), Builder: b}
		if err := lazyIfElse(b, sub); err != nil {
			return nil, err
		}
		g, err := control.NewGraph(placeholders, sub.Results)
		if err != nil {
			return nil, err
		}
		gs[side-1] = g
	}
	nn, err := b.Apply(control.IfElseOp{N: op.N, Then: gs[0], Else: gs[1]}, ins...)
	if err != nil {
		return nil, err
	}
	nn.Source = n.Source
	return nn, nil
}
