package control_test

import (
	"errors"
	"strings"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/control"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

func vec(xs ...float64) *tensor.Array { return tensor.FromFloat64s(dtype.Float64, []int{len(xs)}, xs) }

func scalar(dt dtype.DType, v float64) *tensor.Array { return tensor.Scalar(dt, v) }

// lazyFunction builds ifelse(c, x[idx] * 2, y + 1): the then branch
// raises an IndexError when idx is out of range.
func lazyFunction(t *testing.T, mode string) (*compile.Function, *graph.Builder) {
	t.Helper()
	b := graph.NewBuilder()
	c := b.Input(graph.NewType(dtype.Int8), "c")
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	idx := b.Input(graph.NewType(dtype.Int64, -1), "idx")
	y := b.Input(graph.NewType(dtype.Float64, -1), "y")
	e := ops.NewExpr(b)
	then := e.Mul(e.AdvancedSubtensor(x, idx), e.Const(2, x))
	els := e.Add(y, e.Const(1, y))
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	outs, err := control.IfElse(b, c, []*graph.Variable{then}, []*graph.Variable{els})
	if err != nil {
		t.Fatal(err)
	}
	f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{c, x, idx, y}, Outputs: outs, Mode: mode})
	if err != nil {
		t.Fatal(err)
	}
	return f, b
}

func TestIfElseLazyEvaluator(t *testing.T) {
	for _, mode := range []string{"FAST_COMPILE", "FAST_RUN"} {
		f, _ := lazyFunction(t, mode)
		bad := tensor.FromInt64s(dtype.Int64, []int{1}, []int64{7})
		out, err := f.Run([]*tensor.Array{scalar(dtype.Int8, 0), vec(1, 2), bad, vec(5, 6, 7)})
		if err != nil {
			t.Fatalf("%s: the untaken branch ran: %v", mode, err)
		}
		if got := out[0].Float64s(); len(got) != 3 || got[0] != 6 || got[2] != 8 {
			t.Errorf("%s: else branch gave %v", mode, got)
		}
		if _, err := f.Run([]*tensor.Array{scalar(dtype.Int8, 1), vec(1, 2), bad, vec(5, 6, 7)}); err == nil || !strings.Contains(err.Error(), "out of bounds") {
			t.Errorf("%s: the taken then branch should raise the IndexError, got %v", mode, err)
		}
		good := tensor.FromInt64s(dtype.Int64, []int{2}, []int64{1, 1})
		out, err = f.Run([]*tensor.Array{scalar(dtype.Int8, 1), vec(1, 2), good, vec(5, 6, 7)})
		if err != nil {
			t.Fatal(err)
		}
		if got := out[0].Float64s(); len(got) != 2 || got[0] != 4 {
			t.Errorf("%s: then branch gave %v", mode, got)
		}
		// the branch's nodes moved inside the lazy ifelse: none left outside
		for _, n := range f.Graph.Toposort() {
			if _, ok := n.Op.(control.IfElseOp); !ok {
				t.Errorf("%s: node %s left outside the ifelse", mode, graph.OpString(n.Op))
			} else if !n.Op.(control.IfElseOp).Lazy() {
				t.Errorf("%s: ifelse not made lazy", mode)
			}
		}
	}
}

func TestIfElseSharedSubexpressionStaysOutside(t *testing.T) {
	b := graph.NewBuilder()
	c := b.Input(graph.NewType(dtype.Float64), "c")
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	e := ops.NewExpr(b)
	shared := e.Exp(x)
	then := e.Mul(shared, e.Const(2, x))
	els := e.Add(shared, e.Log(x))
	cond := e.Call("gt", e.Sum(x, nil, false), c)
	outs, err := control.IfElse(b, cond, []*graph.Variable{then}, []*graph.Variable{els})
	if err != nil {
		t.Fatal(err)
	}
	f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{c, x}, Outputs: outs, Mode: "FAST_COMPILE"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range f.Graph.Toposort() {
		names = append(names, n.Op.Name())
	}
	if s := strings.Join(names, " "); !strings.Contains(s, "exp") || strings.Contains(s, "log") {
		t.Errorf("outer nodes %s: exp (shared) should stay outside, log (else only) move in", s)
	}
	for _, tc := range []struct{ c, want float64 }{{0, 2 * 2.718281828459045}, {10, 2.718281828459045}} {
		out, err := f.Run([]*tensor.Array{scalar(dtype.Float64, tc.c), vec(1)})
		if err != nil {
			t.Fatal(err)
		}
		if got := out[0].Float64s()[0]; got-tc.want > 1e-12 || tc.want-got > 1e-12 {
			t.Errorf("c=%v: got %v, want %v", tc.c, got, tc.want)
		}
	}
}

func TestIfElseGrad(t *testing.T) {
	for _, cv := range []float64{0, 1} {
		opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			c := e.B.Constant(tensor.Scalar(dtype.Float64, cv))
			outs, err := control.IfElse(e.B, c, []*graph.Variable{e.Mul(in[0], in[1])}, []*graph.Variable{e.Exp(in[1])})
			if err != nil {
				e.Err = err
				return nil
			}
			return outs[0]
		}, vec(0.5, -1, 2), vec(1.5, 0.25, -0.5))
	}
}

func TestIfElseBadInput(t *testing.T) {
	b := graph.NewBuilder()
	c := b.Input(graph.NewType(dtype.Float64), "c")
	v := b.Input(graph.NewType(dtype.Float64, -1), "v")
	m := b.Input(graph.NewType(dtype.Float64, -1, -1), "m")
	f32 := b.Input(graph.NewType(dtype.Float32, -1), "f")
	row := b.Input(graph.NewType(dtype.Float64, 1, -1), "row")
	for _, tc := range []struct {
		cond, then, els *graph.Variable
		want            string
	}{
		{c, v, m, "same type"},
		{c, v, f32, "same type"},
		{c, m, row, "same type"},
		{v, v, v, "condition must be a scalar"},
	} {
		_, err := control.IfElse(b, tc.cond, []*graph.Variable{tc.then}, []*graph.Variable{tc.els})
		var ge *graph.Error
		if err == nil || !strings.Contains(err.Error(), "ifelse") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ifelse(%v, %v, %v): got %v, want a TypeError with %q", tc.cond.Type, tc.then.Type, tc.els.Type, err, tc.want)
		} else if !errors.As(err, &ge) || ge.Kind != graph.KindType {
			t.Errorf("ifelse(%v, %v, %v): %v is not a TypeError", tc.cond.Type, tc.then.Type, tc.els.Type, err)
		}
	}
}
