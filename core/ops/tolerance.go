package ops

import "theanogo/core/dtype"

// ReduceTolerance is how far two correct folds of the same n elements may
// differ, relative to the sum of the elements' magnitudes, for a result of
// dtype d (DESIGN.md decision 13; the README's design section). The Go
// evaluator folds sequentially; compiled code folds float sums pairwise,
// blocked and in parallel pieces; both fold real floats in double and round
// once to d. Any order of n-1 additions in double is within
// (n-1)·u·Σ|x| of the exact sum (u = 2⁻⁵³, the unit roundoff of double),
// so two orders are within 2(n-1)·u·Σ|x| of each other, and the final
// roundings to d add one ulp of d (eps(d)·|result| <= eps(d)·Σ|x|):
//
//	|compiled - evaluator| <= ReduceTolerance(d, n) · Σ|x|
//	ReduceTolerance(d, n) = 2·(n-1)·2⁻⁵³ + eps(d)
//
// For float64 and n = 10⁶ that is 2.2e-10; for float32 it is eps(float32),
// 1.2e-7, for any n below 10⁸ (the double fold is far finer than the
// float32 result). Integer and bool folds are exact (0): they wrap the same
// way in any order; max and min have one answer in any order (0 as well,
// but the callers compare them exactly anyway). Tests that do not know
// Σ|x| use the largest magnitude among the compared values as its
// stand-in (tests_go compareResults, tests_py's reduce_close).
func ReduceTolerance(d dtype.DType, n int) float64 {
	if !d.IsFloat() && !d.IsComplex() {
		return 0
	}
	if n < 1 {
		n = 1
	}
	return 2*float64(n-1)*0x1p-53 + Epsilon(d)
}

// Epsilon is the distance from 1 to the next value of the float dtype d
// (numpy's finfo(d).eps; a complex dtype's component's): 2⁻⁵² for float64,
// 2⁻²³ for float32, 2⁻¹⁰ for float16, 0 for the others.
func Epsilon(d dtype.DType) float64 {
	switch d {
	case dtype.Float64, dtype.Complex128:
		return 0x1p-52
	case dtype.Float32, dtype.Complex64:
		return 0x1p-23
	case dtype.Float16:
		return 0x1p-10
	}
	return 0
}
