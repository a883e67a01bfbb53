package compile

import (
	"strings"

	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Function is a compiled function: its optimized graph and the backend's
// callable. It holds no values: the caller passes the shared variables'
// current values with each call and commits the update values it gets back,
// so Go never keeps state between calls.
type Function struct {
	Graph    *FunctionGraph
	Mode     Mode
	Warnings []string
	// RewriteHits counts the rewrites applied while compiling, by rule.
	RewriteHits map[string]int
	// OptimizerLog has one line per rewrite applied, when the spec asked
	// for it (optimizer_verbose).
	OptimizerLog string
	// InPlace says, per update, whether the new value may be written into
	// the storage of the old one (decided on the final graph; the caller
	// takes the offer only when nothing else holds the old value).
	InPlace  []bool
	callable Callable
	shapes   *shapeProgram // nil when an op has no shape rule
}

// Compile builds spec's function graph, runs its mode's passes and prepares
// it with the mode's backend.
func Compile(b *graph.Builder, spec FunctionSpec) (*Function, error) {
	mode, err := LookupMode(spec)
	if err != nil {
		return nil, err
	}
	fg, warnings, err := newFunctionGraph(b, spec)
	if err != nil {
		return nil, err
	}
	pc := &passContext{b: b, mode: mode, hits: map[string]int{}, warn: func(msg string) { warnings = append(warnings, msg) }}
	if spec.Verbose {
		pc.verbose = &strings.Builder{}
	}
	if mode.Debug {
		pc.debug = newDebugLog(fg)
	}
	if err := optimize(pc, fg); err != nil {
		return nil, err
	}
	fg.findShared()
	if pc.debug != nil {
		pc.debug.keepShared(fg)
	}
	c, err := mode.Backend.Prepare(fg)
	if err != nil {
		return nil, err
	}
	inPlace := inPlaceUpdates(fg)
	if l, ok := c.(InPlaceLimiter); ok {
		l.LimitInPlace(inPlace)
	}
	if pc.debug != nil {
		if c, err = pc.debug.checker(fg, mode.Backend.Name(), c); err != nil {
			return nil, err
		}
	}
	f := &Function{Graph: fg, Mode: mode, Warnings: warnings, RewriteHits: pc.hits, callable: c, InPlace: inPlace}
	if pc.verbose != nil {
		f.OptimizerLog = pc.verbose.String()
	}
	if sp, err := newShapeProgram(b, fg); err == nil {
		f.shapes = sp
	}
	return f, nil
}

// ResultShapes computes the shape of every result (outputs, then update
// values) from the arguments without computing the results, so that the
// caller can allocate them first. ok is false when the function has no
// shape program (an op without a shape rule): the caller then allocates
// after Run.
func (f *Function) ResultShapes(args []*tensor.Array) (shapes [][]int, ok bool, err error) {
	if f.shapes == nil {
		return nil, false, nil
	}
	if err := f.checkArgs(args); err != nil {
		return nil, true, err
	}
	shapes, err = f.shapes.run(args, f.Graph.Results)
	return shapes, true, err
}

// Run checks args (the explicit inputs' values, then the shared variables'
// values, in Graph.AllInputs order) against their types and computes the
// results: outputs, then the new value of each update target, checked
// against the target's type. Nothing is committed: that is the caller's.
func (f *Function) Run(args []*tensor.Array) ([]*tensor.Array, error) {
	if err := f.checkArgs(args); err != nil {
		return nil, err
	}
	results, err := f.callable.Run(args)
	if err != nil {
		return nil, err
	}
	for i, target := range f.Graph.UpdateTargets {
		v := results[f.Graph.NumOutputs+i]
		if !target.Type.AcceptsShape(v.Shape) {
			return nil, graph.ValueErrorf("update of %v: new value of shape %v does not fit %v", target, v.Shape, target.Type)
		}
	}
	return results, nil
}

// checkArgs checks the arguments' count, dtypes, ranks and static lengths.
func (f *Function) checkArgs(args []*tensor.Array) error {
	inputs := f.Graph.AllInputs()
	if len(args) != len(inputs) {
		return graph.TypeErrorf("function takes %d arguments (with %d shared values), got %d", len(inputs), len(f.Graph.Shared), len(args))
	}
	for i, a := range args {
		t := inputs[i].Type
		switch {
		case a.DType != t.DType:
			return graph.TypeErrorf("argument %d (%v): expected dtype %v for %v, got %v", i, inputs[i], t.DType, t, a.DType)
		case a.Ndim() != t.Ndim():
			return graph.TypeErrorf("argument %d (%v): expected %d dimensions for %v, got an array of shape %v", i, inputs[i], t.Ndim(), t, a.Shape)
		case !t.AcceptsShape(a.Shape):
			return graph.ValueErrorf("argument %d (%v): shape %v does not match the static shape of %v", i, inputs[i], a.Shape, t)
		}
	}
	return nil
}

// Callable returns the backend's callable (DebugMode's checker around it
// in DebugMode).
func (f *Function) Callable() Callable { return f.callable }

// Close frees what the function's callable holds outside the Go heap (a
// Closer's module and kernel state) now, instead of when the garbage
// collector finds it; the function must not be called afterwards.
func (f *Function) Close() {
	if c, ok := f.callable.(Closer); ok {
		c.Close()
	}
}

// Call runs f with the shared values kept in store and, when the whole call
// succeeded, stores the update values there: the function semantics for Go
// callers and tests (Python keeps shared values in its SharedVariables).
func (f *Function) Call(store map[*graph.Variable]*tensor.Array, args ...*tensor.Array) ([]*tensor.Array, error) {
	all := append([]*tensor.Array{}, args...)
	for _, s := range f.Graph.Shared {
		v, ok := store[s]
		if !ok {
			return nil, graph.ValueErrorf("no value for shared variable %v", s)
		}
		all = append(all, v)
	}
	results, err := f.Run(all)
	if err != nil {
		return nil, err
	}
	for i, target := range f.Graph.UpdateTargets {
		store[target] = results[f.Graph.NumOutputs+i]
	}
	return results[:f.Graph.NumOutputs], nil
}

// inPlaceUpdates decides which updates may write their new value into the
// old value's storage: those computed by a node of the graph (an update to
// an input or a constant only copies). The evaluator computes every result
// before any is stored, so readers of the old value in the graph are never
// affected; what else may hold the old value is the caller's to check.
//
//	updates=[(w, w - lr*g)]  ->  [true]: the SGD step reuses w's buffer
func inPlaceUpdates(fg *FunctionGraph) []bool {
	out := make([]bool, len(fg.UpdateTargets))
	for i, v := range fg.UpdateValues() {
		out[i] = v.Owner != nil
	}
	return out
}
