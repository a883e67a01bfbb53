package compile

import (
	"fmt"
	"math"
	"math/cmplx"
	"slices"

	"theanogo/core/control"
	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/rewrite"
	"theanogo/core/tensor"
)

// DebugMode (mode "DebugMode") compiles as FAST_RUN does, with a failing
// rewrite rule an error (Strict), and records every rewrite: the rule (or
// the pass over the whole graph), the node it replaced and the
// replacement. Each call then evaluates with the Go evaluator, on the
// call's arguments, the unoptimized graph, the optimized one and both
// sides of every recorded rewrite, and fails with a ValueError naming the
// first rewrite whose sides differ:
//
//	DebugMode: rewrite rule log1p (pass stabilize) changed the value of
//	log (at model.py:12), output 0: at index [3] the original computes
//	0.5 and the replacement 0.25 (float64: rtol 1e-05, atol 1e-08)
//
// The results returned are those of the mode's backend on the optimized
// graph, checked against the evaluator's too.

// rewriteRecord is one recorded rewrite: old's values must equal new's.
type rewriteRecord struct {
	rule string       // the rule's name, or the pass's for a whole-graph pass
	pass string       // the pass that ran it
	node *graph.Apply // the node replaced; nil for a whole-graph record
	old  []*graph.Variable
	new  []*graph.Variable
}

// debugLog is what DebugMode keeps from compiling: the unoptimized results
// and shared variables, and the rewrites in the order they happened.
type debugLog struct {
	original       []*graph.Variable
	originalShared []*graph.Variable
	rewrites       []rewriteRecord
}

// newDebugLog keeps a copy of fg before optimization (nodes are immutable:
// the results and shared lists are all there is to copy).
func newDebugLog(fg *FunctionGraph) *debugLog {
	return &debugLog{original: slices.Clone(fg.Results), originalShared: slices.Clone(fg.Shared)}
}

// ruleHook records the rewrites of the rule pass called pass.
func (d *debugLog) ruleHook(pass string) func(*rewrite.Rule, []*graph.Variable, []*graph.Variable) {
	return func(r *rewrite.Rule, old, new []*graph.Variable) {
		d.rewrites = append(d.rewrites, rewriteRecord{rule: r.Name, pass: pass, node: old[0].Owner, old: old, new: new})
	}
}

// recordGraphPass runs a pass over the whole graph, recording each node it
// replaces (through rewriteGraph), or, when the pass changed the results
// without telling of any node, the results before and after.
func (d *debugLog) recordGraphPass(pass string, fg *FunctionGraph, run func() error) error {
	before := slices.Clone(fg.Results)
	count := len(d.rewrites)
	fg.onRewrite = func(old *graph.Apply, news []*graph.Variable) {
		d.rewrites = append(d.rewrites, rewriteRecord{rule: pass, pass: pass, node: old, old: old.Outputs, new: slices.Clone(news)})
	}
	defer func() { fg.onRewrite = nil }()
	if err := run(); err != nil {
		return err
	}
	if len(d.rewrites) == count && !slices.Equal(before, fg.Results) {
		d.rewrites = append(d.rewrites, rewriteRecord{rule: pass, pass: pass, old: before, new: slices.Clone(fg.Results)})
	}
	return nil
}

// keepShared adds to fg the shared variables that only the unoptimized
// graph reads (w in w*0), so that each call passes their values too.
func (d *debugLog) keepShared(fg *FunctionGraph) {
	for _, s := range d.originalShared {
		if !slices.Contains(fg.Shared, s) {
			fg.Shared = append(fg.Shared, s)
		}
	}
}

// debugCallable runs the backend's callable and the checks of DebugMode.
type debugCallable struct {
	log     *debugLog
	fg      *FunctionGraph
	backend string
	inner   Callable
	// prog computes, in one evaluation (shared subexpressions once): the
	// original results, the optimized results, then old and new of each
	// recorded rewrite.
	prog *eval.Program
	// rewriteProg, when set, computes the recorded rewrites' old and new
	// values apart (a graph with an ifelse: prog is lazy, as the function
	// is, and a rewrite inside the untaken branch may fail on arguments
	// that branch would never see; its check is then skipped).
	rewriteProg *eval.Program
}

