package graph

import "theanogo/core/tensor"

// Op is an operation in the graph. The required part is small: a name, the
// parameters that define equality, and the type rule. Everything else is an
// optional capability, discovered by type assertion (ShapeInferer,
// Differentiable, Evaluator).
type Op interface {
	// Name is the op's name as users see it in printed graphs: "add", "dot".
	Name() string
	// Params renders the parameters that distinguish two ops of the same name,
	// canonically ("axis=[0] keepdims=false"), or "" when there are none.
	// Two ops with the same Name and Params are equal.
	Params() string
	// OutputTypes checks the input types and returns the output types, or a
	// TypeError/ValueError naming the op and the types.
	OutputTypes(inputs []Type) ([]Type, error)
}

// ShapeInferer computes output shapes from input shapes without computing
// values. Ops whose output shape depends on an input's value read it from
// node.Inputs[i].Value when that input is a constant, and fail otherwise.
type ShapeInferer interface {
	InferShape(node *Apply, inputShapes [][]int) ([][]int, error)
}

// ShapeRule ops state their output shapes as expressions of their inputs'
// shapes: each length an int64 scalar variable of the graph (a constant when
// it is known when the graph is built). inputShapes[i][d] is the length of
// dimension d of input i. An op may read its inputs themselves too (a
// reshape's shape vector, arange's bounds), but never computes its own
// output: x.shape of any expression is available without computing x.
//
//	dot(x (m, k), y (k, n)) -> [[m, n]]
type ShapeRule interface {
	OutputShapes(b *Builder, node *Apply, inputShapes [][]*Variable) ([][]*Variable, error)
}

// Differentiable ops know their pullback (reverse-mode derivative): given
// the gradients of the cost with respect to the node's outputs (nil for an
// output the cost does not depend on), return the gradients with respect to
// the inputs (nil for an input with no gradient).
type Differentiable interface {
	Pullback(b *Builder, node *Apply, outputGrads []*Variable) ([]*Variable, error)
}

// Evaluator ops compute their outputs in Go: the reference implementation
// every backend is tested against.
type Evaluator interface {
	Evaluate(node *Apply, inputs []*tensor.Array) ([]*tensor.Array, error)
}

// OpString prints an op with its parameters: "sum{axis=[0]}".
func OpString(op Op) string {
	if p := op.Params(); p != "" {
		return op.Name() + "{" + p + "}"
	}
	return op.Name()
}

// Rebuilder ops derive parameters from their inputs when they are built (a
// reshape's static target from a constant shape vector, an arange's length
// from constant bounds). Replace rebuilds them with Rebuild, so that the
// derived parameters follow the new inputs instead of going stale.
type Rebuilder interface {
	Rebuild(b *Builder, inputs []*Variable) (*Apply, error)
}
