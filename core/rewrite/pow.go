package rewrite

import (
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// powRules replace a power with a constant exponent by the multiplication,
// square root or reciprocal that numpy's fast paths compute (Theano's
// local_pow_specialize): pow with an exponent read at run time calls
// std::pow per element where x*x is one multiplication. The exponent is a
// constant whose elements are all equal (seen through dimshuffles and
// casts); the base is first cast to the output's dtype, so that the result
// has pow's dtype (float32 ** 2 is float32, int8 ** 3 int8, wrapping as
// pow does, int8 ** 0.5 a float). x ** 0.5 is sqrt(x) as numpy computes it
// (sqrt(-0) = -0 and sqrt(-inf) = NaN, where C's pow gives 0 and inf);
// x ** 3 rounds twice (x*x, then *x), within an ulp of pow. The reciprocal
// is for float results only: an integer to a negative power raises
// ValueError, as numpy does, and keeps its pow. x ** 1 and x ** 0 are
// canonicalize's (pow_useless, canonical.go). Other constant exponents
// keep their pow, which the C++ backend lowers with the exponent visible:
// multiplications in double (tg_powi) for an integer exponent, inside a
// fused kernel or not (codegen/cxx/elemwise.go).
var powRules = []*Rule{
	// x ** 2 -> sqr(x), x ** 3 -> sqr(x) * x, x ** 0.5 -> sqrt(x), x ** -1 -> 1 / x
	{Name: "pow_specialize", Tags: []string{"specialize", "fast_run"}, Roots: []string{"pow"}, Rewrite: powSpecialize},
}

// powSpecialize is pow_specialize's body.
func powSpecialize(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
	x, y, out := n.Inputs[0], n.Inputs[1], n.Outputs[0]
	dt := out.Type.DType
	k, _, ok := uniformConst(y)
	if !ok || !(dt.IsFloat() || dt.IsInteger()) {
		return nil, nil
	}
	e := ops.NewExpr(b)
	var r *graph.Variable
	base := func() *graph.Variable { return e.Cast(x, dt) }
	switch {
	case k == 2:
		r = e.Call("sqr", base())
	case k == 3:
		xc := base()
		r = e.Mul(e.Call("sqr", xc), xc)
	case k == 0.5 && dt.IsFloat():
		r = e.Call("sqrt", base())
	case k == -1 && dt.IsFloat():
		r = e.Div(e.ConstOf(1, dt), base())
	default:
		return nil, nil
	}
	r = fitType(e, r, out.Type, []*graph.Variable{y})
	if e.Err != nil {
		return nil, e.Err
	}
	if r.Type.DType != dt {
		return nil, nil
	}
	return one(r), nil
}
