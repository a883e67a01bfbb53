package compile

import (
	"fmt"

	"theanogo/core/graph"
)

// FunctionGraph is the graph one compiled function runs, as Theano's
// fgraph: the outputs and the new value of every updated shared variable in
// one list of results, over the explicit inputs followed by the shared
// variables the results read. Nodes are immutable; a pass that rewrites the
// graph replaces Results with new variables.
//
//	results:  [y, w - lr*g]        (NumOutputs = 1, UpdateTargets = [w])
//	inputs:   [x]  shared: [w]     (a call passes x's value, then w's)
type FunctionGraph struct {
	Inputs        []*graph.Variable
	Shared        []*graph.Variable
	Results       []*graph.Variable
	NumOutputs    int
	UpdateTargets []*graph.Variable
	// Builder is the builder the graph's variables come from: a backend
	// builds derived graphs (symbolic shapes) with it, so that variable
	// numbers stay unique.
	Builder *graph.Builder
	// onRewrite, when set, is told of each node a pass over the whole
	// graph (rewriteGraph) replaces (DebugMode records them).
	onRewrite func(old *graph.Apply, news []*graph.Variable)
}

// Outputs returns the function's outputs (without the update values).
func (fg *FunctionGraph) Outputs() []*graph.Variable { return fg.Results[:fg.NumOutputs] }

// UpdateValues returns the expression of each update target's new value.
func (fg *FunctionGraph) UpdateValues() []*graph.Variable { return fg.Results[fg.NumOutputs:] }

// AllInputs returns the values a call passes: the explicit inputs, then
// the shared variables.
func (fg *FunctionGraph) AllInputs() []*graph.Variable {
	return append(append([]*graph.Variable{}, fg.Inputs...), fg.Shared...)
}

// Toposort returns the apply nodes in an order where each follows the
// nodes computing its inputs.
func (fg *FunctionGraph) Toposort() []*graph.Apply { return graph.Toposort(fg.Results) }

// String prints the graph: each output, then each update as "target <- value".
func (fg *FunctionGraph) String() string {
	s := graph.Debugprint(fg.Outputs())
	for i, v := range fg.UpdateValues() {
		s += fmt.Sprintf("update %v:\n%s", fg.UpdateTargets[i], graph.Debugprint([]*graph.Variable{v}))
	}
	return s
}

// findShared lists the shared variables the results read, in first-use
// order, then the update targets the results do not read: a call passes
// the current value of each, so that the caller commits updates by index.
func (fg *FunctionGraph) findShared() {
	fg.Shared = fg.Shared[:0]
	seen := map[*graph.Variable]bool{}
	for _, r := range graph.Roots(fg.Results) {
		if r.IsShared() {
			fg.Shared = append(fg.Shared, r)
			seen[r] = true
		}
	}
	for _, t := range fg.UpdateTargets {
		if !seen[t] {
			fg.Shared = append(fg.Shared, t)
			seen[t] = true
		}
	}
}

// SharedIndex returns the position in Shared of each update target.
func (fg *FunctionGraph) SharedIndex() []int {
	index := map[*graph.Variable]int{}
	for i, s := range fg.Shared {
		index[s] = i
	}
	out := make([]int, len(fg.UpdateTargets))
	for i, t := range fg.UpdateTargets {
		out[i] = index[t]
	}
	return out
}

// newFunctionGraph validates spec and builds its function graph: updates
// checked, givens substituted, inputs checked (missing, unused, repeated).
// It returns the warnings that on_unused_input='warn' asks for.
func newFunctionGraph(b *graph.Builder, spec FunctionSpec) (*FunctionGraph, []string, error) {
	seen := map[*graph.Variable]bool{}
	for i, in := range spec.Inputs {
		switch {
		case in.IsShared():
			return nil, nil, graph.TypeErrorf("input %d (%v): a shared variable cannot be an explicit input; use givens or updates", i, in)
		case !in.IsInput():
			return nil, nil, graph.TypeErrorf("input %d (%v) is not a free input variable: it is computed or constant", i, in)
		case seen[in]:
			return nil, nil, graph.ValueErrorf("input %d (%v) is given twice", i, in)
		}
		seen[in] = true
	}
	fg := &FunctionGraph{Inputs: spec.Inputs, NumOutputs: len(spec.Outputs), Builder: b}
	results := append([]*graph.Variable{}, spec.Outputs...)
	updated := map[*graph.Variable]bool{}
	for _, u := range spec.Updates {
		target, value := u[0], u[1]
		if !target.IsShared() {
			return nil, nil, graph.TypeErrorf("update target %v is not a shared variable", target)
		}
		if updated[target] {
			return nil, nil, graph.ValueErrorf("shared variable %v is updated twice", target)
		}
		updated[target] = true
		if value.Type.DType != target.Type.DType || value.Type.Ndim() != target.Type.Ndim() {
			return nil, nil, graph.TypeErrorf("update for %v must have its type %v, but the expression has type %v (cast it)", target, target.Type, value.Type)
		}
		fg.UpdateTargets = append(fg.UpdateTargets, target)
		results = append(results, value)
	}
	if len(spec.Givens) > 0 {
		subst := map[*graph.Variable]*graph.Variable{}
		for _, g := range spec.Givens {
			subst[g[0]] = g[1]
		}
		var err error
		if results, err = b.Replace(results, subst); err != nil {
			return nil, nil, err
		}
	}
	fg.Results = results
	warnings, err := fg.checkInputs(spec.OnUnusedInput)
	if err != nil {
		return nil, nil, err
	}
	fg.findShared()
	return fg, warnings, nil
}

// checkInputs reports free inputs the graph needs but was not given, and
// given inputs it does not use.
func (fg *FunctionGraph) checkInputs(onUnused string) ([]string, error) {
	given := map[*graph.Variable]bool{}
	for _, in := range fg.Inputs {
		given[in] = true
	}
	used := map[*graph.Variable]bool{}
	for _, r := range graph.Roots(fg.Results) {
		used[r] = true
		if r.IsInput() && !given[r] {
			return nil, graph.Errorf(graph.KindMissingInput,
				"input %v of type %v is needed to compute the outputs but was not provided as an input of the function", r, r.Type)
		}
	}
	var warnings []string
	for i, in := range fg.Inputs {
		if used[in] {
			continue
		}
		msg := fmt.Sprintf("input %d (%v) is not used in the graph of the outputs; pass on_unused_input='ignore' to allow it", i, in)
		switch onUnused {
		case "ignore":
		case "warn":
			warnings = append(warnings, msg)
		default:
			return nil, graph.ValueErrorf("%s", msg)
		}
	}
	return warnings, nil
}
