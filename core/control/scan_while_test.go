package control_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"theanogo/core/control"
	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/shape"
	"theanogo/core/tensor"
)

// growth builds the while loop h_t = h_{t-1} * a + x_t until h_t > 2,
// over the rows of x (a vector state per step, its first element tested).
func growth(e *ops.Expr, x, h0, a *graph.Variable) *graph.Variable {
	b := e.B
	xt := b.Input(graph.NewType(x.Type.DType, x.Type.Shape[1:]...), "x_t")
	hp := b.Input(h0.Type, "h_tm1")
	next := e.Add(e.Mul(hp, a), xt)
	stop := e.Call("gt", e.Index(next, 0), e.Const(2, next))
	if e.Err != nil {
		return nil
	}
	res, err := control.BuildScan(b, control.ScanSpec{
		Sequences: []control.SequenceSpec{{Outer: x, Taps: []int{0}, Inner: []*graph.Variable{xt}}},
		Outputs:   []control.OutputSpec{{Initial: h0, Taps: []int{-1}, Inner: []*graph.Variable{hp}, Step: next}},
		Until:     stop, Truncate: -1,
	})
	if err != nil {
		e.Err = err
		return nil
	}
	return res.Outputs[0]
}

// The step where until first holds is the last one kept (Theano's rule);
// a loop that never meets it runs over the whole sequence.
func TestWhileLoopKeepsTheStoppingStep(t *testing.T) {
	b := graph.NewBuilder()
	e := ops.NewExpr(b)
	x := b.Input(graph.NewType(dtype.Float64, graph.Unknown, graph.Unknown), "x")
	h0 := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "h0")
	a := b.Input(graph.NewType(dtype.Float64), "a")
	out := growth(e, x, h0, a)
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	ones := tensor.FromFloat64s(dtype.Float64, []int{5, 1}, []float64{1, 1, 1, 1, 1})
	for _, c := range []struct {
		a    float64
		want []float64
	}{
		{1, []float64{1, 2, 3}},       // 3 > 2 stops it, and is kept
		{0, []float64{1, 1, 1, 1, 1}}, // never: all five rows
		{10, []float64{1, 11}},        // the second step
	} {
		got, err := eval.Run([]*graph.Variable{out}, map[*graph.Variable]*tensor.Array{
			x: ones, h0: tensor.FromFloat64s(dtype.Float64, []int{1}, []float64{0}), a: tensor.Scalar(dtype.Float64, c.a)})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got[0].Float64s(), c.want) {
			t.Errorf("a=%v: %v, want %v", c.a, got[0].Float64s(), c.want)
		}
	}
}

// The gradient of a while loop runs back over the steps it ran (Theano's
// grad_steps), against finite differences; rows of the sequence after the
// stop get none.
func TestWhileLoopGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	x := opstest.Rand(rng, 6, 2)
	xs := x.Float64s()
	for i := range xs {
		xs[i] = 0.3 + 0.2*xs[i] // positive: the loop stops after a few steps
	}
	opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
		return e.Call("sin", growth(e, in[0], in[1], in[2]))
	}, x, opstest.Rand(rng, 2), tensor.Scalar(dtype.Float64, 1.5))
}

// A scan whose step holds a scan has a shape rule in outer terms: the
// inner loop's n_steps (shape(row)[0]) becomes the outer matrix's row
// length, and a nested while loop's last row has the shape of its state.
func TestNestedScanShapeIsOuter(t *testing.T) {
	b := graph.NewBuilder()
	e := ops.NewExpr(b)
	m := b.Input(graph.NewType(dtype.Float64, graph.Unknown, graph.Unknown), "m")
	row := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "row")
	v := b.Input(graph.NewType(dtype.Float64), "v")
	acc := b.Input(graph.NewType(dtype.Float64), "acc")
	zero := b.Constant(tensor.Scalar(dtype.Float64, 0))
	cum, err := control.BuildScan(b, control.ScanSpec{
		Sequences: []control.SequenceSpec{{Outer: row, Taps: []int{0}, Inner: []*graph.Variable{v}}},
		Outputs:   []control.OutputSpec{{Initial: zero, Taps: []int{-1}, Inner: []*graph.Variable{acc}, Step: e.Add(acc, v)}},
		Truncate:  -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	h0 := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "h0")
	a := b.Input(graph.NewType(dtype.Float64), "a")
	rows := e.DimShuffle(row, []int{0, ops.Broadcast})
	loop := growth(e, rows, h0, a)
	last := e.Index(loop, -1)
	outer, err := control.BuildScan(b, control.ScanSpec{
		Sequences: []control.SequenceSpec{{Outer: m, Taps: []int{0}, Inner: []*graph.Variable{row}}},
		Outputs:   []control.OutputSpec{{Step: cum.Outputs[0]}, {Step: last}},
		Truncate:  -1,
	})
	if err != nil || e.Err != nil {
		t.Fatal(err, e.Err)
	}
	tr := shape.NewTracker(b)
	for i, o := range outer.Outputs {
		dims, err := tr.Of(o)
		if err != nil {
			t.Fatalf("output %d: %v", i, err)
		}
		for _, r := range graph.Roots(dims) {
			if !r.IsConstant() && r != m && r != h0 && r != a {
				t.Errorf("output %d's shape reads %v, not an outer input", i, r)
			}
		}
	}
	vals := map[*graph.Variable]*tensor.Array{m: opstest.Rand(rand.New(rand.NewPCG(1, 1)), 3, 4),
		h0: tensor.FromFloat64s(dtype.Float64, []int{1}, []float64{0}), a: tensor.Scalar(dtype.Float64, 1)}
	opstest.CheckInferShape(t, outer.Outputs[:1], vals)
	got, err := eval.Run(outer.Outputs, vals)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got[0].Shape, []int{3, 4}) || !slices.Equal(got[1].Shape, []int{3, 1}) {
		t.Errorf("shapes %v and %v, want [3 4] and [3 1]", got[0].Shape, got[1].Shape)
	}
}

// With no step run, a nit-sot output's rows have the step's shape.
func TestScanWithNoStepKeepsTheRowShape(t *testing.T) {
	b := graph.NewBuilder()
	e := ops.NewExpr(b)
	m := b.Input(graph.NewType(dtype.Float64, graph.Unknown, graph.Unknown), "m")
	row := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "row")
	res, err := control.BuildScan(b, control.ScanSpec{
		Sequences: []control.SequenceSpec{{Outer: m, Taps: []int{0}, Inner: []*graph.Variable{row}}},
		Outputs:   []control.OutputSpec{{Step: e.Call("exp", row)}},
		Truncate:  -1,
	})
	if err != nil || e.Err != nil {
		t.Fatal(err, e.Err)
	}
	got, err := eval.Run(res.Outputs, map[*graph.Variable]*tensor.Array{m: tensor.New(dtype.Float64, []int{0, 3})})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got[0].Shape, []int{0, 3}) {
		t.Errorf("shape %v, want [0 3]", got[0].Shape)
	}
}
