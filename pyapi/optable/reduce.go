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
	// compositions of the rows above (core/ops/stats.go)
	"ptp": buildReduce("ptp", ops.Ptp),
	"any": buildReduce("any", ops.Any),
	"all": buildReduce("all", ops.All),
	"var": buildMoment("var", ops.Var),
	"std": buildMoment("std", ops.Std),
}

// moment is the typed constructor of var and std.
type moment func(b *graph.Builder, x *graph.Variable, axes []int, ddof int, keepdims, corrected bool) (*graph.Variable, error)

// buildMoment reads {"axis", "keepdims", "ddof": int, "corrected": bool}.
func buildMoment(name string, f moment) Constructor {
	return func(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
		axes, keep, err := reduceParams(name, p, inputs)
		if err != nil {
			return nil, err
		}
		ddof, err := p.Int("ddof", 0)
		if err != nil {
			return nil, graph.TypeErrorf("%s: %v", name, err)
		}
		corrected, err := p.Bool("corrected", false)
		if err != nil {
			return nil, graph.TypeErrorf("%s: %v", name, err)
		}
		return f(b, inputs[0], axes, ddof, keep, corrected)
	}
}

func buildReduce(name string, reduce reduction) Constructor {
	return func(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
		axes, keep, err := reduceParams(name, p, inputs)
		if err != nil {
			return nil, err
		}
		return reduce(b, inputs[0], axes, keep)
	}
}

// reduceParams checks a reduction's one input and reads {"axis",
// "keepdims"}, the parameters every reduction row shares.
func reduceParams(name string, p Params, inputs []*graph.Variable) (axes []int, keepdims bool, err error) {
	if err := ops.CheckArity(name, inputs, 1); err != nil {
		return nil, false, err
	}
	if axes, err = ops.AxesParam(name, p, "axis"); err != nil {
		return nil, false, err
	}
	if keepdims, err = p.Bool("keepdims", false); err != nil {
		return nil, false, graph.TypeErrorf("%s: %v", name, err)
	}
	return axes, keepdims, nil
}
