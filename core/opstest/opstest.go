// Package opstest holds the checks every op test uses: gradients against
// central finite differences, and shape inference against evaluated shapes.
//
//	opstest.CheckGrad(t, func(e *ops.Expr, x []*graph.Variable) *graph.Variable {
//		return e.Call("tanh", x[0])
//	}, opstest.Rand(rng, 3, 4))
package opstest

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/grad"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/shape"
	"theanogo/core/tensor"
)

// BuildFunc builds an expression from input variables.
type BuildFunc func(e *ops.Expr, inputs []*graph.Variable) *graph.Variable

// Rand returns a float64 array of the given shape with values in [-1, 1).
func Rand(rng *rand.Rand, shape ...int) *tensor.Array {
	v := make([]float64, tensor.Size(shape))
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return tensor.FromFloat64s(dtype.Float64, shape, v)
}

// Inputs makes one input variable per value, with unknown static shape (or
// length 1 where the value has length 1, so that it broadcasts).
func Inputs(b *graph.Builder, values []*tensor.Array) []*graph.Variable {
	vars := make([]*graph.Variable, len(values))
	for i, v := range values {
		shape := make([]int, v.Ndim())
		for d, n := range v.Shape {
			shape[d] = graph.Unknown
			if n == 1 {
				shape[d] = 1
			}
		}
		vars[i] = b.Input(graph.NewType(v.DType, shape...), "")
	}
	return vars
}

// Eval builds the expression on fresh inputs and evaluates it.
func Eval(t testing.TB, build BuildFunc, values ...*tensor.Array) *tensor.Array {
	t.Helper()
	_, xs, out, outVal := buildAndRun(t, build, values)
	CheckInferShape(t, []*graph.Variable{out}, bind(xs, values))
	return outVal
}

// buildAndRun builds the expression on fresh inputs and evaluates it.
func buildAndRun(t testing.TB, build BuildFunc, values []*tensor.Array) (*ops.Expr, []*graph.Variable, *graph.Variable, *tensor.Array) {
	t.Helper()
	b := graph.NewBuilder()
	xs := Inputs(b, values)
	e := ops.NewExpr(b)
	out := build(e, xs)
	if e.Err != nil {
		t.Fatalf("building the expression: %v", e.Err)
	}
	res, err := eval.Run([]*graph.Variable{out}, bind(xs, values))
	if err != nil {
		t.Fatalf("evaluating: %v", err)
	}
	return e, xs, out, res[0]
}

func bind(xs []*graph.Variable, values []*tensor.Array) map[*graph.Variable]*tensor.Array {
	m := map[*graph.Variable]*tensor.Array{}
	for i, x := range xs {
		m[x] = values[i]
	}
	return m
}

// CheckGrad compares the symbolic gradient of cost = sum(out * w), for a
// fixed random w, with central finite differences, for every float input.
func CheckGrad(t testing.TB, build BuildFunc, values ...*tensor.Array) {
	t.Helper()
	e, xs, out, outVal := buildAndRun(t, build, values)
	b := e.B
	rng := rand.New(rand.NewPCG(7, 11))
	weights := Rand(rng, outVal.Shape...).Astype(out.Type.DType)
	cost := e.Sum(e.Mul(out, b.Constant(weights)), nil, false)
	if e.Err != nil {
		t.Fatalf("building the cost: %v", e.Err)
	}
	var wrt []*graph.Variable
	var idx []int
	for i, x := range xs {
		if x.Type.DType.IsFloat() {
			wrt = append(wrt, x)
			idx = append(idx, i)
		}
	}
	grads, _, err := grad.Grad(b, cost, wrt, grad.Options{Disconnected: "ignore"})
	if err != nil {
		t.Fatalf("grad: %v", err)
	}
	got, err := eval.Run(grads, bind(xs, values))
	if err != nil {
		t.Fatalf("evaluating the gradient: %v", err)
	}
	costAt := func(vals []*tensor.Array) float64 {
		r, err := eval.Run([]*graph.Variable{cost}, bind(xs, vals))
		if err != nil {
			t.Fatalf("evaluating the cost: %v", err)
		}
		return r[0].Float64s()[0]
	}
	const eps = 1e-6
	for k, i := range idx {
		if !slices.Equal(got[k].Shape, values[i].Shape) {
			t.Fatalf("gradient %d has shape %v, input has %v", i, got[k].Shape, values[i].Shape)
		}
		g := got[k].Float64s()
		base := values[i].Float64s()
		for j := range base {
			plus := append([]float64{}, base...)
			minus := append([]float64{}, base...)
			plus[j] += eps
			minus[j] -= eps
			vp := replaceAt(values, i, tensor.FromFloat64s(values[i].DType, values[i].Shape, plus))
			vm := replaceAt(values, i, tensor.FromFloat64s(values[i].DType, values[i].Shape, minus))
			numeric := (costAt(vp) - costAt(vm)) / (2 * eps)
			if !(math.Abs(numeric-g[j]) <= 1e-5*(1+math.Abs(numeric))) { // NaN fails
				t.Errorf("input %d element %d: symbolic gradient %.9g, finite differences %.9g", i, j, g[j], numeric)
			}
		}
	}
}

func replaceAt(values []*tensor.Array, i int, v *tensor.Array) []*tensor.Array {
	out := append([]*tensor.Array{}, values...)
	out[i] = v
	return out
}

// CheckInferShape checks, for every node computing the outputs, that the
// symbolic shape of each of its outputs (shape.Tracker, from the ops' shape
// rules), evaluated on the same values, equals the evaluated output's shape.
// An op without a shape rule fails the check.
func CheckInferShape(t testing.TB, outputs []*graph.Variable, values map[*graph.Variable]*tensor.Array) {
	t.Helper()
	order := graph.Toposort(outputs)
	var all []*graph.Variable
	for _, n := range order {
		all = append(all, n.Outputs...)
	}
	res, err := eval.Run(all, values)
	if err != nil {
		t.Fatalf("evaluating: %v", err)
	}
	b := graph.NewBuilder()
	tr := shape.NewTracker(b)
	for i, v := range all {
		dims, err := tr.Of(v)
		if err != nil {
			t.Errorf("%s: symbolic shape: %v", graph.OpString(v.Owner.Op), err)
			continue
		}
		if len(dims) == 0 {
			if len(res[i].Shape) != 0 {
				t.Errorf("%s: symbolic shape (), evaluated %v", graph.OpString(v.Owner.Op), res[i].Shape)
			}
			continue
		}
		got, err := eval.Run(dims, values)
		if err != nil {
			t.Errorf("%s: evaluating the symbolic shape: %v", graph.OpString(v.Owner.Op), err)
			continue
		}
		symbolic := make([]int, len(got))
		for d, g := range got {
			symbolic[d] = int(g.Int64s()[0])
		}
		if !slices.Equal(symbolic, res[i].Shape) {
			t.Errorf("%s: symbolic shape %v, evaluated %v", graph.OpString(v.Owner.Op), symbolic, res[i].Shape)
		}
	}
}
