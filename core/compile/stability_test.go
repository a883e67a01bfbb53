package compile_test

import (
	"math"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/grad"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// stabilityCase is an expression that overflows or divides by an
// underflowed probability when computed as written, with an input that
// makes it do so and the exact results (value, and gradient where given).
type stabilityCase struct {
	name  string
	x     *tensor.Array
	y     *tensor.Array // integer labels or targets, or nil
	build func(e *ops.Expr, x, y *graph.Variable) *graph.Variable
	want  []float64 // the output's value
	grad  []float64 // d sum(output) / dx, or nil: not checked
}

func mat(rows, cols int, v ...float64) *tensor.Array {
	return tensor.FromFloat64s(dtype.Float64, []int{rows, cols}, v)
}

func labels(v ...int64) *tensor.Array { return tensor.FromInt64s(dtype.Int64, []int{len(v)}, v) }

func tutorialLoss(e *ops.Expr, x, y *graph.Variable) *graph.Variable {
	n := e.Index(e.Shape(x), 0)
	rows := e.ARange(e.ConstOf(0, dtype.Int64), n, e.ConstOf(1, dtype.Int64), dtype.Invalid)
	nll := e.Neg(e.AdvancedSubtensor(e.Log(e.Apply(ops.SoftmaxOp{}, x)), rows, y))
	if e.Err != nil {
		return nil
	}
	mean, err := ops.Mean(e.B, nll, nil, false)
	e.Err = err
	return mean
}

func crossentropy(f func(*graph.Builder, *graph.Variable, *graph.Variable) (*graph.Variable, error), e *ops.Expr, p, t *graph.Variable) *graph.Variable {
	if e.Err != nil {
		return nil
	}
	v, err := f(e.B, p, t)
	e.Err = err
	return v
}

var stabilityCases = []stabilityCase{
	{"log(sigmoid(x)) at -800", vec(-800, 0), nil, func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		return e.Log(e.Call("sigmoid", x))
	}, []float64{-800, -math.Ln2}, nil},
	{"log(1 - sigmoid(x)) at 800", vec(800, 0), nil, func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		return e.Log(e.Sub(e.Const(1, x), e.Call("sigmoid", x)))
	}, []float64{-800, -math.Ln2}, nil},
	{"log(1 + exp(x)) at 800", vec(800, 0), nil, func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		return e.Log(e.Add(e.Const(1, x), e.Exp(x)))
	}, []float64{800, math.Ln2}, nil},
	{"log(sum(exp(x))) at 1000", vec(1000, 1000), nil, func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		return e.Log(e.Sum(e.Exp(x), nil, false))
	}, []float64{1000 + math.Ln2}, nil},
	{"-mean(log(softmax(x))[arange(n), y]) at logits 1e4", mat(2, 3, 1e4, 0, -1e4, 0, 1e4, 0), labels(2, 1), tutorialLoss,
		[]float64{1e4}, []float64{0.5, 0, -0.5, 0, 0, 0}},
	{"categorical_crossentropy(softmax(z), y) at |z| = 800", mat(2, 3, 800, -800, 0, 0, 0, 800), labels(1, 2), func(e *ops.Expr, x, y *graph.Variable) *graph.Variable {
		return crossentropy(ops.CategoricalCrossentropy, e, e.Apply(ops.SoftmaxOp{}, x), y)
	}, []float64{1600, 0}, []float64{1, -1, 0, 0, 0, 0}},
	{"categorical_crossentropy(softmax(z), onehot) at |z| = 800", mat(2, 3, 800, -800, 0, 0, 0, 800), mat(2, 3, 0, 1, 0, 0, 0, 1), func(e *ops.Expr, x, y *graph.Variable) *graph.Variable {
		return crossentropy(ops.CategoricalCrossentropy, e, e.Apply(ops.SoftmaxOp{}, x), y)
	}, []float64{1600, 0}, []float64{1, -1, 0, 0, 0, 0}},
	{"binary_crossentropy(sigmoid(z), t) at |z| = 800", vec(800, -800, 800, -800), vec(1, 0, 0, 1), func(e *ops.Expr, x, t *graph.Variable) *graph.Variable {
		return crossentropy(ops.BinaryCrossentropy, e, e.Call("sigmoid", x), t)
	}, []float64{0, 0, 800, 800}, []float64{0, 0, 1, -1}},
}

// The stabilize pass makes these expressions and their gradients finite
// and exact (FAST_RUN), where computing them as written (optimizer None)
// gives inf or NaN.
func TestStabilityAtExtremeInputs(t *testing.T) {
	for _, c := range stabilityCases {
		t.Run(c.name, func(t *testing.T) {
			b := graph.NewBuilder()
			e := ops.NewExpr(b)
			x := b.Input(graph.NewType(dtype.Float64, unknown(c.x.Ndim())...), "x")
			inputs, args := []*graph.Variable{x}, []*tensor.Array{c.x}
			var y *graph.Variable
			if c.y != nil {
				y = b.Input(graph.NewType(c.y.DType, unknown(c.y.Ndim())...), "y")
				inputs, args = append(inputs, y), append(args, c.y)
			}
			out := c.build(e, x, y)
			outputs := []*graph.Variable{out}
			if c.grad != nil && e.Err == nil {
				cost := e.Sum(out, nil, false)
				g, _, err := grad.Grad(b, cost, []*graph.Variable{x}, grad.Options{})
				if err != nil {
					t.Fatal(err)
				}
				outputs = append(outputs, g[0])
			}
			if e.Err != nil {
				t.Fatal(e.Err)
			}
			for _, optimizer := range []string{"", "None"} {
				f, err := compile.Compile(b, compile.FunctionSpec{Inputs: inputs, Outputs: outputs, Optimizer: optimizer, Strict: true})
				if err != nil {
					t.Fatal(err)
				}
				got, err := f.Run(args)
				if err != nil {
					t.Fatal(err)
				}
				wants := [][]float64{c.want, c.grad}
				for i, r := range got {
					v := r.Float64s()
					if optimizer == "None" {
						if allFinite(v) {
							t.Errorf("output %d without optimization: %v, want an inf or a NaN (else the case tests nothing)", i, v)
						}
						continue
					}
					if !closeTo(v, wants[i]) {
						t.Errorf("output %d under FAST_RUN: %v, want %v (rewrites %v)\n%s", i, v, wants[i], f.RewriteHits, f.Graph)
					}
				}
			}
		})
	}
}

func unknown(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = graph.Unknown
	}
	return s
}

func allFinite(v []float64) bool {
	for _, x := range v {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return false
		}
	}
	return true
}

func closeTo(got, want []float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if math.IsNaN(got[i]) || math.Abs(got[i]-want[i]) > 1e-9*(1+math.Abs(want[i])) {
			return false
		}
	}
	return true
}
