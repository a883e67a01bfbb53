package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
)

// buildCategoricalCrossentropy is Theano's categorical_crossentropy(coding,
// true), composed of existing ops. With integer labels (one class index per
// row of the matrix coding) it is -log(coding[arange(n), true]), Theano's
// crossentropy_categorical_1hot; with targets of coding's rank (one-hot rows
// or probabilities) it is -Σ true · log(coding) along the last axis.
//
//	categorical_crossentropy([[0.25, 0.75]], [1]) -> [-log 0.75]
func buildCategoricalCrossentropy(b *graph.Builder, _ Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if err := checkArity("categorical_crossentropy", inputs, 2); err != nil {
		return nil, err
	}
	coding, target := inputs[0], inputs[1]
	e := NewExpr(b)
	switch {
	case coding.Type.Ndim() >= 1 && target.Type.Ndim() == coding.Type.Ndim():
		last := []int{coding.Type.Ndim() - 1}
		return e.Neg(e.Sum(e.Mul(target, e.Log(coding)), last, false)), e.Err
	case coding.Type.Ndim() == 2 && target.Type.Ndim() == 1 && target.Type.DType.IsInteger():
		first := &Subtensor{Items: []IndexItem{{Entries: []IndexEntry{{Kind: EntryConst, Value: 0}}}}}
		n := e.Apply(first, e.Op("shape", nil, coding))
		rows := e.Op("arange", nil, e.ConstOf(0, dtype.Int64), n, e.ConstOf(1, dtype.Int64))
		return e.Neg(e.Log(e.Apply(&AdvancedSubtensor{}, coding, rows, target))), e.Err
	}
	return nil, graph.TypeErrorf("categorical_crossentropy: true_dist must have coding_dist's rank (one-hot rows or probabilities), "+
		"or be an integer vector of class indices for a matrix coding_dist; got inputs %s", typesString([]graph.Type{coding.Type, target.Type}))
}
