package ops_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
)

// softmax normalizes each row; huge inputs do not overflow.
func TestSoftmaxValues(t *testing.T) {
	ln3 := math.Log(3)
	cases := []struct {
		name string
		x    []float64
		want []float64 // softmax of the 2×2 input
	}{
		{"plain", []float64{1, 1, 0, ln3}, []float64{0.5, 0.5, 0.25, 0.75}},
		{"huge", []float64{1000, 1000, -1000, -1000 + ln3}, []float64{0.5, 0.5, 0.25, 0.75}},
		{"-inf", []float64{math.Inf(-1), 0, 0, ln3}, []float64{0, 1, 0.25, 0.75}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := f64(dims(2, 2), c.x...)
			wantArray(t, evalOp(t, unary(ops.Softmax), x), f64(dims(2, 2), c.want...))
			logs := make([]float64, len(c.want))
			for i, p := range c.want {
				logs[i] = math.Log(p)
			}
			wantArray(t, evalOp(t, unary(ops.LogSoftmax), x), f64(dims(2, 2), logs...))
		})
	}
	wantArray(t, evalOp(t, unary(ops.Softmax), f64(dims(3), 0, ln3, 0)), f64(dims(3), 0.2, 0.6, 0.2))
	wantArray(t, evalOp(t, unary(ops.Softmax), arr(dtype.Float32, dims(1, 2), 2, 2)), arr(dtype.Float32, dims(1, 2), 0.5, 0.5))
	wantArray(t, evalOp(t, unary(ops.Softmax), iota64(0, 3)), iota64(0, 3))
	// Rows sum to 1 on random input.
	got := evalOp(t, unary(ops.Softmax), opstest.Rand(rand.New(rand.NewPCG(1, 3)), 4, 5)).Float64s()
	for r := range 4 {
		sum := 0.0
		for _, p := range got[5*r : 5*r+5] {
			sum += p
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Errorf("row %d sums to %v", r, sum)
		}
	}

	b := graph.NewBuilder()
	for _, sm := range softmaxes {
		name, f := sm.name, sm.f
		_, err := f(b, typed(b, dtype.Int32, 2, 2))
		wantErr(t, err, graph.KindType, name, "int32")
		_, err = f(b, typed(b, dtype.Float64, 2, 2, 2))
		wantErr(t, err, graph.KindType, name, "tensor3")
		v, err := f(b, typed(b, dtype.Float32, graph.Unknown, 10))
		if err != nil {
			t.Fatal(err)
		}
		wantType(t, v, dtype.Float32, graph.Unknown, 10)
	}
}

func TestSoftmaxPullback(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	for _, sm := range softmaxes {
		f := sm.f
		for _, shape := range [][]int{{3, 4}, {5}, {1, 3}} {
			opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return apply(e, unary(f), in[0])
			}, opstest.Rand(rng, shape...))
		}
	}
}

// softmaxes are the two softmax constructors by name.
var softmaxes = []struct {
	name string
	f    func(*graph.Builder, *graph.Variable) (*graph.Variable, error)
}{{"softmax", ops.Softmax}, {"logsoftmax", ops.LogSoftmax}}
