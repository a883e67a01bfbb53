package optable

import (
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// reduction is the typed constructor of a reduction.
type reduction func(b *graph.Builder, x *graph.Variable, axes []int, keepdims bool) (*graph.Variable, error)

// reduceConstructors are the reductions' rows (argmax and argmin register
// themselves in core/ops/argmax.go); each reads
// {"axis": null | int | [ints], "keepdims": bool}.
var reduceConstructors = map[string]Constructor{
	"sum":  buildReduce("sum", ops.Sum),
	"prod": buildReduce("prod", ops.Prod),
	"max":  buildReduce("max", ops.Max),
	"min":  buildReduce("min", ops.Min),
	"mean": buildReduce("mean", ops.Mean),
}

func buildReduce(name string, reduce reduction) Constructor {
	return func(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
		if err := ops.CheckArity(name, inputs, 1); err != nil {
			return nil, err
		}
		axes, err := ops.AxesParam(name, p, "axis")
		if err != nil {
			return nil, err
		}
		keep, err := p.Bool("keepdims", false)
		if err != nil {
			return nil, graph.TypeErrorf("%s: %v", name, err)
		}
		return reduce(b, inputs[0], axes, keep)
	}
}
