package ops_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// The trigonometric, hyperbolic, logarithmic and error-function rows'
// pullbacks match finite differences on their domains: x = c + s·u, with u
// uniform in [-1, 1].
func TestMathRowPullbacks(t *testing.T) {
	domains := []struct {
		name string
		c, s float64
	}{
		{"tan", 0, 1.2}, {"arcsin", 0, 0.8}, {"arccos", 0, 0.8}, {"arctan", 0, 3},
		{"sinh", 0, 2}, {"cosh", 0, 2}, {"arcsinh", 0, 3}, {"arccosh", 2.5, 1.2},
		{"arctanh", 0, 0.8}, {"log2", 2, 1.5}, {"log10", 2, 1.5}, {"exp2", 0, 3},
		{"erf", 0, 2}, {"erfc", 0, 2},
	}
	for _, d := range domains {
		t.Run(d.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return e.Call(d.name, in[0])
			}, shiftScale(opstest.Rand(rng, 3, 4), d.c, d.s))
		})
	}
	t.Run("arctan2", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		y := shiftScale(opstest.Rand(rng, 3, 4), 0, 2)
		x := shiftScale(opstest.Rand(rng, 1, 4), 1.5, 1) // a row, broadcast; away from the origin
		opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Call("arctan2", in[0], in[1])
		}, y, x)
	})
}

// The rounding rows' gradient is zero (as Theano's), not missing.
func TestRoundingRowsZeroGradient(t *testing.T) {
	for _, name := range []string{"floor", "ceil", "trunc", "round_half_away_from_zero", "round_half_to_even"} {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(9, 10))
			opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return e.Call(name, in[0])
			}, shiftScale(opstest.Rand(rng, 3, 4), 0.25, 3)) // no value within 1e-6 of a jump, almost surely
		})
	}
}

// Rounding against numpy's results, halves and signed zeros included; on
// integers the rows are the identity in the input's dtype (NumPy 2), exact
// beyond 2⁵³.
func TestRoundingRowsAsNumpy(t *testing.T) {
	negz := math.Copysign(0, -1)
	in := f64(dims(8), 2.5, -2.5, 0.5, -0.5, 1.5, -0.2, 3.7, -3.7)
	cases := []struct {
		name string
		want *tensor.Array
	}{
		// np.floor, np.ceil, np.trunc of the values above
		{"floor", f64(dims(8), 2, -3, 0, -1, 1, -1, 3, -4)},
		{"ceil", f64(dims(8), 3, -2, 1, negz, 2, negz, 4, -3)},
		{"trunc", f64(dims(8), 2, -2, 0, negz, 1, negz, 3, -3)},
		// C's round: halves away from zero
		{"round_half_away_from_zero", f64(dims(8), 3, -3, 1, -1, 2, negz, 4, -4)},
		// np.round: halves to even
		{"round_half_to_even", f64(dims(8), 2, -2, 0, negz, 2, negz, 4, -4)},
	}
	big := i64(dims(2), math.MaxInt64, -(1<<53)-1)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := evalOp(t, scalar(c.name), in)
			wantArray(t, got, c.want)
			for k, v := range got.Float64s() { // the sign of zero too
				if math.Signbit(v) != math.Signbit(c.want.Float64s()[k]) {
					t.Errorf("element %d: %v, want %v", k, v, c.want.Float64s()[k])
				}
			}
			wantArray(t, evalOp(t, scalar(c.name), big), big)
			i8 := tensor.FromInt64s(dtype.Int8, dims(2), []int64{-128, 5})
			wantArray(t, evalOp(t, scalar(c.name), i8), i8)
		})
	}
}

// Integers promote as numpy's ufuncs do: float64 for int32 and int64, the
// smallest float holding the values below; complex inputs are refused.
func TestMathRowDTypes(t *testing.T) {
	cases := []struct {
		in, want dtype.DType
	}{
		{dtype.Int32, dtype.Float64}, {dtype.Int64, dtype.Float64}, {dtype.Int8, dtype.Float16},
		{dtype.Uint16, dtype.Float32}, {dtype.Float32, dtype.Float32}, {dtype.Float64, dtype.Float64},
	}
	for _, name := range []string{"tan", "arcsin", "arccosh", "log2", "exp2", "erf", "erfc"} {
		row := ops.ScalarByName(name)
		for _, c := range cases {
			if got, err := row.OutputDType([]dtype.DType{c.in}); err != nil || got != c.want {
				t.Errorf("%s(%v) = %v, %v; want %v", name, c.in, got, err, c.want)
			}
		}
		if _, err := row.OutputDType([]dtype.DType{dtype.Complex128}); err == nil {
			t.Errorf("%s accepts complex128", name)
		}
	}
}
