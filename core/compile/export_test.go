package compile

import (
	"theanogo/core/graph"
	"theanogo/core/rewrite"
	"theanogo/core/tensor"
)

// SetTestRules makes the rule passes also run rules (each in the passes of
// its tags) until the returned function restores the previous set: tests
// inject a wrong rewrite that DebugMode must catch. Tests using it must not
// run in parallel.
func SetTestRules(rules ...*rewrite.Rule) (restore func()) {
	saved := testRules
	testRules = rules
	return func() { testRules = saved }
}

// CompareValues is DebugMode's comparison: "" when got equals want.
func CompareValues(want, got *tensor.Array) string { return compareValues(want, got) }

// Optimize builds spec's function graph and runs its mode's passes, without
// preparing a backend: what the optimizer benchmarks time.
func Optimize(b *graph.Builder, spec FunctionSpec) (*FunctionGraph, error) {
	mode, err := LookupMode(spec)
	if err != nil {
		return nil, err
	}
	fg, _, err := newFunctionGraph(b, spec)
	if err != nil {
		return nil, err
	}
	pc := &passContext{b: b, mode: mode, hits: map[string]int{}, warn: func(string) {}}
	if err := optimize(pc, fg); err != nil {
		return nil, err
	}
	return fg, nil
}

// CheckGraph exposes checkGraph to the tests.
var CheckGraph = checkGraph

// MaxFusedSize is the cap on a fusion group's nodes.
const MaxFusedSize = maxFusedSize
