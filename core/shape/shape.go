// Package shape tracks symbolic shapes: the shape of any expression as
// int64 scalar expressions of its inputs' shapes, built from each op's
// ShapeRule, so that x.shape never computes x.
//
//	tr := shape.NewTracker(b)
//	dims, err := tr.Of(exp(dot(x, x.T)))  // [x.shape[0], x.shape[0]]: no dot, no exp
package shape

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// Tracker computes and remembers the symbolic shapes of variables. It is
// not safe for concurrent use.
type Tracker struct {
	b     *graph.Builder
	l     *ops.Lengths
	memo  map[*graph.Variable][]*graph.Variable
	roots map[*graph.Variable]*graph.Variable // root -> its shape vector
}

// NewTracker returns a Tracker building shape expressions into b.
func NewTracker(b *graph.Builder) *Tracker {
	return &Tracker{b: b, l: ops.NewLengths(b), memo: map[*graph.Variable][]*graph.Variable{}, roots: map[*graph.Variable]*graph.Variable{}}
}

// Of returns v's shape: one int64 scalar variable per dimension, a
// constant where v's type knows the length. A root's unknown lengths are
// read from the root (shape(x)[d]); a computed variable's come from its
// op's ShapeRule. It fails when an op on the way has no ShapeRule.
func (t *Tracker) Of(v *graph.Variable) ([]*graph.Variable, error) {
	if dims, ok := t.memo[v]; ok {
		return dims, nil
	}
	var dims []*graph.Variable
	if v.Owner == nil {
		dims = make([]*graph.Variable, v.Type.Ndim())
		for d, n := range v.Type.Shape {
			if n != graph.Unknown {
				dims[d] = t.l.Const(n)
				continue
			}
			dim, err := t.rootDim(v, d)
			if err != nil {
				return nil, err
			}
			dims[d] = dim
		}
	} else {
		node := v.Owner
		rule, ok := node.Op.(graph.ShapeRule)
		if !ok {
			return nil, graph.TypeErrorf("%s has no shape rule", graph.OpString(node.Op))
		}
		in := make([][]*graph.Variable, len(node.Inputs))
		for i, x := range node.Inputs {
			s, err := t.Of(x)
			if err != nil {
				return nil, err
			}
			in[i] = s
		}
		outs, err := rule.OutputShapes(t.b, node, in)
		if err != nil {
			return nil, err
		}
		for i, o := range node.Outputs {
			if len(outs[i]) != o.Type.Ndim() {
				return nil, graph.ValueErrorf("internal error: %s's shape rule gave %d lengths for output %d of rank %d", graph.OpString(node.Op), len(outs[i]), i, o.Type.Ndim())
			}
			t.memo[o] = t.l.Static(o.Type, outs[i])
		}
		dims = t.memo[v]
	}
	if err := t.l.Err(); err != nil {
		return nil, err
	}
	t.memo[v] = dims
	return dims, nil
}

// rootDim is shape(root)[d], sharing one shape node per root.
func (t *Tracker) rootDim(root *graph.Variable, d int) (*graph.Variable, error) {
	vec, ok := t.roots[root]
	if !ok {
		var err error
		if vec, err = ops.Shape(t.b, root); err != nil {
			return nil, err
		}
		t.roots[root] = vec
	}
	return ops.Subtensor(t.b, vec, []ops.IndexItem{ops.IndexAt(d)})
}

// Vector returns v's shape as one int64 vector (what x.shape computes),
// built from its lengths.
func (t *Tracker) Vector(v *graph.Variable) (*graph.Variable, error) {
	dims, err := t.Of(v)
	if err != nil {
		return nil, err
	}
	return ops.MakeVector(t.b, dtype.Int64, dims...)
}

// Assume records dims as v's shape: an op holding an inner graph states
// the shapes of the inner graph's placeholders in terms of its outer
// inputs, so that Of on an inner output gives outer lengths (scan's step
// slice x_t has the lengths of its sequence's rows).
func (t *Tracker) Assume(v *graph.Variable, dims []*graph.Variable) {
	t.memo[v] = dims
}
