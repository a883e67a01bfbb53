package ops

import (
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// indexConstructors is the index family's table in the Build registry.
var indexConstructors = map[string]Constructor{
	"subtensor":     buildSubtensor,           // subtensor.go
	"inc_subtensor": buildIncSubtensor(false), // inc_subtensor.go
	"set_subtensor": buildIncSubtensor(true),  // inc_subtensor.go
	"arange":        buildArange,              // arange.go

	"advanced_subtensor":     buildAdvancedSubtensor,           // advanced_subtensor.go
	"advanced_inc_subtensor": buildAdvancedIncSubtensor(false), // advanced_inc_subtensor.go
	"advanced_set_subtensor": buildAdvancedIncSubtensor(true),  // advanced_inc_subtensor.go
}

// Subtensor is numpy's basic indexing: integers and slices, with negative
// indices counting from the end and slices clamped to the bounds. Inputs
// are x and then one integer scalar per symbolic ("input") entry of Items,
// in order. Fewer items than dimensions leave the rest whole.
//
//	subtensor{1:, 0}(matrix (4, 3)) -> vector (3,)      (x[1:, 0])
type Subtensor struct {
	Items []IndexItem
}

func (op *Subtensor) Name() string   { return "subtensor" }
func (op *Subtensor) Params() string { return itemsString(op.Items) }

// OutputTypes checks the index inputs and computes the static shape where
// the items' constants and x's lengths allow.
func (op *Subtensor) OutputTypes(in []graph.Type) ([]graph.Type, error) {
	if len(in) == 0 {
		return nil, graph.TypeErrorf("subtensor takes at least 1 input, got 0")
	}
	if err := checkIndexTypes("subtensor", op.Items, in[0], in[1:]); err != nil {
		return nil, err
	}
	shape, err := staticIndexShape("subtensor", op.Items, in[0].Shape)
	if err != nil {
		return nil, graph.Annotate(err, " (x is %v)", in[0])
	}
	return []graph.Type{graph.NewType(in[0].DType, shape...)}, nil
}

// InferShape needs the values of the symbolic entries of slices; it reads
// them from constant inputs and fails for the others.
func (op *Subtensor) InferShape(node *graph.Apply, shapes [][]int) ([][]int, error) {
	spans, known, err := resolveSpans("subtensor", op.Items, shapes[0], constantValues(node.Inputs[1:]))
	if err != nil {
		return nil, err
	}
	out := []int{}
	for d, s := range spans {
		if d < len(op.Items) && !op.Items[d].Slice {
			continue
		}
		if !known[d] {
			return nil, graph.ValueErrorf("subtensor{%s}: the output shape depends on index inputs that are not constants", op.Params())
		}
		out = append(out, s.length)
	}
	return [][]int{out}, nil
}

// Evaluate gathers the selected elements into a new array.
func (op *Subtensor) Evaluate(_ *graph.Apply, in []*tensor.Array) ([]*tensor.Array, error) {
	x := in[0]
	spans, _, err := resolveSpans("subtensor", op.Items, x.Shape, indexValues(in[1:]))
	if err != nil {
		return nil, err
	}
	index, shape := spanIndex(x.Shape, spans)
	return []*tensor.Array{Gather(x, shape, index)}, nil
}

// Pullback puts the gradient into zeros shaped like x, at the selected
// positions: inc_subtensor(zeros_like(x), gz).
func (op *Subtensor) Pullback(b *graph.Builder, node *graph.Apply, gouts []*graph.Variable) ([]*graph.Variable, error) {
	return selectionPullback(b, node, gouts[0], &IncSubtensor{Items: op.Items})
}

// buildSubtensor reads {"items": [...]}; inputs are x and the index scalars.
func buildSubtensor(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if len(inputs) == 0 {
		return nil, graph.TypeErrorf("subtensor takes at least 1 input, got 0")
	}
	rest, pattern := splitNewAxes(p, inputs[0].Type.Ndim())
	items, err := parseItems("subtensor", rest)
	if err != nil {
		return nil, err
	}
	out, err := b.Apply1(&Subtensor{Items: items}, inputs...)
	if err != nil || pattern == nil {
		return out, err
	}
	return b.Apply1(&DimShuffle{Pattern: pattern}, out)
}

// splitNewAxes takes the {"newaxis": true} items (numpy's None) out of the
// index and returns the other items, plus the DimShuffle pattern that
// inserts the new axes into the subtensor's result (nil when there are none):
//
//	x[None, 1:, 0, None] = dimshuffle{x,0,x}(x[1:, 0])
func splitNewAxes(p Params, ndim int) (Params, []int) {
	raw, _ := p["items"].([]any)
	var kept []any
	var pattern []int
	next, consumed, found := 0, 0, false
	for _, r := range raw {
		m, _ := r.(map[string]any)
		if _, ok := m["newaxis"]; ok && len(m) == 1 {
			pattern = append(pattern, Broadcast)
			found = true
			continue
		}
		kept = append(kept, r)
		consumed++
		if _, ok := m["slice"]; ok {
			pattern = append(pattern, next)
			next++
		}
	}
	if !found {
		return p, nil
	}
	for d := consumed; d < ndim; d++ { // dimensions the index leaves whole
		pattern = append(pattern, next)
		next++
	}
	rest := Params{}
	for k, v := range p {
		rest[k] = v
	}
	rest["items"] = kept
	return rest, pattern
}
