// Package control holds the ops whose nodes hold inner function graphs:
// ifelse's two branches (ifelse.go) and scan's step (scan*.go). An inner
// graph is a closed sub-program: its roots are its own placeholder inputs
// and constants, and the node holding it binds each placeholder to an
// outer variable through its inputs, as MLIR's region arguments or a JAX
// cond's branch jaxprs do.
//
//	then := control.NewGraph([]*graph.Variable{p}, []*graph.Variable{exp(p)})
//	ifelse{then, else}(cond, x, y)   // p is bound to x when the then branch runs
//
// The compile pipeline optimizes every inner graph with the outer graph's
// passes (core/compile's inner_graphs pass, through RegionOp), the Go
// evaluator runs one with Graph.Run, and the C++ backend compiles each into
// a region function of the kernel (codegen/cxx/region.go).
package control

import (
	"fmt"
	"sync"

	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// Graph is an inner function graph: outputs computed from placeholder
// inputs (free variables made by Builder.Input) and constants only. It is
// immutable and held by pointer in ops (ops compare with ==, so two
// nodes share an inner graph only when they hold the same *Graph). A
// rewrite of an inner graph makes a new Graph.
type Graph struct {
	Inputs  []*graph.Variable
	Outputs []*graph.Variable

	once sync.Once // prog is built on the first Run
	prog *eval.Program
	err  error
}

// NewGraph checks that outputs depend on nothing but inputs and constants
// (no shared variable, no outer variable) and returns the inner graph.
func NewGraph(inputs, outputs []*graph.Variable) (*Graph, error) {
	isIn := map[*graph.Variable]bool{}
	for i, in := range inputs {
		if !in.IsInput() {
			return nil, fmt.Errorf("inner graph: input %d (%v) is not a placeholder", i, in)
		}
		if isIn[in] {
			return nil, fmt.Errorf("inner graph: input %d (%v) is listed twice", i, in)
		}
		isIn[in] = true
	}
	for _, r := range graph.Roots(outputs) {
		if !isIn[r] && !r.IsConstant() {
			return nil, fmt.Errorf("inner graph: %v of type %v is neither an input of the graph nor a constant", r, r.Type)
		}
	}
	return &Graph{Inputs: inputs, Outputs: outputs}, nil
}

// Identity returns the graph whose outputs are its inputs: fresh
// placeholders of the given types.
func Identity(b *graph.Builder, types []graph.Type) *Graph {
	ins := make([]*graph.Variable, len(types))
	for i, t := range types {
		ins[i] = b.Input(t, fmt.Sprintf("arg%d", i))
	}
	return &Graph{Inputs: ins, Outputs: append([]*graph.Variable{}, ins...)}
}

// Run evaluates the graph's outputs from one value per input with the Go
// evaluator (the program is prepared once, on the first run).
func (g *Graph) Run(args []*tensor.Array) ([]*tensor.Array, error) {
	g.once.Do(func() { g.prog, g.err = eval.NewProgram(g.Inputs, g.Outputs) })
	if g.err != nil {
		return nil, g.err
	}
	return g.prog.Run(args)
}

// String prints the graph as debugprint does, for messages and tests.
func (g *Graph) String() string { return graph.Debugprint(g.Outputs) }

// RegionOp is an op whose nodes hold inner graphs. The compile pipeline
// optimizes each inner graph with the outer graph's passes and puts the
// results back with WithInnerGraphs (the node is then rebuilt on the same
// inputs): ifelse's branches, scan's step.
type RegionOp interface {
	graph.Op
	// InnerGraphs lists the op's inner graphs (nil entries are allowed:
	// an ifelse before the lazy pass holds none).
	InnerGraphs() []*Graph
	// WithInnerGraphs returns the same op holding gs instead (gs[i]
	// replaces InnerGraphs()[i], with the same inputs and output types).
	WithInnerGraphs(gs []*Graph) graph.Op
}
