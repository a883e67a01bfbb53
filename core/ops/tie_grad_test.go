package ops_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"theanogo/core/eval"
	"theanogo/core/grad"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// gradsOfSum evaluates the gradient of sum(f(inputs)) with respect to each
// input (inputs of unknown static lengths holding values).
func gradsOfSum(t *testing.T, f opstest.BuildFunc, values ...*tensor.Array) []*tensor.Array {
	t.Helper()
	b := graph.NewBuilder()
	xs := opstest.Inputs(b, values)
	e := ops.NewExpr(b)
	cost := e.Sum(f(e, xs), nil, false)
	if e.Err != nil {
		t.Fatalf("building: %v", e.Err)
	}
	gs, _, err := grad.Grad(b, cost, xs, grad.Options{Disconnected: "ignore"})
	if err != nil {
		t.Fatalf("grad: %v", err)
	}
	bound := map[*graph.Variable]*tensor.Array{}
	for i, x := range xs {
		bound[x] = values[i]
	}
	out, err := eval.Run(gs, bound)
	if err != nil {
		t.Fatalf("evaluating the gradient: %v", err)
	}
	return out
}

// The same variable on both sides of maximum or minimum has derivative 1,
// and a tie between two variables splits the gradient evenly.
func TestMaximumMinimumTies(t *testing.T) {
	a := f64(dims(3), 1, -2, 3)
	for _, name := range []string{"maximum", "minimum"} {
		t.Run(name+"(a, a)", func(t *testing.T) {
			g := gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return e.Call(name, in[0], in[0])
			}, a)
			wantArray(t, g[0], f64(dims(3), 1, 1, 1))
		})
		t.Run(name+"(a, b)", func(t *testing.T) {
			b := f64(dims(3), 1, 0, 4) // a tie, a > b, a < b
			g := gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return e.Call(name, in[0], in[1])
			}, a, b)
			if name == "maximum" {
				wantArray(t, g[0], f64(dims(3), 0.5, 0, 0))
				wantArray(t, g[1], f64(dims(3), 0.5, 1, 1))
			} else {
				wantArray(t, g[0], f64(dims(3), 0.5, 1, 1))
				wantArray(t, g[1], f64(dims(3), 0.5, 0, 0))
			}
		})
		t.Run(name+" with NaN", func(t *testing.T) {
			nan := math.NaN()
			g := gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return e.Call(name, in[0], in[1])
			}, f64(dims(2), nan, 1), f64(dims(2), 1, nan))
			wantArray(t, g[0], f64(dims(2), 0, 0))
			wantArray(t, g[1], f64(dims(2), 0, 0))
		})
	}
	t.Run("broadcast row", func(t *testing.T) {
		// a (2, 2) matrix against a row it ties with in column 0 of both rows
		g := gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Call("maximum", in[0], in[1])
		}, f64(dims(2, 2), 1, 5, 1, -5), f64(dims(1, 2), 1, 0))
		wantArray(t, g[0], f64(dims(2, 2), 0.5, 1, 0.5, 0))
		wantArray(t, g[1], f64(dims(1, 2), 1, 1))
	})
}

// The kinks of abs, relu and clip follow the same convention: the mean of
// the one-sided derivatives.
func TestKinkGradients(t *testing.T) {
	x := f64(dims(5), -1, 0, 0.5, 1, 2)
	t.Run("abs", func(t *testing.T) {
		g := gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return e.Call("abs", in[0])
		}, x)
		wantArray(t, g[0], f64(dims(5), -1, 0, 1, 1, 1))
	})
	t.Run("relu", func(t *testing.T) {
		g := gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return apply(e, relu, in[0])
		}, x)
		wantArray(t, g[0], f64(dims(5), 0, 0.5, 1, 1, 1))
	})
	t.Run("clip at the bounds", func(t *testing.T) {
		g := gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return apply(e, clip, in[0], e.Const(0, in[0]), e.Const(1, in[0]))
		}, x)
		wantArray(t, g[0], f64(dims(5), 0, 0.5, 1, 0.5, 0))
	})
	t.Run("clip(a, a, hi) and clip(a, a, a)", func(t *testing.T) {
		g := gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return apply(e, clip, in[0], in[0], e.Const(1, in[0]))
		}, x)
		wantArray(t, g[0], f64(dims(5), 1, 1, 1, 0.5, 0))
		g = gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return apply(e, clip, in[0], in[0], in[0])
		}, x)
		wantArray(t, g[0], f64(dims(5), 1, 1, 1, 1, 1))
	})
	t.Run("clip splits between x and a variable bound", func(t *testing.T) {
		// x at lo, inside, at hi; the shares of each tie add up to 1
		g := gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return apply(e, clip, in[0], in[1], in[2])
		}, f64(dims(3), 0, 0.5, 1), f64(dims(3), 0, 0, 0), f64(dims(3), 1, 1, 1))
		wantArray(t, g[0], f64(dims(3), 0.5, 1, 0.5))
		wantArray(t, g[1], f64(dims(3), 0.5, 0, 0))
		wantArray(t, g[2], f64(dims(3), 0, 0, 0.5))
	})
}

