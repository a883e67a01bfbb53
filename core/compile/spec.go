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
	// Mode names the pass table and backend: "FAST_RUN" (the default) or
	// "FAST_COMPILE".
	Mode string
}
