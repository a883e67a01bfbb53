package rewrite

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
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// ruleCase is one pattern of a rule: the graph it builds from a float64
// matrix x (4×3, values in [-1, 1)) and integer labels y (4 classes in
// [0, 3)), the rule that must fire on it, and an op the result must hold.
type ruleCase struct {
	rule  string
	name  string
	build func(e *ops.Expr, x, y *graph.Variable) *graph.Variable
	want  string // an op name the rewritten graph holds
}

func constOne(e *ops.Expr, x *graph.Variable) *graph.Variable { return e.Const(1, x) }

func sigmoidOfX(e *ops.Expr, x *graph.Variable) *graph.Variable { return e.Call("sigmoid", x) }

func softmaxOfX(e *ops.Expr, x *graph.Variable) *graph.Variable { return e.Apply(ops.SoftmaxOp{}, x) }

// rows is arange(0, x.shape[0], 1), the tutorials' row index.
func rows(e *ops.Expr, x *graph.Variable) *graph.Variable {
	return e.ARange(e.ConstOf(0, dtype.Int64), e.Index(e.Shape(x), 0), e.ConstOf(1, dtype.Int64), dtype.Invalid)
}

// gradOf is d(cost)/dx.
func gradOf(e *ops.Expr, cost, x *graph.Variable) *graph.Variable {
	if e.Err != nil {
		return nil
	}
	g, _, err := grad.Grad(e.B, cost, []*graph.Variable{x}, grad.Options{})
	if err != nil {
		e.Err = err
		return nil
	}
	return g[0]
}

func catXent(e *ops.Expr, coding, target *graph.Variable) *graph.Variable {
	if e.Err != nil {
		return nil
	}
	v, err := ops.CategoricalCrossentropy(e.B, coding, target)
	e.Err = err
	return v
}

func binXent(e *ops.Expr, output, target *graph.Variable) *graph.Variable {
	if e.Err != nil {
		return nil
	}
	v, err := ops.BinaryCrossentropy(e.B, output, target)
	e.Err = err
	return v
}

// onehot is the constant one-hot matrix of the test labels.
func onehot(e *ops.Expr, labels []int64, classes int) *graph.Variable {
	v := make([]float64, len(labels)*classes)
	for i, l := range labels {
		v[i*classes+int(l)] = 1
	}
	return e.B.Constant(tensor.FromFloat64s(dtype.Float64, []int{len(labels), classes}, v))
}

var testLabels = []int64{2, 0, 1, 2}

