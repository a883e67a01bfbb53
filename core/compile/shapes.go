package compile

import (
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/shape"
	"theanogo/core/tensor"
)

// shapeOf replaces each shape(v) of a computed v by the vector of v's
// symbolic lengths, so that x.shape never computes x:
//
//	shape(exp(dot(x, y)))  ->  make_vector(shape(x)[0], shape(y)[1])
//
// A v whose op has no shape rule keeps its shape node (and is computed).
func shapeOf(b *graph.Builder, fg *FunctionGraph) error {
	tr := shape.NewTracker(b)
	return rewriteGraph(b, fg, nil, func(n *graph.Apply, ins []*graph.Variable) ([]*graph.Variable, error) {
		if _, ok := n.Op.(ops.ShapeOp); !ok || ins[0].Owner == nil {
			return nil, nil
		}
		vec, err := tr.Vector(ins[0])
		if err != nil {
			return nil, nil
		}
		return []*graph.Variable{vec}, nil
	})
}

// shapeProgram computes a function's result shapes from its arguments
// without computing the results: the results' symbolic shapes (one int64
// scalar per dimension), merged and constant-folded, run by the evaluator.
// Callers allocate the results from it before the kernel runs.
type shapeProgram struct {
	ranks []int
	prog  *eval.Program
}

// newShapeProgram builds fg's shape program, or fails when an op of fg
// has no shape rule.
func newShapeProgram(b *graph.Builder, fg *FunctionGraph) (*shapeProgram, error) {
	tr := shape.NewTracker(b)
	sp := &shapeProgram{}
	var dims []*graph.Variable
	for _, r := range fg.Results {
		d, err := tr.Of(r)
		if err != nil {
			return nil, err
		}
		sp.ranks = append(sp.ranks, len(d))
		dims = append(dims, d...)
	}
	sg := &FunctionGraph{Inputs: fg.Inputs, Shared: fg.Shared, Results: dims, NumOutputs: len(dims)}
	for _, pass := range []func(*graph.Builder, *FunctionGraph) error{merge, foldConstants, merge} {
		if err := pass(b, sg); err != nil {
			return nil, err
		}
	}
	prog, err := eval.NewProgram(fg.AllInputs(), sg.Results)
	if err != nil {
		return nil, err
	}
	sp.prog = prog
	return sp, nil
}

// run returns each result's shape for these arguments, refusing shapes
// whose size overflows int64 (a ValueError naming the result, as the op
// itself would raise).
func (sp *shapeProgram) run(args []*tensor.Array, results []*graph.Variable) ([][]int, error) {
	values, err := sp.prog.Run(args)
	if err != nil {
		return nil, err
	}
	shapes := make([][]int, len(sp.ranks))
	k := 0
	for i, rank := range sp.ranks {
		shapes[i] = make([]int, rank)
		for d := range shapes[i] {
			n := values[k].Int64s()[0]
			if n < 0 {
				return nil, graph.ValueErrorf("%v: the result would have a negative length %d in dimension %d", results[i], n, d)
			}
			shapes[i][d] = int(n)
			k++
		}
		if _, ok := tensor.ElementCount(shapes[i]); !ok {
			return nil, graph.ValueErrorf("%v: the result's shape %v has a size that overflows int64", results[i], shapes[i])
		}
	}
	return shapes, nil
}
