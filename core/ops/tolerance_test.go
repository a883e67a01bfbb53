package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
)

// Sums folded in three orders (sequential, pairwise, reversed blocks of
// 8) of random float64 terms with heavy cancellation stay within
// ReduceTolerance of each other, relative to Σ|x|; the bound is tight
// enough to fail on an order that loses a term.
func TestReduceToleranceCoversFoldOrders(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 7, 8, 129, 1000, 100000} {
		x := make([]float64, n)
		abs := 0.0
		for i := range x {
			x[i] = (rng.Float64() - 0.5) * math.Pow(2, float64(rng.IntN(40)-20))
			abs += math.Abs(x[i])
		}
		seq := 0.0
		for _, v := range x {
			seq += v
		}
		var pairwise func(x []float64) float64
		pairwise = func(x []float64) float64 {
			if len(x) <= 8 {
				s := 0.0
				for _, v := range x {
					s += v
				}
				return s
			}
			h := len(x) / 2
			return pairwise(x[:h]) + pairwise(x[h:])
		}
		rev := 0.0
		for i := n - 1; i >= 0; i-- {
			rev += x[i]
		}
		tol := ReduceTolerance(dtype.Float64, n) * abs
		for _, got := range []float64{pairwise(x), rev} {
			if math.Abs(got-seq) > tol {
				t.Errorf("n=%d: %g and %g differ by more than %g", n, got, seq, tol)
			}
		}
		if n > 1 && math.Abs((seq-x[n/2])-seq) <= tol && math.Abs(x[n/2]) > tol {
			t.Errorf("n=%d: the tolerance %g hides a lost term %g", n, tol, x[n/2])
		}
	}
	if ReduceTolerance(dtype.Int64, 1000) != 0 || ReduceTolerance(dtype.Bool, 5) != 0 {
		t.Error("integer folds are exact")
	}
	if got := ReduceTolerance(dtype.Float32, 1); got != 0x1p-23 {
		t.Errorf("float32, one element: %g, want eps(float32)", got)
	}
}
