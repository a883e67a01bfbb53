// Package optable is the C ABI's table of ops by name: each row decodes an
// op's JSON parameters (as tg_apply receives them) and calls the op's typed
// constructor in core/ops. Op names and JSON live here and nowhere else;
// Go code builds expressions with the typed constructors.
//
//	v, err := optable.Build(b, "sum", optable.Params{"axis": []any{0.0}}, []*graph.Variable{x})
package optable

import (
	"sort"

	"theanogo/core/graph"
	"theanogo/core/ops"
)

// Constructor builds an op's output variable from its inputs and parameters.
// It validates everything and returns a TypeError/ValueError naming the op
// and the input types; it never panics on user input.
type Constructor func(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error)

// registry maps every op name to its Constructor. It is assembled once, in
// init, from the op families' tables, each in its own file; a new op is one
// row in its family's table.
var registry map[string]Constructor

func init() {
	registry = map[string]Constructor{}
	for _, table := range []map[string]Constructor{
		elemwiseConstructors(),   // elemwise.go: one row per scalar op, plus cast
		reduceConstructors,       // reduce.go: sum prod max min mean, and ptp any all var std
		shapeConstructors,        // shape.go: dimshuffle transpose reshape flatten shape make_vector tensor_copy
		indexConstructors,        // index.go: subtensor, inc/set (JSON items)
		nnetConstructors,         // nnet.go: crossentropies, clip, relu, zeros_like, ones_like
		controlConstructors,      // control.go: ifelse
		registeredConstructors(), // registered in core/ops (ops.Register): argmax, dot, softmax, arange, advanced indexing, cumsum ...
	} {
		for name, c := range table {
			if registry[name] != nil {
				panic("ops: two constructors named " + name)
			}
			registry[name] = c
		}
	}
}

// registeredConstructors are the rows of the ops that register themselves
// in core/ops (ops.Register): their Build reads the parameters through
// ops.Params, which Params implements.
func registeredConstructors() map[string]Constructor {
	rows := map[string]Constructor{}
	for _, r := range ops.Registered() {
		build := r.Build
		if build == nil { // built by rewrites and gradients only (gemm)
			continue
		}
		rows[r.Name] = func(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
			return build(b, p, inputs)
		}
	}
	return rows
}

// Build applies the op called name to the inputs: the one entry point the C
// ABI uses to build expressions.
//
//	y, err := optable.Build(b, "sum", optable.Params{"axis": []any{0.0}}, []*graph.Variable{x})
func Build(b *graph.Builder, name string, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if c, ok := registry[name]; ok {
		v, err := c(b, p, inputs)
		if err != nil {
			return nil, err
		}
		if err := checkOutputSizes(name, v); err != nil {
			return nil, err
		}
		return v, nil
	}
	return nil, graph.ValueErrorf("unknown op %q", name)
}

// checkOutputSizes rejects a node whose output types no array can have
// (lengths whose product overflows int64), naming the op and its inputs.
func checkOutputSizes(name string, v *graph.Variable) error {
	outs := []*graph.Variable{v}
	if v.Owner != nil {
		outs = v.Owner.Outputs
	}
	for _, o := range outs {
		if err := o.Type.CheckSize(); err != nil {
			var ins []graph.Type
			if v.Owner != nil {
				for _, in := range v.Owner.Inputs {
					ins = append(ins, in.Type)
				}
			}
			return graph.ValueErrorf("%s: output %v (inputs %s)", name, err, ops.TypesString(ins))
		}
	}
	return nil
}

// Names lists every op Build knows, sorted.
func Names() []string {
	var names []string
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Apply is Build with an ops.Expr's sticky error, for code (tests) that
// builds expressions through the table, as Python does:
//
//	y := optable.Apply(e, "sum", optable.Params{"axis": 0.0}, x)
func Apply(e *ops.Expr, name string, p Params, inputs ...*graph.Variable) *graph.Variable {
	if e.Err != nil {
		return nil
	}
	for _, in := range inputs {
		if in == nil {
			e.Err = graph.ValueErrorf("%s: missing input (internal error)", name)
			return nil
		}
	}
	v, err := Build(e.B, name, p, inputs)
	if err != nil {
		e.Err = err
		return nil
	}
	return v
}
