package compile

import "theanogo/core/graph"

// nodeRewrite looks at one node whose inputs have already been rewritten
// (ins) and returns replacements for its outputs, or nil to keep the node
// (rebuilt on ins when they changed).
type nodeRewrite func(n *graph.Apply, ins []*graph.Variable) ([]*graph.Variable, error)

// rewritten maps a variable of the graph as it was before a walk to the
// variable that stands for it now (itself when nothing changed it); a walk
// has mapped every variable computed before the node it is visiting.
type rewritten func(v *graph.Variable) *graph.Variable

// nodeWalk is a nodeRewrite that also reads the rewritten form of
// variables other than the node's inputs (get): ifelse_lazy's branches
// read values computed outside them. Returning movedAway drops the node
// from the walk: it is neither kept nor rebuilt, because its outputs are
// computed elsewhere (inside the inner graph of a node visited later).
type nodeWalk func(n *graph.Apply, ins []*graph.Variable, get rewritten) ([]*graph.Variable, error)

// movedAway is what a nodeWalk returns for a node whose computation moved
// into another node's inner graph.
var movedAway = []*graph.Variable{}

// rewriteGraph walks fg's nodes in dependency order, applies visit to each,
// and replaces fg.Results with the rewritten variables. Nodes are never
// modified: a node whose inputs changed is built anew.
func rewriteGraph(b *graph.Builder, fg *FunctionGraph, roots func(v *graph.Variable) *graph.Variable, visit nodeRewrite) error {
	return walkGraph(b, fg, roots, func(n *graph.Apply, ins []*graph.Variable, _ rewritten) ([]*graph.Variable, error) {
		return visit(n, ins)
	})
}

// walkGraph is rewriteGraph's walk: roots (when set) maps the graph's
// leaves, and visit sees each node with its rewritten inputs.
func walkGraph(b *graph.Builder, fg *FunctionGraph, roots func(v *graph.Variable) *graph.Variable, visit nodeWalk) error {
	repl := map[*graph.Variable]*graph.Variable{}
	get := func(v *graph.Variable) *graph.Variable {
		if r, ok := repl[v]; ok {
			return r
		}
		if v.Owner == nil && roots != nil {
			r := roots(v)
			repl[v] = r
			return r
		}
		return v
	}
	for _, n := range fg.Toposort() {
		ins := make([]*graph.Variable, len(n.Inputs))
		changed := false
		for i, in := range n.Inputs {
			ins[i] = get(in)
			changed = changed || ins[i] != in
		}
		outs, err := visit(n, ins, get)
		if err != nil {
			return err
		}
		if outs != nil && len(outs) == 0 { // movedAway
			continue
		}
		if fg.onRewrite != nil && outs != nil && !appliesTo(outs, n.Op, ins) {
			fg.onRewrite(n, outs)
		}
		if outs == nil && changed {
			nn, err := rebuild(b, n, ins)
			if err != nil {
				return err
			}
			outs = nn.Outputs
		}
		for i, o := range outs {
			repl[n.Outputs[i]] = o
		}
	}
	for i, r := range fg.Results {
		fg.Results[i] = get(r)
	}
	return nil
}

// rebuild applies n's op to new inputs of the same types. The op derives
// its static output shape from the new inputs (a reshape whose shape vector
// became a constant learns its target).
func rebuild(b *graph.Builder, n *graph.Apply, ins []*graph.Variable) (*graph.Apply, error) {
	return b.Apply(n.Op, ins...)
}

// appliesTo reports whether outs are the outputs of a node applying op to
// ins: a rebuilt or merged node, not a rewrite worth recording.
func appliesTo(outs []*graph.Variable, op graph.Op, ins []*graph.Variable) bool {
	n := outs[0].Owner
	if n == nil || n.Op != op || len(n.Inputs) != len(ins) {
		return false
	}
	for i, in := range ins {
		if n.Inputs[i] != in {
			return false
		}
	}
	return true
}
