package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
)

// The statistics reductions (var, std, ptp, any, all) are compositions of
// the table reductions and elementwise rows, as Theano 1.0 builds them in
// tensor/basic.py: they add no op, so their gradients, evaluation and C++
// lowering are those of the parts.

// Var is Theano's var(x, axis, ddof, keepdims, corrected): the mean of the
// squared deviations from the mean over axes (nil: all).
//
//	ddof == 0:  Σ (x - x̄)² / n                      (numpy's var)
//	ddof != 0:  Σ (x - x̄)² / Π_axes (nᵢ - ddof)     (Theano divides per axis)
//
// For one reduced axis this is numpy's var(x, axis, ddof); over several axes
// with ddof != 0 Theano divides by the product of (nᵢ - ddof), not by
// (Π nᵢ) - ddof as numpy does, and we follow Theano. corrected subtracts the
// two-pass correction term (Σ (x - x̄))² / Π ((nᵢ - ddof) nᵢ) (its mean² when
// ddof == 0), which removes the rounding error of x̄ from the result.
//
//	Var(b, x, []int{1}, 0, false, false) // x.var(axis=1)
func Var(b *graph.Builder, x *graph.Variable, axes []int, ddof int, keepdims, corrected bool) (*graph.Variable, error) {
	return variance(NewExpr(b), "var", x, axes, ddof, keepdims, corrected)
}

// Std is Theano's std: √var with the same arguments.
//
//	Std(b, x, nil, 1, false, false) // x.std(ddof=1)
func Std(b *graph.Builder, x *graph.Variable, axes []int, ddof int, keepdims, corrected bool) (*graph.Variable, error) {
	e := NewExpr(b)
	v, err := variance(e, "std", x, axes, ddof, keepdims, corrected)
	if err != nil {
		return nil, err
	}
	return e.Call("sqrt", v), e.Err
}

// variance builds Var for the op called name (var or std, for errors).
func variance(e *Expr, name string, x *graph.Variable, axes []int, ddof int, keepdims, corrected bool) (*graph.Variable, error) {
	if x == nil {
		return nil, graph.TypeErrorf("%s takes 1 input, got none", name)
	}
	if x.Type.DType == dtype.Bool || x.Type.DType.Kind() == dtype.KindComplex {
		return nil, graph.TypeErrorf("%s: input of dtype %s: want an integer or float tensor", name, x.Type.DType)
	}
	set, err := NormalizeAxes(name, axes, x.Type)
	if err != nil {
		return nil, err
	}
	center := e.Sub(x, reduceOver(e, "mean", x, set, true)) // x - x̄
	squares := e.Mul(center, center)
	var v, correction *graph.Variable
	if ddof == 0 {
		v = reduceOver(e, "mean", squares, set, keepdims)
		if corrected {
			m := reduceOver(e, "mean", center, set, keepdims)
			correction = e.Mul(m, m) // (Σ c / n)²
		}
	} else {
		// Π (nᵢ - ddof), one factor per reduced axis, in the centered dtype
		divisor, byCount := e.Const(1, center), e.Const(1, center)
		for _, a := range set.Axes() {
			n := e.Apply(ReducedCount{Axes: graph.NewAxisSet(a)}, center)
			divisor = e.Mul(divisor, e.Sub(n, e.Const(float64(ddof), center)))
			byCount = e.Mul(byCount, n)
		}
		v = e.Div(reduceOver(e, "sum", squares, set, keepdims), divisor)
		if corrected {
			s := reduceOver(e, "sum", center, set, keepdims)
			correction = e.Div(e.Mul(s, s), e.Mul(divisor, byCount)) // (Σ c)² / Π (nᵢ - ddof) nᵢ
		}
	}
	if correction != nil {
		v = e.Sub(v, correction)
	}
	return v, e.Err
}

// reduceOver applies the reduction table's row kind over an already
// normalized axis set (the empty set reduces nothing, unlike a nil axes list).
func reduceOver(e *Expr, kind string, x *graph.Variable, set graph.AxisSet, keepdims bool) *graph.Variable {
	return e.Apply(Reduce{Kind: reductionTable[kind], Axes: set, KeepDims: keepdims}, x)
}

// Ptp is the range max - min over axes (numpy's ptp; integers keep their
// dtype and wrap as numpy's do).
//
//	Ptp(b, x, []int{0}, false) // x.ptp(axis=0)
func Ptp(b *graph.Builder, x *graph.Variable, axes []int, keepdims bool) (*graph.Variable, error) {
	if x == nil {
		return nil, graph.TypeErrorf("ptp takes 1 input, got none")
	}
	set, err := NormalizeAxes("ptp", axes, x.Type)
	if err != nil {
		return nil, err
	}
	e := NewExpr(b)
	hi, lo := reduceOver(e, "max", x, set, keepdims), reduceOver(e, "min", x, set, keepdims)
	if x.Type.DType == dtype.Bool { // numpy refuses bool subtraction; ptp of bools is max != min
		return e.Call("neq", hi, lo), e.Err
	}
	return e.Sub(hi, lo), e.Err
}

// Any is true where some element over axes is non-zero (NaN counts as
// non-zero), false for an empty selection: the count of non-zeros > 0.
//
//	Any(b, x, nil, false) // x.any()
func Any(b *graph.Builder, x *graph.Variable, axes []int, keepdims bool) (*graph.Variable, error) {
	return countTest(b, "any", "neq", "gt", x, axes, keepdims)
}

// All is true where every element over axes is non-zero, true for an empty
// selection: the count of zeros == 0.
//
//	All(b, x, []int{-1}, true) // x.all(axis=-1, keepdims=True)
func All(b *graph.Builder, x *graph.Variable, axes []int, keepdims bool) (*graph.Variable, error) {
	return countTest(b, "all", "eq", "eq", x, axes, keepdims)
}

// countTest counts the elements with (x match 0) over axes and compares the
// count with 0 by test: the boolean reductions as one integer sum.
func countTest(b *graph.Builder, name, match, test string, x *graph.Variable, axes []int, keepdims bool) (*graph.Variable, error) {
	if x == nil {
		return nil, graph.TypeErrorf("%s takes 1 input, got none", name)
	}
	set, err := NormalizeAxes(name, axes, x.Type)
	if err != nil {
		return nil, err
	}
	e := NewExpr(b)
	count := reduceOver(e, "sum", e.Call(match, x, e.Const(0, x)), set, keepdims) // int64
	return e.Call(test, count, e.Const(0, count)), e.Err
}
