package compile

import (
	"theanogo/core/eval"
	"theanogo/core/tensor"
)

// Backend prepares the code that runs a function graph: the Go evaluator
// today, generated C++ next.
type Backend interface {
	Name() string
	Prepare(fg *FunctionGraph) (Callable, error)
}

// Callable runs a prepared function graph: args are the values of
// fg.AllInputs() (explicit inputs, then shared variables), and the results
// are fg.Results' values (outputs, then update values). Results may alias
// arguments or constants; the caller copies what it hands out.
type Callable interface {
	Run(args []*tensor.Array) ([]*tensor.Array, error)
}

// Closer is a Callable that holds resources outside the Go heap (a loaded
// module, a kernel state with its workspace): Close frees them, once no
// call may run any more. Function.Close calls it.
type Closer interface {
	Close()
}

// EvaluatorBackend runs function graphs with the Go evaluator.
type EvaluatorBackend struct{}

func (EvaluatorBackend) Name() string { return "evaluator" }

func (EvaluatorBackend) Prepare(fg *FunctionGraph) (Callable, error) {
	return eval.NewProgram(fg.AllInputs(), fg.Results)
}

// InPlaceLimiter is a Callable that cannot honour every in-place update
// that compile offers (Function.InPlace): LimitInPlace turns off, in
// inPlace, the updates whose new value it must not write into the old
// value's storage (its schedule reads the old value after writing the new).
type InPlaceLimiter interface {
	LimitInPlace(inPlace []bool)
}
