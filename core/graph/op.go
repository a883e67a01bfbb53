package graph

import "theanogo/core/tensor"

// Op is an operation in the graph. The required part is small: a name and
// the type rule. Everything else is an optional capability, discovered by
// type assertion (ShapeRule, Differentiable, Evaluator, ParamPrinter).
//
// An op is a comparable Go value whose fields are its parameters, and op
// identity is Go interface equality: two ops are the same op iff op1 == op2
// (same Go type, equal fields). Slices are therefore not allowed in an op;
// lists are held in comparable encodings (AxisSet, IntList), and a table
// row is held by pointer (pointer equality is row identity). Facts derived
// from the inputs (a reshape's static target) are never stored in an op:
// OutputTypes derives them each time it sees the inputs.
//
//	ops.Reduce{Kind: sum, Axes: NewAxisSet(0)} == ops.Reduce{Kind: sum, Axes: NewAxisSet(0)}
type Op interface {
	// Name is the op's name as users see it in printed graphs: "add", "dot".
	Name() string
	// OutputTypes checks the inputs and returns the output types, or a
	// TypeError/ValueError naming the op and the types. It sees the input
	// variables, so an op can read the value of a constant input (a
	// reshape's shape vector) to know its output's static shape.
	OutputTypes(inputs []*Variable) ([]Type, error)
}

// ParamPrinter ops print their parameters for OpString, canonically
// ("axis=[0] keepdims=false"). Ops without parameters need not implement it.
type ParamPrinter interface {
	ParamString() string
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

// OpString prints an op with its parameters: "sum{axis=[0] keepdims=false}",
// or just its name when it has none: "dot".
func OpString(op Op) string {
	if pp, ok := op.(ParamPrinter); ok {
		if p := pp.ParamString(); p != "" {
			return op.Name() + "{" + p + "}"
		}
	}
	return op.Name()
}

// TypesOf lists the variables' types, for type rules that only need them.
func TypesOf(vs []*Variable) []Type {
	out := make([]Type, len(vs))
	for i, v := range vs {
		out[i] = v.Type
	}
	return out
}