// checker wraps the backend's callable c of the optimized fg.
func (d *debugLog) checker(fg *FunctionGraph, backend string, c Callable) (Callable, error) {
	outs := append(slices.Clone(d.original), fg.Results...)
	var rewrites []*graph.Variable
	for _, r := range d.rewrites {
		rewrites = append(append(rewrites, r.old...), r.new...)
	}
	dc := &debugCallable{log: d, fg: fg, backend: backend, inner: c}
	if hasIfElse(d.original) {
		// the unoptimized graph runs lazily too: its untaken branch must
		// not fail the call
		lazy := &FunctionGraph{Inputs: fg.Inputs, Shared: fg.Shared, Results: outs, NumOutputs: len(outs), Builder: fg.Builder}
		if err := lazyIfElse(fg.Builder, lazy); err != nil {
			return nil, fmt.Errorf("DebugMode: %w", err)
		}
		outs = lazy.Results
		if len(rewrites) > 0 {
			p, err := eval.NewProgram(fg.AllInputs(), rewrites)
			if err != nil {
				return nil, fmt.Errorf("DebugMode: %w", err)
			}
			dc.rewriteProg = p
		}
	} else {
		outs = append(outs, rewrites...)
	}
	prog, err := eval.NewProgram(fg.AllInputs(), outs)
	if err != nil {
		return nil, fmt.Errorf("DebugMode: %w", err)
	}
	dc.prog = prog
	return dc, nil
}

// hasIfElse reports whether an ifelse computes some of outputs.
func hasIfElse(outputs []*graph.Variable) bool {
	for _, n := range graph.Toposort(outputs) {
		if _, ok := n.Op.(control.IfElseOp); ok {
			return true
		}
	}
	return false
}

// Close closes the checked callable (Closer).
func (c *debugCallable) Close() {
	if inner, ok := c.inner.(Closer); ok {
		inner.Close()
	}
}

func (c *debugCallable) Run(args []*tensor.Array) ([]*tensor.Array, error) {
	values, err := c.prog.Run(args)
	if err != nil {
		if _, innerErr := c.inner.Run(args); innerErr != nil {
			return nil, innerErr
		}
		return nil, graph.ValueErrorf("DebugMode: the optimized graph runs on these arguments, but the unoptimized graph or a recorded rewrite fails: %v", err)
	}
	n := len(c.log.original)
	original, optimized := values[:n], values[n:2*n]
	k := 2 * n
	rewrites := c.log.rewrites
	if c.rewriteProg != nil {
		if values, err = c.rewriteProg.Run(args); err != nil {
			rewrites = nil // a rewrite in a branch this call does not take
		}
		k = 0
	}
	for _, r := range rewrites {
		old, new := values[k:k+len(r.old)], values[k+len(r.old):k+len(r.old)+len(r.new)]
		k += len(r.old) + len(r.new)
		for i := range old {
			if detail := compareValues(old[i], new[i]); detail != "" {
				return nil, graph.ValueErrorf("DebugMode: %s changed the value of %s, %s: %s", r.what(), r.where(i), c.resultName(r, i), detail)
			}
		}
	}
	for i := range original {
		if detail := compareValues(original[i], optimized[i]); detail != "" {
			return nil, graph.ValueErrorf("DebugMode: the optimized graph computes %s differently from the unoptimized one (%s), though every recorded rewrite kept its values: %s",
				c.fg.resultName(i), nodeWhere(c.log.original[i].Owner), detail)
		}
	}
	results, err := c.inner.Run(args)
	if err != nil {
		return nil, err
	}
	for i := range results {
		if detail := compareValues(optimized[i], results[i]); detail != "" {
			return nil, graph.ValueErrorf("DebugMode: backend %s computes %s (%s) differently from the Go evaluator: %s",
				c.backend, c.fg.resultName(i), nodeWhere(c.fg.Results[i].Owner), detail)
		}
	}
	return results, nil
}

// what names the rewrite for messages.
func (r *rewriteRecord) what() string {
	if r.rule == r.pass {
		return "pass " + r.pass
	}
	return fmt.Sprintf("rewrite rule %s (pass %s)", r.rule, r.pass)
}

// where names the node of output i that the rewrite replaced.
func (r *rewriteRecord) where(i int) string {
	n := r.node
	if n == nil {
		n = r.old[i].Owner
	}
	return nodeWhere(n)
}

