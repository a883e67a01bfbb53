package compile

import (
	"fmt"
	"slices"
	"strings"

	"theanogo/core/graph"
	"theanogo/core/rewrite"
)

// Pass rewrites a function graph in place (replacing its Results).
type Pass struct {
	Name string
	Run  func(c *passContext, fg *FunctionGraph) error
}

// passes is the pass table, in the order passes run. An optimizer preset
// enables a subset; the order is always this one.
var passes = []Pass{
	{"scan_hoist", graphPass(scanHoist)},                   // a scan step's loop-invariant nodes computed once, outside the loop
	{"inner_graphs", nil},                                  // inner graphs (scan steps, ifelse branches) through this same table
	{"scan_hoist_nested", graphPass(scanHoist)},            // again: what a nested scan's hoisting moved up into a step moves on out
	{"merge", graphPass(merge)},                            // equal subexpressions computed once
	{"shape_of", graphPass(shapeOf)},                       // x.shape from the shapes of x's inputs, never computing x
	{"constant_folding", graphPass(foldConstants)},         // nodes of constants computed at compile time
	{"canonicalize", rulePass("canonicalize")},             // standard forms: add/mul normal forms, useless ops removed
	{"stabilize", rulePass("stabilize", "canonicalize")},   // numerically safe forms: log1p, softplus, logsoftmax
	{"specialize", rulePass("specialize", "canonicalize")}, // faster forms: gemm, argmax without softmax
	{"softmax_share", graphPass(shareSoftmax)},             // softmax and logsoftmax of one x: softmax = exp(logsoftmax)
	{"fusion", graphPass(fuseElemwise)},                    // chains of elementwise ops into one composite
	{"merge_final", graphPass(merge)},                      // what the rewrites made equal, computed once
	{"scan_save_mem", graphPass(scanSaveMem)},              // scan outputs read only at their tail keep only those rows
	{"ifelse_lazy", requiredPass(lazyIfElse)},              // nodes one ifelse branch alone needs move into it (every mode: it is semantics)
}

// passOrder lists pairs of passes where the first must run before the
// second; it is checked when the package loads (a pass moved in the table
// against its dependencies fails at once, not three passes later).
var passOrder = [][2]string{
	{"merge", "shape_of"},            // shape rules see one node per subexpression
	{"shape_of", "constant_folding"}, // static shapes fold
	{"constant_folding", "canonicalize"},
	{"canonicalize", "stabilize"},   // stability patterns match canonical forms
	{"stabilize", "specialize"},     // fusions of softmax and cross-entropy see logsoftmax
	{"specialize", "softmax_share"}, // argmax(softmax(x)) has become argmax(x): a softmax left has readers
	{"softmax_share", "fusion"},     // the exp it makes fuses into the softmax's readers
	{"specialize", "fusion"},        // fusion sees the final elementwise ops
	{"fusion", "merge_final"},
	{"inner_graphs", "merge"},      // the outer passes see optimized inner graphs
	{"merge_final", "ifelse_lazy"}, // branches take their nodes fully optimized and merged
	{"scan_hoist", "inner_graphs"}, // the step is optimized without the work hoisted out of it
	{"scan_hoist", "merge"},        // the hoisted nodes are merged and optimized as outer nodes
	{"inner_graphs", "scan_hoist_nested"},
	{"scan_hoist_nested", "merge"},
	{"merge_final", "scan_save_mem"}, // the readers of a scan's outputs are in their final form
	{"scan_save_mem", "ifelse_lazy"}, // a tail read inside a branch still counts as a tail read
}

func init() {
	// inner_graphs runs this table on inner graphs: set here, as the
	// table cannot refer to itself in its initializer.
	passes[slices.IndexFunc(passes, func(p Pass) bool { return p.Name == "inner_graphs" })].Run = innerGraphs
	index := map[string]int{}
	for i, p := range passes {
		index[p.Name] = i
	}
	for _, o := range passOrder {
		a, okA := index[o[0]]
		b, okB := index[o[1]]
		if !okA || !okB || a >= b {
			panic(fmt.Sprintf("compile: pass %s must run before pass %s", o[0], o[1]))
		}
	}
}

