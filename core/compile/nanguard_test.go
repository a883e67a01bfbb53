package compile_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// NanGuardMode fails at the first node computing a NaN or an infinity,
// naming the op, its source line and the output; later nodes that only
// propagate it are not blamed.
func TestNanGuardModeFailsAtFirstNode(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	e := ops.NewExpr(b)
	l := e.Log(x)
	l.Owner.Source = "model.py:9"
	y := e.Exp(e.Mul(l, e.ConstOf(3, dtype.Float64)))
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{y}, Mode: "NanGuardMode"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Call(nil, vec(1, 2))
	if err != nil {
		t.Fatalf("finite values: %v", err)
	}
	if v := got[0].Float64s(); math.Abs(v[1]-8) > 1e-12 {
		t.Errorf("x**3 at 2 = %v", v[1])
	}
	for _, c := range []struct {
		arg  *tensor.Array
		want []string
	}{
		{vec(1, 0, 2), []string{"log (at model.py:9)", "-Inf", "output 0", "index [1]", "its inputs: x"}},
		{vec(1, 2, -1), []string{"log (at model.py:9)", "NaN", "index [2]"}},
		{vec(math.NaN()), []string{"argument 0 (x)", "NaN"}},
	} {
		_, err := f.Call(nil, c.arg)
		var ge *graph.Error
		if !errors.As(err, &ge) || ge.Kind != graph.KindValue {
			t.Errorf("x = %v: %v, want a ValueError", c.arg.Float64s(), err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("x = %v: %q does not say %q", c.arg.Float64s(), err, w)
			}
		}
	}
	// FAST_RUN computes the same NaN without complaint.
	fast, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{y}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fast.Call(nil, vec(-1)); err != nil {
		t.Errorf("FAST_RUN: %v", err)
	}
}

// With BigIsError, a finite value above the limit fails too.
func TestNanGuardBigValues(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float32, -1), "x")
	e := ops.NewExpr(b)
	y := e.Exp(x)
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	fg := &compile.FunctionGraph{Inputs: []*graph.Variable{x}, Results: []*graph.Variable{y}, NumOutputs: 1}
	arg := tensor.FromFloat64s(dtype.Float32, []int{2}, []float64{1, 30}) // exp(30) ~ 1.1e13
	for _, c := range []struct {
		guard compile.NanGuardBackend
		want  string
	}{
		{compile.NanGuardBackend{}, ""},
		{compile.NanGuardBackend{BigIsError: true}, "the huge value"},
		{compile.NanGuardBackend{BigIsError: true, BigValue: 1e14}, ""},
	} {
		callable, err := c.guard.Prepare(fg)
		if err != nil {
			t.Fatal(err)
		}
		_, err = callable.Run([]*tensor.Array{arg})
		if (err == nil) != (c.want == "") || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.guard, err, c.want)
		}
	}
}
