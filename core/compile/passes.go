package compile

import (
	"fmt"
	"slices"

	"theanogo/core/graph"
)

// Pass rewrites a function graph in place (replacing its Results).
type Pass struct {
	Name string
	Run  func(b *graph.Builder, fg *FunctionGraph) error
}

// passes is the pass table, in the order passes run. A mode selects a
// subset by name; the order is always this one.
var passes = []Pass{
	{"merge", merge},                    // equal subexpressions computed once
	{"shape_of", shapeOf},               // x.shape from the shapes of x's inputs, never computing x
	{"constant_folding", foldConstants}, // nodes of constants computed at compile time
	{"merge_folded", merge},             // constants folded to equal values become one
}

// Mode is what a function is compiled with: the passes it runs and the
// backend that prepares the code.
type Mode struct {
	Name    string
	Passes  []string
	Backend Backend
}

// modes are the presets of theano's `mode=` argument.
var modes = map[string]Mode{
	"FAST_RUN":     {Name: "FAST_RUN", Passes: []string{"merge", "shape_of", "constant_folding", "merge_folded"}, Backend: EvaluatorBackend{}},
	"FAST_COMPILE": {Name: "FAST_COMPILE", Passes: []string{"merge", "shape_of"}, Backend: EvaluatorBackend{}},
}

// LookupMode returns the mode called name ("" is FAST_RUN).
func LookupMode(name string) (Mode, error) {
	if name == "" {
		name = "FAST_RUN"
	}
	m, ok := modes[name]
	if !ok {
		return Mode{}, graph.ValueErrorf("unknown mode %q (known: FAST_RUN, FAST_COMPILE)", name)
	}
	return m, nil
}

// optimize runs the mode's passes over fg in the table's order.
func optimize(b *graph.Builder, fg *FunctionGraph, m Mode) error {
	for _, p := range passes {
		if !slices.Contains(m.Passes, p.Name) {
			continue
		}
		if err := p.Run(b, fg); err != nil {
			return fmt.Errorf("pass %s: %w", p.Name, err)
		}
	}
	return nil
}
