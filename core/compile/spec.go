// Package compile is the function layer: it turns what theano.function
// receives (a FunctionSpec) into a FunctionGraph, rewrites it with the
// mode's passes, and hands it to a Backend that prepares the code a call
// runs.
//
//	f, err := compile.Compile(b, compile.FunctionSpec{
//		Inputs:  []*graph.Variable{x},
//		Outputs: []*graph.Variable{y},
//		Updates: [][2]*graph.Variable{{w, wNew}},
//	})
//	results, err := f.Run(append(args, sharedValues...)) // outputs, then new w
package compile

import "theanogo/core/graph"

// FunctionSpec is what theanogo.function receives: explicit inputs, the
// outputs, updates of shared variables, substitutions (givens) and the mode.
type FunctionSpec struct {
	Inputs  []*graph.Variable
	Outputs []*graph.Variable
	// Updates pairs a shared variable with the expression of its new value.
	Updates [][2]*graph.Variable
	// Givens pairs a variable with the one that replaces it in every output and update.
	Givens [][2]*graph.Variable
	// OnUnusedInput is "raise" (the default), "warn" or "ignore".
	OnUnusedInput string
	// Mode names the preset: "FAST_RUN" (the default), "FAST_COMPILE",
	// "DebugMode" (debugmode.go) or "NanGuardMode" (nanguard.go).
	Mode string
	// Optimizer overrides the mode's optimizer (Theano's config.optimizer):
	// "fast_run", "fast_compile", "stabilize" or "None"; "" keeps the mode's.
	Optimizer string
	// Including, Excluding and Requiring adjust the rewrites by rule name or
	// tag, as Theano's mode.including(...) and the optimizer_including and
	// optimizer_excluding flags do (see rewrite.Select).
	Including, Excluding, Requiring []string
	// Verbose records each rewrite applied in Function.OptimizerLog
	// (optimizer_verbose).
	Verbose bool
	// Strict makes a failing rewrite rule an error instead of a skipped rule
	// and a warning (DebugMode and the tests).
	Strict bool
	// NanGuard, when set, replaces NanGuardMode's checks (which values are
	// errors).
	NanGuard *NanGuardBackend
	// Backend, when set, replaces the mode's backend (the C++ backend of
	// codegen/cxx, which core cannot import). DebugMode checks it against
	// the evaluator.
	Backend Backend
}