// optimizers are the presets of Theano's config.optimizer: the passes each
// enables.
var optimizers = map[string][]string{
	"None":         {},
	"fast_compile": {"merge", "shape_of"},
	"stabilize":    {"merge", "shape_of", "constant_folding", "canonicalize", "stabilize", "merge_final"},
	"fast_run":     {"scan_hoist", "scan_hoist_nested", "merge", "shape_of", "constant_folding", "canonicalize", "stabilize", "specialize", "softmax_share", "fusion", "merge_final", "scan_save_mem"},
}

// Mode is what a function is compiled with: the optimizer's passes, the
// rule adjustments, and the backend that prepares the code.
type Mode struct {
	Name                            string
	Optimizer                       string
	Including, Excluding, Requiring []string
	Strict                          bool
	Backend                         Backend
	// Debug records every rewrite while compiling and checks, at each
	// call, that each one and the whole optimization preserved the values
	// (DebugMode, debugmode.go).
	Debug bool
}

// modes are the presets of theano's `mode=` argument.
var modes = map[string]Mode{
	"FAST_RUN":     {Name: "FAST_RUN", Optimizer: "fast_run", Backend: EvaluatorBackend{}},
	"FAST_COMPILE": {Name: "FAST_COMPILE", Optimizer: "fast_compile", Backend: EvaluatorBackend{}},
	// DebugMode: FAST_RUN's rewrites, a failing rule is an error, and each
	// call checks the rewrites on its arguments (debugmode.go).
	"DebugMode": {Name: "DebugMode", Optimizer: "fast_run", Strict: true, Debug: true, Backend: EvaluatorBackend{}},
	// NanGuardMode: FAST_RUN's rewrites but no fusion, so that every op is
	// checked on its own; a call fails at the first node computing a NaN or
	// an infinity (nanguard.go).
	"NanGuardMode": {Name: "NanGuardMode", Optimizer: "fast_run", Excluding: []string{"fusion"}, Backend: NanGuardBackend{}},
}

// LookupMode returns the mode spec asks for ("" is FAST_RUN), with its
// optimizer and rule adjustments applied.
func LookupMode(spec FunctionSpec) (Mode, error) {
	name := spec.Mode
	if name == "" {
		name = "FAST_RUN"
	}
	m, ok := modes[name]
	if !ok {
		known := make([]string, 0, len(modes))
		for k := range modes {
			known = append(known, k)
		}
		slices.Sort(known)
		return Mode{}, graph.ValueErrorf("unknown mode %q (known: %s)", name, strings.Join(known, ", "))
	}
	if spec.Optimizer != "" {
		if _, ok := optimizers[spec.Optimizer]; !ok {
			return Mode{}, graph.ValueErrorf("unknown optimizer %q (known: None, fast_compile, stabilize, fast_run)", spec.Optimizer)
		}
		m.Optimizer = spec.Optimizer
	}
	known := rewrite.Names()
	for _, p := range passes {
		known[p.Name] = true
	}
	for _, list := range [][]string{spec.Including, spec.Excluding, spec.Requiring} {
		for _, n := range list {
			if !known[n] {
				return Mode{}, graph.ValueErrorf("no rewrite, tag or pass is called %q", n)
			}
		}
	}
	m.Including = append(slices.Clone(m.Including), spec.Including...)
	m.Excluding = append(slices.Clone(m.Excluding), spec.Excluding...)
	m.Requiring = append(slices.Clone(m.Requiring), spec.Requiring...)
	m.Strict = m.Strict || spec.Strict
	if spec.Backend != nil {
		m.Backend = spec.Backend
	}
	if _, guarded := m.Backend.(NanGuardBackend); guarded && spec.NanGuard != nil {
		m.Backend = *spec.NanGuard
	}
	return m, nil
}

