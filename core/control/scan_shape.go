package control

import (
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// OutputShapes: a recurrent output's buffer has its initial rows plus
// n_steps rows of the initial value's row shape; a nit-sot output has
// n_steps rows of the step result's shape, known here only when the step's
// type knows every length. A while loop's length is known only when it has
// run: it has no shape rule (the function allocates after running).
//
//	scan(n, x, h0[None]) -> [[1 + n, shape(h0)[0]]]
func (op Scan) OutputShapes(b *graph.Builder, node *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	s := op.Info
	if s.Until {
		return nil, graph.ValueErrorf("scan: a while loop's length is known only at run time")
	}
	l := ops.NewLengths(b)
	n := l.Int64(node.Inputs[0])
	var out [][]*graph.Variable
	for i := range s.Taps {
		init := in[s.initStart()+i]
		out = append(out, append([]*graph.Variable{l.Add(init[0], n)}, init[1:]...))
	}
	for k := 0; k < s.NNitSot; k++ {
		t := s.Inner.Outputs[len(s.Taps)+k].Type
		dims := []*graph.Variable{n}
		for _, d := range t.Shape {
			if d == graph.Unknown {
				return nil, graph.ValueErrorf("scan: output %d's row shape %v is known only at run time", len(s.Taps)+k, t)
			}
			dims = append(dims, l.Const(d))
		}
		out = append(out, dims)
	}
	return out, l.Err()
}
