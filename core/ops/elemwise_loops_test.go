package ops

import (
	"math"
	"testing"
)

// The plain float64 loops compute what their rows' F64 computes, for every
// combination of steps.
func TestFloat64LoopsMatchTheirRows(t *testing.T) {
	x := []float64{1.5, -2, 0, 3, math.Inf(1), 7}
	y := []float64{0.5, 4, -0, 3, 2, math.NaN()}
	for name, loop := range float64Loops {
		row := scalarIndex[name]
		if row == nil {
			t.Fatalf("float64Loops has %q, which is not a scalar row", name)
		}
		for _, steps := range [][2]int{{1, 1}, {1, 0}, {0, 1}, {0, 0}} {
			out := make([]float64, len(x))
			loop(out, x, y, steps[0], steps[1])
			for k := range out {
				want := row.F64(x[k*steps[0]], y[k*steps[1]], 0)
				if out[k] != want && !(math.IsNaN(out[k]) && math.IsNaN(want)) {
					t.Errorf("%s with steps %v at %d: %v, want %v", name, steps, k, out[k], want)
				}
			}
		}
	}
}