// A max or min reduction over tied entries passes exactly the incoming
// gradient, split evenly among them, over any axes, with or without keepdims.
func TestMaxMinReductionTies(t *testing.T) {
	// columns: a tie of 2 at the max, a tie of all 3, distinct; rows of
	// the transposed view likewise
	m := f64(dims(3, 3),
		3, 1, 0,
		3, 1, 2,
		-1, 1, 5)
	third := 1.0 / 3
	cases := []struct {
		name     string
		f        reduction
		axes     []int
		keepdims bool
		want     *tensor.Array
	}{
		{"max axis 0", ops.Max, []int{0}, false, f64(dims(3, 3), 0.5, third, 0, 0.5, third, 0, 0, third, 1)},
		{"max axis 0 keepdims", ops.Max, []int{0}, true, f64(dims(3, 3), 0.5, third, 0, 0.5, third, 0, 0, third, 1)},
		{"max axis 1", ops.Max, []int{1}, false, f64(dims(3, 3), 1, 0, 0, 1, 0, 0, 0, 0, 1)},
		{"max all", ops.Max, nil, false, f64(dims(3, 3), 0, 0, 0, 0, 0, 0, 0, 0, 1)},
		{"min axis 0", ops.Min, []int{0}, false, f64(dims(3, 3), 0, third, 1, 0, third, 0, 1, third, 0)},
		{"min axis -1 keepdims", ops.Min, []int{-1}, true, f64(dims(3, 3), 0, 0, 1, 0, 1, 0, 1, 0, 0)},
		{"min all keepdims", ops.Min, nil, true, f64(dims(3, 3), 0, 0, 0, 0, 0, 0, 1, 0, 0)},
		{"max no axes", ops.Max, []int{}, false, f64(dims(3, 3), 1, 1, 1, 1, 1, 1, 1, 1, 1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return apply(e, reduceBy(c.f, c.axes, c.keepdims), in[0])
			}, m)
			wantArray(t, g[0], c.want)
		})
	}
	t.Run("all equal", func(t *testing.T) {
		g := gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return apply(e, reduceBy(ops.Max, nil, false), in[0])
		}, f64(dims(2, 2), 7, 7, 7, 7))
		wantArray(t, g[0], f64(dims(2, 2), 0.25, 0.25, 0.25, 0.25))
	})
	t.Run("NaN result", func(t *testing.T) {
		g := gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return apply(e, reduceBy(ops.Max, []int{1}, false), in[0])
		}, f64(dims(2, 2), math.NaN(), 1, 2, 2))
		wantArray(t, g[0], f64(dims(2, 2), 0, 0, 0.5, 0.5))
	})
}

// prod's gradient with zeros: the product of the other entries at a lone
// zero, 0 elsewhere, and 0 everywhere with two zeros; it matches finite
// differences (a product is multilinear: smooth at zeros too).
func TestProdGradWithZeros(t *testing.T) {
	t.Run("vector", func(t *testing.T) {
		for _, c := range []struct{ x, want *tensor.Array }{
			{f64(dims(3), 2, 4, 3), f64(dims(3), 12, 6, 8)},
			{f64(dims(3), 2, 0, 3), f64(dims(3), 0, 6, 0)},
			{f64(dims(3), 0, 0, 3), f64(dims(3), 0, 0, 0)},
			{f64(dims(3), 0, 0, 0), f64(dims(3), 0, 0, 0)},
			{f64(dims(1), 0), f64(dims(1), 1)},
		} {
			g := gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return apply(e, reduceBy(ops.Prod, nil, false), in[0])
			}, c.x)
			wantArray(t, g[0], c.want)
		}
	})
	// rows and columns with no, one and two zeros
	m := f64(dims(3, 3),
		2, 0, 3,
		0, 0, 5,
		4, 7, 1.5)
	cases := []struct {
		axes     []int
		keepdims bool
		want     *tensor.Array
	}{
		{[]int{1}, false, f64(dims(3, 3), 0, 6, 0, 0, 0, 0, 10.5, 6, 28)},
		{[]int{0}, true, f64(dims(3, 3), 0, 0, 7.5, 8, 0, 4.5, 0, 0, 15)},
		{nil, false, f64(dims(3, 3), 0, 0, 0, 0, 0, 0, 0, 0, 0)},
		{[]int{0, 1}, true, f64(dims(3, 3), 0, 0, 0, 0, 0, 0, 0, 0, 0)},
	}
	for _, c := range cases {
		g := gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return apply(e, reduceBy(ops.Prod, c.axes, c.keepdims), in[0])
		}, m)
		wantArray(t, g[0], c.want)
		opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return apply(e, reduceBy(ops.Prod, c.axes, c.keepdims), in[0])
		}, m)
	}
	t.Run("one zero in the whole product", func(t *testing.T) {
		x := f64(dims(2, 2), 2, 3, 0, 5)
		g := gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return apply(e, reduceBy(ops.Prod, nil, true), in[0])
		}, x)
		wantArray(t, g[0], f64(dims(2, 2), 0, 0, 30, 0))
	})
	t.Run("overflowing product with a zero", func(t *testing.T) {
		// the product is inf * 0 = NaN; the other entries still get 0
		x := f64(dims(3), 1e200, 1e200, 0)
		g := gradsOfSum(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
			return apply(e, reduceBy(ops.Prod, nil, false), in[0])
		}, x)
		wantArray(t, g[0], f64(dims(3), 0, 0, math.Inf(1)))
	})
	t.Run("random with zeros against finite differences", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 9))
		x := shift(opstest.Rand(rng, 2, 3, 4), 1.5)
		v := x.Float64s()
		v[0], v[5], v[13], v[17] = 0, 0, 0, 0
		x = tensor.FromFloat64s(x.DType, x.Shape, v)
		for _, axes := range [][]int{nil, {0}, {1}, {2}, {0, 2}} {
			opstest.CheckGrad(t, func(e *ops.Expr, in []*graph.Variable) *graph.Variable {
				return apply(e, reduceBy(ops.Prod, axes, false), in[0])
			}, x)
		}
	})
}
