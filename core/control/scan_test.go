package control_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"theanogo/core/control"
	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

func vecType(dt dtype.DType) graph.Type { return graph.NewType(dt, graph.Unknown) }

// rnn builds h_t = tanh(x_t W + h_{t-1} U + bias) over the rows of x: the
// scan of an RNN, as a user writes it.
func rnn(e *ops.Expr, x, h0, w, u, bias *graph.Variable, truncate int) *graph.Variable {
	b := e.B
	xt := b.Input(vecType(dtype.Float64), "x_t")
	hp := b.Input(h0.Type, "h_tm1")
	step := e.Call("tanh", e.Add(e.Add(e.Dot(xt, w), e.Dot(hp, u)), bias))
	if e.Err != nil {
		return nil
	}
	res, err := control.BuildScan(b, control.ScanSpec{
		Sequences: []control.SequenceSpec{{Outer: x, Taps: []int{0}, Inner: []*graph.Variable{xt}}},
		Outputs:   []control.OutputSpec{{Initial: h0, Taps: []int{-1}, Inner: []*graph.Variable{hp}, Step: step}},
		Truncate:  truncate, Name: "rnn",
	})
	if err != nil {
		e.Err = err
		return nil
	}
	return res.Outputs[0]
}

func rnnNumpy(x, h0, w, u, bias *tensor.Array) []float64 {
	T, k := x.Shape[0], x.Shape[1]
	h := len(h0.Float64s())
	xs, ws, us, bs := x.Float64s(), w.Float64s(), u.Float64s(), bias.Float64s()
	prev := h0.Float64s()
	var out []float64
	for t := 0; t < T; t++ {
		next := make([]float64, h)
		for j := 0; j < h; j++ {
			s := bs[j]
			for i := 0; i < k; i++ {
				s += xs[t*k+i] * ws[i*h+j]
			}
			for i := 0; i < h; i++ {
				s += prev[i] * us[i*h+j]
			}
			next[j] = math.Tanh(s)
		}
		out = append(out, next...)
		prev = next
	}
	return out
}

func TestScanRNNMatchesLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x, h0, w, u, bias := opstest.Rand(rng, 6, 3), opstest.Rand(rng, 4), opstest.Rand(rng, 3, 4), opstest.Rand(rng, 4, 4), opstest.Rand(rng, 4)
	got := opstest.Eval(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return rnn(e, in[0], in[1], in[2], in[3], in[4], -1)
	}, x, h0, w, u, bias)
	want := rnnNumpy(x, h0, w, u, bias)
	if len(got.Shape) != 2 || got.Shape[0] != 6 || got.Shape[1] != 4 {
		t.Fatalf("shape %v, want [6 4]", got.Shape)
	}
	for i, v := range got.Float64s() {
		if math.Abs(v-want[i]) > 1e-12 {
			t.Fatalf("element %d: %v, want %v", i, v, want[i])
		}
	}
}

func TestScanRNNGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x, h0, w, u, bias := opstest.Rand(rng, 5, 2), opstest.Rand(rng, 3), opstest.Rand(rng, 2, 3), opstest.Rand(rng, 3, 3), opstest.Rand(rng, 3)
	for _, trunc := range []int{-1, 2} {
		build := func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return rnn(e, in[0], in[1], in[2], in[3], in[4], trunc)
		}
		if trunc < 0 {
			opstest.CheckGrad(t, build, x, h0, w, u, bias)
		}
	}
}

// fib builds the accumulator s_t = s_{t-1} + s_{t-2} + x_t (taps [-1, -2]).
func fib(e *ops.Expr, init, x *graph.Variable) *graph.Variable {
	b := e.B
	xt := b.Input(graph.NewType(x.Type.DType), "x_t")
	p1 := b.Input(graph.NewType(init.Type.DType), "s_tm1")
	p2 := b.Input(graph.NewType(init.Type.DType), "s_tm2")
	step := e.Add(e.Add(p1, p2), xt)
	if e.Err != nil {
		return nil
	}
	res, err := control.BuildScan(b, control.ScanSpec{
		Sequences: []control.SequenceSpec{{Outer: x, Taps: []int{0}, Inner: []*graph.Variable{xt}}},
		Outputs:   []control.OutputSpec{{Initial: init, Taps: []int{-1, -2}, Inner: []*graph.Variable{p1, p2}, Step: step}},
		Truncate:  -1,
	})
	if err != nil {
		e.Err = err
		return nil
	}
	return res.Outputs[0]
}

