// Package rewrite is the graph optimizer's engine: local rewrite rules,
// each a Go value (a name, tags, the ops it looks at and a function that
// builds the replacement), applied to a graph to a fixed point.
//
//	// log(1+x) -> log1p(x)
//	{Name: "log1p", Tags: []string{"stabilize"}, Roots: []string{"log"}, Rewrite: ...}
//
// The function layer (core/compile) runs the rules of a pass (those with
// the pass's tag) with Apply.
package rewrite

import (
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// Rule is one local rewrite: for a node whose op key (OpKey) is one of
// Roots, Rewrite returns the replacement of each of the node's outputs,
// or nil when the rule does not apply. A replacement must have the type of
// the output it replaces (the engine checks) and compute the same values
// up to float tolerance (DebugMode checks).
type Rule struct {
	// Name identifies the rule in hit counts, optimizer_verbose and the
	// optimizer_including/excluding flags: "log1p".
	Name string
	// Tags say which passes run the rule ("canonicalize", "stabilize",
	// "specialize") and let users include or exclude groups of rules.
	Tags []string
	// Roots are the op keys of the nodes the rule looks at.
	Roots []string
	// Rewrite builds the replacement with b; it must not modify n.
	Rewrite func(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error)
	// RewriteUses, set instead of Rewrite, is a rule that also asks how
	// many nodes read a variable (it folds a node into its only reader,
	// and must not compute it twice when others read it too).
	RewriteUses func(b *graph.Builder, n *graph.Apply, uses Uses) ([]*graph.Variable, error)
}

// Uses counts the readers of a variable in the graph being rewritten: the
// nodes that take it as an input (once per input slot) and the outputs it
// is. It is 0 for a variable that a rule built in the current sweep and
// that replaces nothing, so a rule asking for exactly one reader never
// fires on a count it does not know.
type Uses func(v *graph.Variable) int

// OpKey names an op for indexing rules: the scalar row of an elementwise op
// ("log", "add") and the Go type name of any other ("DotOp", "SoftmaxOp").
func OpKey(op graph.Op) string {
	if e, ok := op.(ops.Elemwise); ok {
		return e.Scalar.Name
	}
	return typeName(op)
}

// HasTag reports whether r carries tag.
func (r *Rule) HasTag(tag string) bool {
	for _, t := range r.Tags {
		if t == tag {
			return true
		}
	}
	return false
}