var ruleCases = []ruleCase{
	{"log_sigmoid", "log(sigmoid(x))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable { return e.Log(sigmoidOfX(e, x)) }, "softplus"},
	{"log_sigmoid", "log(sigmoid(-x))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable { return e.Log(e.Call("sigmoid", e.Neg(x))) }, "softplus"},
	{"log1m_sigmoid", "log(1 - sigmoid(x))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		return e.Log(e.Sub(constOne(e, x), sigmoidOfX(e, x)))
	}, "softplus"},
	{"log1m_sigmoid", "log1p(-sigmoid(x))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		return e.Call("log1p", e.Neg(sigmoidOfX(e, x)))
	}, "softplus"},
	{"softplus", "log(1 + exp(x))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable { return e.Log(e.Add(constOne(e, x), e.Exp(x))) }, "softplus"},
	{"softplus", "log1p(exp(x))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable { return e.Call("log1p", e.Exp(x)) }, "softplus"},
	{"log1p", "log(1 + x)", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable { return e.Log(e.Add(constOne(e, x), x)) }, "log1p"},
	{"log1p", "log(x + 1)", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable { return e.Log(e.Add(x, constOne(e, x))) }, "log1p"},
	{"expm1", "exp(x) - 1", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable { return e.Sub(e.Exp(x), constOne(e, x)) }, "expm1"},
	{"expm1", "-1 + exp(x)", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable { return e.Add(e.Const(-1, x), e.Exp(x)) }, "expm1"},
	{"sigmoid", "1/(1 + exp(-x))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		return e.Div(constOne(e, x), e.Add(constOne(e, x), e.Exp(e.Neg(x))))
	}, "sigmoid"},
	{"sigmoid", "exp(x)/(1 + exp(x))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		return e.Div(e.Exp(x), e.Add(constOne(e, x), e.Exp(x)))
	}, "sigmoid"},
	{"sigmoid_complement", "1 - sigmoid(x)", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		return e.Sub(constOne(e, x), sigmoidOfX(e, x))
	}, "sigmoid"},
	{"log_softmax", "log(softmax(x))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable { return e.Log(softmaxOfX(e, x)) }, "logsoftmax"},
	{"log_softmax", "-log(softmax(x))[arange(n), y]", func(e *ops.Expr, x, y *graph.Variable) *graph.Variable {
		return e.Neg(e.AdvancedSubtensor(e.Log(softmaxOfX(e, x)), rows(e, x), y))
	}, "logsoftmax"},
	{"log_sum_exp", "log(sum(exp(x), axis=1))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		return e.Log(e.Sum(e.Exp(x), []int{1}, false))
	}, "max"},
	{"log_sum_exp", "log(sum(exp(x), axis=0, keepdims))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable { return e.Log(e.Sum(e.Exp(x), []int{0}, true)) }, "max"},
	{"log_sum_exp", "log(sum(exp(x)))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable { return e.Log(e.Sum(e.Exp(x), nil, false)) }, "max"},
	{"log_add_exp", "log(exp(x) + exp(2x))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		return e.Log(e.Add(e.Exp(x), e.Exp(e.Add(x, x))))
	}, "maximum"},
	{"log_softmax_index", "categorical_crossentropy(softmax(x), y)", func(e *ops.Expr, x, y *graph.Variable) *graph.Variable {
		return catXent(e, softmaxOfX(e, x), y)
	}, "logsoftmax"},
	{"softmax_grad_stable", "grad of -mean(log(softmax(x))[arange(n), y])", func(e *ops.Expr, x, y *graph.Variable) *graph.Variable {
		return gradOf(e, e.Apply(ops.Reduce{Kind: meanKind(), Axes: graph.NewAxisSet(0)}, e.Neg(e.AdvancedSubtensor(e.Log(softmaxOfX(e, x)), rows(e, x), y))), x)
	}, "sum"},
	{"softmax_grad_stable", "grad of sum(categorical_crossentropy(softmax(x), y))", func(e *ops.Expr, x, y *graph.Variable) *graph.Variable {
		return gradOf(e, e.Sum(catXent(e, softmaxOfX(e, x), y), nil, false), x)
	}, "advanced_inc_subtensor"},
	{"softmax_grad_stable", "grad of sum(categorical_crossentropy(softmax(x), onehot))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		return gradOf(e, e.Sum(catXent(e, softmaxOfX(e, x), onehot(e, testLabels, 3)), nil, false), x)
	}, "sum"},
	{"sigmoid_grad_stable", "grad of sum(log(sigmoid(x)))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		return gradOf(e, e.Sum(e.Log(sigmoidOfX(e, x)), nil, false), x)
	}, "sigmoid"},
	{"sigmoid_grad_stable", "grad of sum(binary_crossentropy(sigmoid(x), t))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		t := e.Call("gt", x, e.Const(0.2, x)) // targets 0 and 1 as a float matrix
		return gradOf(e, e.Sum(binXent(e, sigmoidOfX(e, x), e.Cast(t, dtype.Float64)), nil, false), x)
	}, "sigmoid"},
	// Forms a canonicalizer may leave: negation as mul(-1, x), 1 - s as
	// 1 + -s, division as a product with a reciprocal.
	{"log_sigmoid", "log(sigmoid(-1·x))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		return e.Log(e.Call("sigmoid", e.Mul(e.Const(-1, x), x)))
	}, "softplus"},
	{"log1m_sigmoid", "log(1 + -sigmoid(x))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		return e.Log(e.Add(constOne(e, x), e.Neg(sigmoidOfX(e, x))))
	}, "softplus"},
	{"softmax_grad_stable", "softmax_grad(x · s⁻¹, s)", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		s := softmaxOfX(e, x)
		return e.Apply(ops.SoftmaxGradOp{}, e.Mul(x, e.Call("pow", s, e.Const(-1, s))), s)
	}, "sum"},
	{"sigmoid_grad_stable", "-1·(x · 1/σ) · (σ·(1 + -σ))", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		s := sigmoidOfX(e, x)
		g := e.Mul(e.Const(-1, x), e.Mul(x, e.Div(constOne(e, x), s)))
		return e.Mul(g, e.Mul(s, e.Add(constOne(e, x), e.Neg(s))))
	}, "sigmoid"},
	{"argmax_softmax", "argmax(softmax(x), axis=1)", func(e *ops.Expr, x, _ *graph.Variable) *graph.Variable {
		return e.Apply(ops.ArgReduce{Axes: graph.NewAxisSet(1)}, softmaxOfX(e, x))
	}, "argmax"},
}

