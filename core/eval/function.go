package eval

import (
	"fmt"
	"sync"

	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// FunctionSpec is what theanogo.function receives: explicit inputs, the
// outputs, updates of shared variables and substitutions (givens).
type FunctionSpec struct {
	Inputs  []*graph.Variable
	Outputs []*graph.Variable
	// Updates pairs a shared variable with the expression of its new value.
	Updates [][2]*graph.Variable
	// Givens pairs a variable with the one that replaces it in every output and update.
	Givens [][2]*graph.Variable
	// OnUnusedInput is "raise" (the default), "warn" or "ignore".
	OnUnusedInput string
}

// Function is a callable graph: it checks its arguments, evaluates outputs
// and updates together from the current shared values, and then commits the
// updates. A call that fails leaves every shared variable unchanged.
type Function struct {
	inputs   []*graph.Variable
	outputs  []*graph.Variable
	targets  []*graph.Variable // shared variables updated by each call
	program  *Program          // computes outputs, then the new value of each target
	Warnings []string
	mu       sync.Mutex
}

// NewFunction validates spec and prepares the function.
func NewFunction(b *graph.Builder, spec FunctionSpec) (*Function, error) {
	seen := map[*graph.Variable]bool{}
	for i, in := range spec.Inputs {
		switch {
		case in.IsShared():
			return nil, graph.TypeErrorf("input %d (%v): a shared variable cannot be an explicit input; use givens or updates", i, in)
		case !in.IsInput():
			return nil, graph.TypeErrorf("input %d (%v) is not a free input variable: it is computed or constant", i, in)
		case seen[in]:
			return nil, graph.ValueErrorf("input %d (%v) is given twice", i, in)
		}
		seen[in] = true
	}
	f := &Function{inputs: spec.Inputs}
	exprs := append([]*graph.Variable{}, spec.Outputs...)
	updated := map[*graph.Variable]bool{}
	for _, u := range spec.Updates {
		target, value := u[0], u[1]
		if !target.IsShared() {
			return nil, graph.TypeErrorf("update target %v is not a shared variable", target)
		}
		if updated[target] {
			return nil, graph.ValueErrorf("shared variable %v is updated twice", target)
		}
		updated[target] = true
		if value.Type.DType != target.Type.DType || value.Type.Ndim() != target.Type.Ndim() {
			return nil, graph.TypeErrorf("update for %v must have its type %v, but the expression has type %v (cast it)", target, target.Type, value.Type)
		}
		f.targets = append(f.targets, target)
		exprs = append(exprs, value)
	}
	if len(spec.Givens) > 0 {
		subst := map[*graph.Variable]*graph.Variable{}
		for _, g := range spec.Givens {
			subst[g[0]] = g[1]
		}
		var err error
		if exprs, err = b.Replace(exprs, subst); err != nil {
			return nil, err
		}
	}
	f.outputs = exprs[:len(spec.Outputs)]
	if err := f.checkInputs(exprs, spec.OnUnusedInput); err != nil {
		return nil, err
	}
	f.program = NewProgram(exprs)
	return f, nil
}

// checkInputs reports free inputs the graph needs but was not given, and
// given inputs it does not use.
func (f *Function) checkInputs(exprs []*graph.Variable, onUnused string) error {
	given := map[*graph.Variable]bool{}
	for _, in := range f.inputs {
		given[in] = true
	}
	used := map[*graph.Variable]bool{}
	for _, r := range graph.Roots(exprs) {
		used[r] = true
		if r.IsInput() && !given[r] {
			return graph.Errorf(graph.KindMissingInput,
				"input %v of type %v is needed to compute the outputs but was not provided as an input of the function", r, r.Type)
		}
	}
	for i, in := range f.inputs {
		if used[in] {
			continue
		}
		msg := fmt.Sprintf("input %d (%v) is not used in the graph of the outputs; pass on_unused_input='ignore' to allow it", i, in)
		switch onUnused {
		case "ignore":
		case "warn":
			f.Warnings = append(f.Warnings, msg)
		default:
			return graph.ValueErrorf("%s", msg)
		}
	}
	return nil
}

// Inputs returns the function's explicit input variables.
func (f *Function) Inputs() []*graph.Variable { return f.inputs }

// Outputs returns the output variables after givens were applied.
func (f *Function) Outputs() []*graph.Variable { return f.outputs }

// Program exposes the evaluated graph (outputs then update values).
func (f *Function) Program() *Program { return f.program }

// InputTypes returns the type of each explicit input.
func (f *Function) InputTypes() []graph.Type {
	ts := make([]graph.Type, len(f.inputs))
	for i, in := range f.inputs {
		ts[i] = in.Type
	}
	return ts
}

// Call checks the arguments against the input types, evaluates, and commits
// the updates. On any error no shared variable changes.
func (f *Function) Call(args []*tensor.Array) ([]*tensor.Array, error) {
	if len(args) != len(f.inputs) {
		return nil, graph.TypeErrorf("function takes %d arguments, got %d", len(f.inputs), len(args))
	}
	values := make(map[*graph.Variable]*tensor.Array, len(args))
	for i, a := range args {
		in := f.inputs[i]
		t := in.Type
		switch {
		case a.DType != t.DType:
			return nil, graph.TypeErrorf("argument %d (%v): expected dtype %v for %v, got %v", i, in, t.DType, t, a.DType)
		case a.Ndim() != t.Ndim():
			return nil, graph.TypeErrorf("argument %d (%v): expected %d dimensions for %v, got an array of shape %v", i, in, t.Ndim(), t, a.Shape)
		case !t.AcceptsShape(a.Shape):
			return nil, graph.ValueErrorf("argument %d (%v): shape %v does not match the static shape of %v", i, in, a.Shape, t)
		}
		values[in] = a
	}
	f.mu.Lock() // one call at a time: updates read and write shared state
	defer f.mu.Unlock()
	results, err := f.program.Run(values)
	if err != nil {
		return nil, err
	}
	outs, news := results[:len(f.outputs)], results[len(f.outputs):]
	for i, target := range f.targets {
		if !target.Type.AcceptsShape(news[i].Shape) {
			return nil, graph.ValueErrorf("update of %v: new value of shape %v does not fit %v", target, news[i].Shape, target.Type)
		}
	}
	for i, target := range f.targets {
		target.Shared.Set(news[i])
	}
	return outs, nil
}
