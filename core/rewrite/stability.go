package rewrite

import (
	"math"

	"theanogo/core/graph"
	"theanogo/core/ops"
)

// stabilize tags the numerically safe forms: the stabilize pass runs them,
// in every optimizer that includes it (fast_run among them).
var stabilize = []string{"stabilize", "fast_run"}

// stabilityRules rewrite expressions that overflow, underflow or lose
// precision into equal ones that do not. The user writes the textbook
// formula; the compiled function computes the safe one.
var stabilityRules = []*Rule{
	{Name: "log_sigmoid", Tags: stabilize, Roots: []string{"log"}, Rewrite: singleRule(logSigmoid)},                    // log(sigmoid(x)) -> -softplus(-x)
	{Name: "log1m_sigmoid", Tags: stabilize, Roots: []string{"log", "log1p"}, Rewrite: singleRule(logOneMinusSigmoid)}, // log(1 - sigmoid(x)) -> -softplus(x); log1p(-sigmoid(x)) too
	{Name: "softplus", Tags: stabilize, Roots: []string{"log", "log1p"}, Rewrite: singleRule(softplus)},                // log(1 + exp(x)) -> softplus(x); log1p(exp(x)) too
	{Name: "log1p", Tags: stabilize, Roots: []string{"log"}, Rewrite: singleRule(log1p)},                               // log(1 + x) -> log1p(x), 1 on either side
	{Name: "expm1", Tags: stabilize, Roots: []string{"sub", "add"}, Rewrite: singleRule(expm1)},                        // exp(x) - 1 -> expm1(x); exp(x) + -1 too
	{Name: "sigmoid", Tags: stabilize, Roots: []string{"true_div"}, Rewrite: singleRule(sigmoid)},                      // 1/(1 + exp(-z)) -> sigmoid(z); exp(z)/(1 + exp(z)) -> sigmoid(z)
	{Name: "sigmoid_complement", Tags: stabilize, Roots: []string{"sub", "add"}, Rewrite: singleRule(oneMinusSigmoid)}, // 1 - sigmoid(x) -> sigmoid(-x)
	{Name: "log_softmax", Tags: stabilize, Roots: []string{"log"}, Rewrite: singleRule(logSoftmax)},                    // log(softmax(x)) -> logsoftmax(x)
	{Name: "log_sum_exp", Tags: stabilize, Roots: []string{"log"}, Rewrite: singleRule(logSumExp)},                     // log(sum(exp(x), axes)) -> m + log(sum(exp(x - m), axes)), m = max(x, axes) (0 where infinite)
	{Name: "log_add_exp", Tags: stabilize, Roots: []string{"log"}, Rewrite: singleRule(logAddExp)},                     // log(exp(a) + exp(b)) -> max(a, b) + log1p(exp(-|a - b|)), as softplus(-|a - b|)
}

func logSigmoid(e *ops.Expr, n *graph.Apply) *graph.Variable {
	if x, ok := input(n.Inputs[0], "sigmoid"); ok {
		return e.Neg(e.Call("softplus", negate(e, x)))
	}
	return nil
}

func logOneMinusSigmoid(e *ops.Expr, n *graph.Apply) *graph.Variable {
	var s *graph.Variable
	if OpKey(n.Op) == "log" {
		s, _ = oneMinus(n.Inputs[0])
	} else {
		s, _ = negated(n.Inputs[0])
	}
	if x, ok := input(s, "sigmoid"); ok {
		return e.Neg(e.Call("softplus", x))
	}
	return nil
}

func softplus(e *ops.Expr, n *graph.Apply) *graph.Variable {
	arg := n.Inputs[0]
	if OpKey(n.Op) == "log" {
		var ok bool
		if arg, ok = plusConstant(arg, 1); !ok {
			return nil
		}
	}
	if x, ok := input(arg, "exp"); ok {
		return e.Call("softplus", x)
	}
	return nil
}

func log1p(e *ops.Expr, n *graph.Apply) *graph.Variable {
	if x, ok := plusConstant(n.Inputs[0], 1); ok {
		return e.Call("log1p", x)
	}
	return nil
}

