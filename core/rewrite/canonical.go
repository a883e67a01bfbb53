package rewrite

import "theanogo/core/ops"

// canonicalRules put graphs in a standard form that the later passes'
// patterns expect: useless ops removed, chains of casts, dimshuffles and
// subtensors merged, products and sums in their normal forms with
// constants combined and equal factors cancelled (canonical_algebra.go),
// dimshuffles lifted above elementwise ops.
var canonicalRules = []*Rule{
	// x * 1 -> x, 2 * x * 3 -> 6 * x, (g * s * (1 - s)) / s -> g * (1 - s), x / x -> ones, -(-x) -> x, int x * 0 -> zeros
	{Name: "mul_canonizer", Tags: canonTags, Roots: []string{"mul", "true_div", "neg"}, Rewrite: mulAlgebra.canonicalize},
	// x + 0 -> x, x - 0 -> x, (a + b) - b -> a, x - x -> zeros, (x + 1) + 2 -> x + 3, a - (-b) -> a + b
	{Name: "add_canonizer", Tags: canonTags, Roots: []string{"add", "sub", "neg"}, Rewrite: addAlgebra.canonicalize},
	// t + 0*sgn(x) -> t when t has a term a*x (the gradient of a 0-weighted L1 penalty beside an L2 one; zero_term.go)
	{Name: "zero_sign_term", Tags: canonTags, Roots: []string{"add", "sub"}, Rewrite: dropZeroSign},
	// x ** 1 -> x, x ** 0 -> second(x, 1)
	{Name: "pow_useless", Tags: canonTags, Roots: []string{"pow"}, Rewrite: powSimple},
	// cast(x, x.dtype) -> x
	{Name: "cast_useless", Tags: canonTags, Roots: []string{"CastOp"}, Rewrite: castSame},
	// cast(cast(x, a), b) -> cast(x, b) when a holds every value of x
	{Name: "cast_cast", Tags: canonTags, Roots: []string{"CastOp"}, Rewrite: castCast},
	// dimshuffle{0,1,...}(x) -> x
	{Name: "dimshuffle_useless", Tags: canonTags, Roots: []string{"DimShuffleOp"}, Rewrite: dimshuffleIdentity},
	// dimshuffle{q}(dimshuffle{p}(x)) -> dimshuffle{p∘q}(x)
	{Name: "dimshuffle_merge", Tags: canonTags, Roots: []string{"DimShuffleOp"}, Rewrite: dimshuffleMerge},
	// dimshuffle{p}(constant) -> constant
	{Name: "dimshuffle_constant", Tags: canonTags, Roots: []string{"DimShuffleOp"}, Rewrite: dimshuffleConstant},
	// f(x.T, y.T) -> f(x, y).T for elementwise f
	{Name: "dimshuffle_lift", Tags: canonTags, Roots: elemwiseKeys(), Rewrite: liftDimshuffle},
	// second(x, y) -> y when y has the output's shape; second(exp(x), y) -> second(x, y)
	{Name: "fill_useless", Tags: canonTags, Roots: []string{"second"}, Rewrite: fillUseless},
	// f(second(a, b), c) -> second(a, f(b, c)) for an elementwise f
	{Name: "fill_sink", Tags: canonTags, Roots: elemwiseKeys(), Rewrite: fillSink},
	// reshape(x, x.shape) -> x
	{Name: "reshape_useless", Tags: canonTags, Roots: []string{"ReshapeOp"}, Rewrite: reshapeSame},
	// x[a][b] -> x[c] for constant basic indices
	{Name: "subtensor_merge", Tags: canonTags, Roots: []string{"SubtensorOp"}, Rewrite: subtensorMerge},
}

// elemwiseKeys lists the op keys of every elementwise op: the scalar
// table's row names.
func elemwiseKeys() []string {
	var keys []string
	for _, s := range ops.ScalarOps() {
		keys = append(keys, s.Name)
	}
	return keys
}
