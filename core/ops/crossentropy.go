package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
)

// CategoricalCrossentropy is Theano's categorical_crossentropy(coding,
// true), composed of existing ops. With integer labels (one class index per
// row of the matrix coding) it is -log(coding[arange(n), true]), Theano's
// crossentropy_categorical_1hot; with targets of coding's rank (one-hot rows
// or probabilities) it is -Σ true · log(coding) along the last axis.
//
//	categorical_crossentropy([[0.25, 0.75]], [1]) -> [-log 0.75]
func CategoricalCrossentropy(b *graph.Builder, coding, target *graph.Variable) (*graph.Variable, error) {
	if coding == nil || target == nil {
		return nil, graph.TypeErrorf("categorical_crossentropy takes 2 inputs (coding_dist, true_dist)")
	}
	e := NewExpr(b)
	switch {
	case coding.Type.Ndim() >= 1 && target.Type.Ndim() == coding.Type.Ndim():
		last := []int{coding.Type.Ndim() - 1}
		return e.Neg(e.Sum(e.Mul(target, e.Log(coding)), last, false)), e.Err
	case coding.Type.Ndim() == 2 && target.Type.Ndim() == 1 && target.Type.DType.IsInteger():
		n := e.Index(e.Shape(coding), 0)
		rows := e.ARange(e.ConstOf(0, dtype.Int64), n, e.ConstOf(1, dtype.Int64), dtype.Invalid)
		return e.Neg(e.Log(e.AdvancedSubtensor(coding, rows, target))), e.Err
	}
	return nil, graph.TypeErrorf("categorical_crossentropy: true_dist must have coding_dist's rank (one-hot rows or probabilities), "+
		"or be an integer vector of class indices for a matrix coding_dist; got inputs %s", TypesString([]graph.Type{coding.Type, target.Type}))
}