func TestScanFibonacciTaps(t *testing.T) {
	init := tensor.FromFloat64s(dtype.Float64, []int{2}, []float64{0, 1}) // s_{-2} = 0, s_{-1} = 1
	x := tensor.New(dtype.Float64, []int{8})
	got := opstest.Eval(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable { return fib(e, in[0], in[1]) }, init, x)
	want := []float64{1, 2, 3, 5, 8, 13, 21, 34}
	for i, v := range got.Float64s() {
		if v != want[i] {
			t.Fatalf("fib = %v, want %v", got.Float64s(), want)
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return e.Call("sin", fib(e, in[0], in[1]))
	}, opstest.Rand(rng, 3), opstest.Rand(rng, 5))
}

// A sequence with taps [-1, 0, 1] reads three neighbours per step; going
// backwards reverses each tap's cut sequence (Theano's order).
func TestScanSequenceTapsAndBackwards(t *testing.T) {
	for _, back := range []bool{false, true} {
		b := graph.NewBuilder()
		e := ops.NewExpr(b)
		x := b.Input(vecType(dtype.Float64), "x")
		a, c, d := b.Input(graph.NewType(dtype.Float64), "a"), b.Input(graph.NewType(dtype.Float64), "c"), b.Input(graph.NewType(dtype.Float64), "d")
		step := e.Add(e.Mul(a, e.ConstOf(100, dtype.Float64)), e.Add(e.Mul(c, e.ConstOf(10, dtype.Float64)), d))
		res, err := control.BuildScan(b, control.ScanSpec{
			Sequences:   []control.SequenceSpec{{Outer: x, Taps: []int{-1, 0, 1}, Inner: []*graph.Variable{a, c, d}}},
			Outputs:     []control.OutputSpec{{Step: step}},
			GoBackwards: back, Truncate: -1,
		})
		if err != nil || e.Err != nil {
			t.Fatal(err, e.Err)
		}
		xv := tensor.FromFloat64s(dtype.Float64, []int{5}, []float64{1, 2, 3, 4, 5})
		out, err := eval.Run(res.Outputs, map[*graph.Variable]*tensor.Array{x: xv})
		if err != nil {
			t.Fatal(err)
		}
		want := []float64{123, 234, 345}
		if back {
			want = []float64{345, 234, 123} // each cut sequence reversed, as Theano does
		}
		if got := out[0].Float64s(); len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Errorf("go_backwards=%v: %v, want %v", back, got, want)
		}
	}
}

func TestScanRejectsMismatchedStep(t *testing.T) {
	b := graph.NewBuilder()
	h0 := b.Input(graph.NewType(dtype.Float32, graph.Unknown), "h0")
	hp := b.Input(h0.Type, "h")
	step := ops.NewExpr(b).Cast(hp, dtype.Float64)
	_, err := control.BuildScan(b, control.ScanSpec{
		Outputs: []control.OutputSpec{{Initial: h0, Taps: []int{-1}, Inner: []*graph.Variable{hp}, Step: step}},
		NSteps:  b.Constant(tensor.Scalar(dtype.Int64, 3)),
	})
	if err == nil || !strings.Contains(err.Error(), "scan: output 0") || !strings.Contains(err.Error(), "float64") || !strings.Contains(err.Error(), "float32") {
		t.Fatalf("err = %v", err)
	}
	_, err = control.BuildScan(b, control.ScanSpec{
		Outputs: []control.OutputSpec{{Initial: h0, Taps: []int{-1}, Inner: []*graph.Variable{hp}, Step: hp}},
		NSteps:  b.Constant(tensor.Scalar(dtype.Int64, -1)),
	})
	if err == nil || !strings.Contains(err.Error(), "n_steps must be >= 0") {
		t.Fatalf("err = %v", err)
	}
	_, err = control.BuildScan(b, control.ScanSpec{
		Outputs: []control.OutputSpec{{Initial: h0, Taps: []int{-1}, Inner: []*graph.Variable{hp}, Step: hp}},
	})
	if err == nil || !strings.Contains(err.Error(), "n_steps") {
		t.Fatalf("err = %v", err)
	}
}