// passContext is what a pass runs with.
type passContext struct {
	b       *graph.Builder
	mode    Mode
	enabled bool // whether the mode's optimizer enables the running pass
	pass    string
	verbose *strings.Builder // nil unless optimizer_verbose
	hits    map[string]int   // rewrites applied, by rule
	warn    func(string)
	debug   *debugLog // DebugMode's record of the rewrites; nil otherwise
}

// graphPass adapts a pass over the whole graph to the table; it runs only
// when the optimizer enables it or including names it.
func graphPass(run func(b *graph.Builder, fg *FunctionGraph) error) func(*passContext, *FunctionGraph) error {
	return func(c *passContext, fg *FunctionGraph) error {
		if !c.enabled && !slices.Contains(c.mode.Including, c.pass) {
			return nil
		}
		if c.debug == nil {
			return run(c.b, fg)
		}
		return c.debug.recordGraphPass(c.pass, fg, func() error { return run(c.b, fg) })
	}
}

// requiredPass adapts a pass that runs in every mode, whatever the
// optimizer enables (unless excluding names it): it changes what runs,
// not how fast.
func requiredPass(run func(b *graph.Builder, fg *FunctionGraph) error) func(*passContext, *FunctionGraph) error {
	return func(c *passContext, fg *FunctionGraph) error { return run(c.b, fg) }
}

// rulePass runs the rewrite rules tagged tag (rewrite.Select) to a fixed
// point, together with the rules tagged with each of also: the stabilize
// and specialize passes keep the graph canonical while they rewrite, so a
// form one of their rules produces (sigmoid(-x) for 1 - sigmoid(x)) still
// cancels against its twin elsewhere, as Theano's canonicalizer runs in
// each of its phases.
func rulePass(tag string, also ...string) func(*passContext, *FunctionGraph) error {
	return func(c *passContext, fg *FunctionGraph) error {
		enabled := c.enabled || slices.Contains(c.mode.Including, c.pass)
		rules := rewrite.Select(tag, enabled, c.mode.Including, c.mode.Excluding, c.mode.Requiring)
		if len(rules) > 0 {
			for _, t := range also {
				rules = append(rules, rewrite.Select(t, enabled, c.mode.Including, c.mode.Excluding, c.mode.Requiring)...)
			}
		}
		for _, r := range testRules {
			if enabled && r.HasTag(tag) {
				rules = append(rules, r)
			}
		}
		if len(rules) == 0 {
			return nil
		}
		opt := rewrite.Options{Strict: c.mode.Strict, Warn: c.warn}
		if c.verbose != nil {
			opt.Verbose = c.verbose
		}
		if c.debug != nil {
			opt.OnRewrite = c.debug.ruleHook(c.pass)
		}
		results, stats, err := rewrite.Apply(c.b, fg.Results, rules, opt)
		if err != nil {
			return err
		}
		for name, n := range stats.Hits {
			c.hits[name] += n
		}
		fg.Results = results
		return nil
	}
}

// optimize runs the passes of fg's mode in the table's order.
func optimize(c *passContext, fg *FunctionGraph) error {
	on := optimizers[c.mode.Optimizer]
	before := make([]graph.Type, len(fg.Results))
	for i, r := range fg.Results {
		before[i] = r.Type
	}
	for _, p := range passes {
		if slices.Contains(c.mode.Excluding, p.Name) {
			continue
		}
		c.pass, c.enabled = p.Name, slices.Contains(on, p.Name)
		if err := p.Run(c, fg); err != nil {
			return fmt.Errorf("pass %s: %w", p.Name, err)
		}
		if c.mode.Strict {
			if err := checkGraph(fg, before, p.Name); err != nil {
				return err
			}
		}
	}
	return nil
}