func meanKind() *ops.Reduction {
	for _, r := range ops.Reductions() {
		if r.Name == "mean" {
			return r
		}
	}
	panic("no mean reduction")
}

func ruleNamed(t *testing.T, name string) *Rule {
	for _, r := range All() {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no rule %s", name)
	return nil
}

// Each rule fires on its patterns, alone and among all the stability and
// cross-entropy rules, and the values do not change on moderate inputs.
func TestStabilityRulesFireAndKeepValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for _, c := range ruleCases {
		for _, set := range []string{"alone", "all"} {
			t.Run(c.name+"/"+set, func(t *testing.T) {
				rules := []*Rule{ruleNamed(t, c.rule)}
				if set == "all" {
					rules = append(slices.Clone(stabilityRules), xentRules...)
				}
				b := graph.NewBuilder()
				x := b.Input(graph.NewType(dtype.Float64, -1, 3), "x")
				y := b.Input(graph.NewType(dtype.Int64, -1), "y")
				e := ops.NewExpr(b)
				out := c.build(e, x, y)
				if e.Err != nil {
					t.Fatal(e.Err)
				}
				res, stats, err := Apply(b, []*graph.Variable{out}, rules, Options{Strict: true})
				if err != nil {
					t.Fatal(err)
				}
				// Among all the rules another may rewrite first (1 - sigmoid(x)
				// becomes sigmoid(-x) before log sees it).
				if stats.Hits[c.rule] == 0 && (set == "alone" || len(stats.Hits) == 0) {
					t.Fatalf("%s did not fire (hits %v):\n%s", c.rule, stats.Hits, graph.Debugprint(res))
				}
				if stats.Iterations >= 16 {
					t.Errorf("no fixed point after %d sweeps (hits %v): a rule rewrites its own output", stats.Iterations, stats.Hits)
				}
				if !holdsOp(res[0], c.want) {
					t.Errorf("no %s in the rewritten graph:\n%s", c.want, graph.Debugprint(res))
				}
				values := map[*graph.Variable]*tensor.Array{
					x: opstest.Rand(rng, 4, 3),
					y: tensor.FromInt64s(dtype.Int64, []int{4}, testLabels),
				}
				before := run(t, out, values)
				after := run(t, res[0], values)
				if !slices.Equal(before.Shape, after.Shape) {
					t.Fatalf("shape %v after, %v before", after.Shape, before.Shape)
				}
				bv, av := before.Float64s(), after.Float64s()
				for i := range bv {
					if math.Abs(bv[i]-av[i]) > 1e-12*(1+math.Abs(bv[i])) {
						t.Fatalf("values changed: %v before, %v after", bv, av)
					}
				}
			})
		}
	}
}

// Every stability and cross-entropy rule has a case above.
func TestEveryStabilityRuleIsTested(t *testing.T) {
	tested := map[string]bool{}
	for _, c := range ruleCases {
		tested[c.rule] = true
	}
	for _, r := range append(slices.Clone(stabilityRules), xentRules...) {
		if !tested[r.Name] {
			t.Errorf("rule %s has no case in ruleCases", r.Name)
		}
	}
}

func holdsOp(v *graph.Variable, name string) bool {
	for _, n := range graph.Toposort([]*graph.Variable{v}) {
		if n.Op.Name() == name {
			return true
		}
	}
	return false
}

func run(t *testing.T, out *graph.Variable, values map[*graph.Variable]*tensor.Array) *tensor.Array {
	t.Helper()
	got, err := eval.Run([]*graph.Variable{out}, values)
	if err != nil {
		t.Fatal(err)
	}
	return got[0]
}
