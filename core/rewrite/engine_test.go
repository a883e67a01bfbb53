package rewrite

import (
	"errors"
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// logExp is a toy rule: log(exp(x)) -> x.
var logExp = &Rule{Name: "log_exp", Tags: []string{"test"}, Roots: []string{"log"},
	Rewrite: func(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
		in := n.Inputs[0]
		if in.Owner == nil || OpKey(in.Owner.Op) != "exp" {
			return nil, nil
		}
		return []*graph.Variable{in.Owner.Inputs[0]}, nil
	}}

// negNeg is -(-x) -> x, which only matches after log_exp rewrote inside.
var negNeg = &Rule{Name: "neg_neg", Tags: []string{"test"}, Roots: []string{"neg"},
	Rewrite: func(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
		in := n.Inputs[0]
		if in.Owner == nil || OpKey(in.Owner.Op) != "neg" {
			return nil, nil
		}
		return []*graph.Variable{in.Owner.Inputs[0]}, nil
	}}

func TestApplyReachesAFixedPointAndCountsHits(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	e := ops.NewExpr(b)
	// -(log(exp(-(log(exp(x)))))) -> x
	out := e.Neg(e.Log(e.Exp(e.Neg(e.Log(e.Exp(x))))))
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	out.Owner.Source = "model.py:3"
	var log strings.Builder
	res, stats, err := Apply(b, []*graph.Variable{out}, []*Rule{logExp, negNeg}, Options{Strict: true, Verbose: &log})
	if err != nil {
		t.Fatal(err)
	}
	if res[0] != x {
		t.Errorf("rewritten to %s, want x", graph.Debugprint(res))
	}
	if stats.Hits["log_exp"] != 2 || stats.Hits["neg_neg"] != 1 {
		t.Errorf("hits %v, want log_exp 2 and neg_neg 1", stats.Hits)
	}
	if !strings.Contains(log.String(), "rewrite neg_neg: neg -> x (at model.py:3)") {
		t.Errorf("verbose log:\n%s", log.String())
	}
}

func TestFailingRulesAreSkippedOrRaised(t *testing.T) {
	broken := []*Rule{
		{Name: "errs", Roots: []string{"exp"}, Rewrite: func(*graph.Builder, *graph.Apply) ([]*graph.Variable, error) {
			return nil, errors.New("boom")
		}},
		{Name: "panics", Roots: []string{"exp"}, Rewrite: func(*graph.Builder, *graph.Apply) ([]*graph.Variable, error) {
			panic("assignment to entry in nil map") // a bug in a rule

		}},
		{Name: "wrong_type", Roots: []string{"exp"}, Rewrite: func(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
			return []*graph.Variable{b.Input(graph.NewType(dtype.Float32, -1), "y")}, nil
		}},
		{Name: "loses_broadcast", Roots: []string{"exp"}, Rewrite: func(b *graph.Builder, n *graph.Apply) ([]*graph.Variable, error) {
			return []*graph.Variable{b.Input(graph.NewType(dtype.Float64, -1, -1), "y")}, nil
		}},
	}
	for _, r := range broken {
		b := graph.NewBuilder()
		x := b.Input(graph.NewType(dtype.Float64, 1, -1), "x")
		out, err := ops.Scalar(b, "exp", x)
		if err != nil {
			t.Fatal(err)
		}
		var warnings []string
		res, _, err := Apply(b, []*graph.Variable{out}, []*Rule{r}, Options{Warn: func(m string) { warnings = append(warnings, m) }})
		if err != nil || res[0] != out {
			t.Errorf("%s in the default mode: %v, graph %s", r.Name, err, graph.Debugprint(res))
		}
		if len(warnings) != 1 || !strings.Contains(warnings[0], r.Name) {
			t.Errorf("%s: warnings %q", r.Name, warnings)
		}
		if _, _, err := Apply(b, []*graph.Variable{out}, []*Rule{r}, Options{Strict: true}); err == nil || !strings.Contains(err.Error(), r.Name) {
			t.Errorf("%s in strict mode: %v", r.Name, err)
		}
	}
}

func TestSelectByTagNameAndMode(t *testing.T) {
	saved := canonicalRules
	defer func() { canonicalRules = saved }()
	a := &Rule{Name: "a", Tags: []string{"canonicalize", "fast_run"}}
	c := &Rule{Name: "c", Tags: []string{"canonicalize", "shape"}}
	canonicalRules = []*Rule{a, c}
	names := func(rs []*Rule) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.Name)
		}
		return strings.Join(s, ",")
	}
	cases := []struct {
		enabled                         bool
		including, excluding, requiring []string
		want                            string
	}{
		{true, nil, nil, nil, "a,c"},
		{false, nil, nil, nil, ""},
		{false, []string{"c"}, nil, nil, "c"},
		{false, []string{"shape"}, nil, nil, "c"},
		{true, nil, []string{"a"}, nil, "c"},
		{true, nil, []string{"shape"}, nil, "a"},
		{true, nil, nil, []string{"fast_run"}, "a"},
	}
	for _, tc := range cases {
		if got := names(Select("canonicalize", tc.enabled, tc.including, tc.excluding, tc.requiring)); got != tc.want {
			t.Errorf("Select(enabled=%v, including=%v, excluding=%v, requiring=%v) = %q, want %q", tc.enabled, tc.including, tc.excluding, tc.requiring, got, tc.want)
		}
	}
}
