// Package control holds the ops that hold inner graphs: scan (a loop whose
// body is a function graph run once per step) and, with the ifelse work, the
// lazy conditional. An inner graph is closed: every root it reads is one of
// its own inputs or a constant, so the outer graph's walks (toposort,
// roots, rewrites) never see inside it, and an op holding one is a
// comparable value (it holds the graph by pointer: pointer identity is op
// identity).
package control

import (
	"fmt"

	"theanogo/core/graph"
)

// Inner is a closed graph an op holds: its input placeholders, in the order
// the op binds them, and its outputs.
//
//	x_t := b.Input(graph.NewType(dtype.Float64, -1), "x_t")
//	inner := &Inner{Inputs: []*graph.Variable{x_t}, Outputs: []*graph.Variable{y_t}}
type Inner struct {
	Inputs  []*graph.Variable
	Outputs []*graph.Variable
}

// check verifies that the inner graph is closed: every root its outputs
// read is one of its inputs or a constant.
func (g *Inner) check(op string) error {
	in := map[*graph.Variable]bool{}
	for _, v := range g.Inputs {
		in[v] = true
	}
	for _, r := range graph.Roots(g.Outputs) {
		if !in[r] && !r.IsConstant() {
			return fmt.Errorf("%s: internal error: the inner graph reads %v, which is not one of its inputs", op, r)
		}
	}
	return nil
}