func expm1(e *ops.Expr, n *graph.Apply) *graph.Variable {
	var ex *graph.Variable
	if OpKey(n.Op) == "sub" {
		if a, b, _ := operands(n.Outputs[0], "sub"); scalarConstant(b, 1) {
			ex = a
		}
	} else {
		ex, _ = plusConstant(n.Outputs[0], -1)
	}
	if x, ok := input(ex, "exp"); ok {
		return e.Call("expm1", x)
	}
	return nil
}

func sigmoid(e *ops.Expr, n *graph.Apply) *graph.Variable {
	num, den := n.Inputs[0], n.Inputs[1]
	ez, ok := plusConstant(den, 1)
	if !ok {
		return nil
	}
	z, ok := input(ez, "exp")
	if !ok {
		return nil
	}
	switch {
	case scalarConstant(num, 1): // 1/(1 + exp(z)) = sigmoid(-z)
		return e.Call("sigmoid", negate(e, z))
	case sameValue(num, ez): // exp(z)/(1 + exp(z)) = sigmoid(z)
		return e.Call("sigmoid", z)
	}
	return nil
}

func oneMinusSigmoid(e *ops.Expr, n *graph.Apply) *graph.Variable {
	s, ok := oneMinus(n.Outputs[0])
	if !ok {
		return nil
	}
	if x, ok := input(s, "sigmoid"); ok {
		return e.Call("sigmoid", negate(e, x))
	}
	return nil
}

func logSoftmax(e *ops.Expr, n *graph.Apply) *graph.Variable {
	if sm := n.Inputs[0].Owner; sm != nil && sm.Op == (ops.SoftmaxOp{}) {
		return e.Apply(ops.SoftmaxOp{Log: true}, sm.Inputs[0])
	}
	return nil
}

func logSumExp(e *ops.Expr, n *graph.Apply) *graph.Variable {
	s := n.Inputs[0].Owner
	if s == nil {
		return nil
	}
	sum, ok := s.Op.(ops.Reduce)
	if !ok || sum.Kind.Name != "sum" {
		return nil
	}
	x, ok := input(s.Inputs[0], "exp")
	if !ok || !x.Type.DType.IsFloat() || shiftedByMax(x) {
		return nil
	}
	axes := sum.Axes.Axes()
	top, err := ops.Max(e.B, x, axes, true)
	if err != nil {
		e.Err = err
		return nil
	}
	// An infinite maximum (all -inf, or a +inf) is not subtracted: the sum
	// then gives the right infinity or NaN by itself.
	finite := e.Call("lt", e.Call("abs", top), e.Const(math.Inf(1), top))
	shift := e.Call("switch", finite, top, e.Const(0, top))
	out := e.Log(e.Sum(e.Exp(e.Sub(x, shift)), axes, sum.KeepDims))
	if !sum.KeepDims {
		var kept []int
		for d := range x.Type.Ndim() {
			if !sum.Axes.Has(d) {
				kept = append(kept, d)
			}
		}
		shift = e.DimShuffle(shift, kept)
	}
	return e.Add(shift, out)
}

// shiftedByMax reports whether v is x - m with m the (switched) maximum
// that log_sum_exp subtracts: its own output, not to be rewritten again.
func shiftedByMax(v *graph.Variable) bool {
	_, shift, ok := operands(v, "sub")
	if !ok || shift.Owner == nil || len(shift.Owner.Inputs) != 3 {
		return false
	}
	if _, name := ScalarNode(shift); name != "switch" {
		return false
	}
	top := shift.Owner.Inputs[1].Owner
	if top == nil {
		return false
	}
	r, ok := top.Op.(ops.Reduce)
	return ok && r.Kind.Name == "max"
}

func logAddExp(e *ops.Expr, n *graph.Apply) *graph.Variable {
	ea, eb, ok := operands(n.Inputs[0], "add")
	if !ok {
		return nil
	}
	a, okA := input(ea, "exp")
	b, okB := input(eb, "exp")
	if !okA || !okB {
		return nil
	}
	return e.Add(e.Call("maximum", a, b), e.Call("softplus", e.Neg(e.Call("abs", e.Sub(a, b)))))
}