// resultName names output i of the rewrite: "output 0" of its node, or the
// function's result for a whole-graph record.
func (c *debugCallable) resultName(r rewriteRecord, i int) string {
	if r.node == nil {
		return c.fg.resultName(i)
	}
	return fmt.Sprintf("output %d", i)
}

// resultName names the function's result i: "output 0" or "the update of w".
func (fg *FunctionGraph) resultName(i int) string {
	if i < fg.NumOutputs {
		return fmt.Sprintf("output %d", i)
	}
	return fmt.Sprintf("the update of %v", fg.UpdateTargets[i-fg.NumOutputs])
}

// nodeWhere names a node and the user's source line: "exp (at model.py:7)".
func nodeWhere(n *graph.Apply) string {
	if n == nil {
		return "an input or constant"
	}
	if n.Source == "" {
		return graph.OpString(n.Op) + " (no source line)"
	}
	return graph.OpString(n.Op) + " (at " + n.Source + ")"
}

// tolerances are the (rtol, atol) two floats of a dtype may differ by and
// count as equal, as Theano's DebugMode allows.
func tolerances(dt dtype.DType) (rtol, atol float64) {
	switch dt {
	case dtype.Float16:
		return 1e-2, 1e-3
	case dtype.Float32, dtype.Complex64:
		return 1e-4, 1e-5
	}
	return 1e-5, 1e-8
}

// compareValues returns "" when got equals want (the reference: the
// original graph, or the rewritten node): the same dtype and shape, and
// equal elements, floats up to the dtype's tolerance, NaN equal to NaN,
// integers and bools exactly. A NaN or infinity of want that got computes
// as a finite number is accepted: that is what stabilizing rewrites do
// (log(1+exp(x)) -> softplus(x)). Otherwise it describes the first
// difference.
func compareValues(want, got *tensor.Array) string {
	switch {
	case want.DType != got.DType:
		return fmt.Sprintf("the original is %v and the replacement %v", want.DType, got.DType)
	case !slices.Equal(want.Shape, got.Shape):
		return fmt.Sprintf("the original has shape %v and the replacement %v", want.Shape, got.Shape)
	}
	rtol, atol := tolerances(want.DType)
	tol := fmt.Sprintf("(%v: rtol %g, atol %g)", want.DType, rtol, atol)
	switch {
	case want.DType.IsFloat():
		w, g := want.ReadFloat64s(), got.ReadFloat64s()
		for i := range w {
			if !closeFloat(w[i], g[i], rtol, atol) {
				return fmt.Sprintf("at index %v the original computes %v and the replacement %v %s", unravel(i, want.Shape), w[i], g[i], tol)
			}
		}
	case want.DType.IsComplex():
		w, g := want.Complex128s(), got.Complex128s()
		for i := range w {
			if !closeFloat(real(w[i]), real(g[i]), rtol, atol) || !closeFloat(imag(w[i]), imag(g[i]), rtol, atol) {
				if cmplx.IsNaN(w[i]) && cmplx.IsNaN(g[i]) {
					continue
				}
				return fmt.Sprintf("at index %v the original computes %v and the replacement %v %s", unravel(i, want.Shape), w[i], g[i], tol)
			}
		}
	default:
		w, g := want.Int64s(), got.Int64s()
		for i := range w {
			if w[i] != g[i] {
				return fmt.Sprintf("at index %v the original computes %v and the replacement %v (%v: exact)", unravel(i, want.Shape), w[i], g[i], want.DType)
			}
		}
	}
	return ""
}

// closeFloat compares g to the reference w, as numpy.isclose with
// equal_nan, accepting a finite g for a non-finite w.
func closeFloat(w, g, rtol, atol float64) bool {
	switch {
	case w == g:
		return true
	case math.IsNaN(w) || math.IsInf(w, 0):
		return !math.IsNaN(g) && !math.IsInf(g, 0) || math.IsNaN(w) && math.IsNaN(g)
	case math.IsNaN(g) || math.IsInf(g, 0):
		return false
	}
	return math.Abs(w-g) <= atol+rtol*math.Abs(w)
}

// unravel turns a flat (C-order) index into one per dimension.
func unravel(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 0 {
			idx[d] = i % shape[d]
			i /= shape[d]
		}
	}
	return idx
}

// testRules are extra rules that the rule passes run when enabled, set only
// by tests (export_test.go) to inject a rewrite DebugMode must catch.
var testRules []*rewrite.Rule
