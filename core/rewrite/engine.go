package rewrite

import (
	"fmt"
	"io"

	"theanogo/core/graph"
)

// Options control how Apply runs.
type Options struct {
	// MaxIterations caps the sweeps over the graph (default 16); the
	// rewrites reach a fixed point well before on real graphs.
	MaxIterations int
	// Strict makes a failing rule (an error, a panic or a replacement of
	// the wrong type) an error of Apply; otherwise the rule is skipped for
	// that node and Warn is told (the default mode: a bug in a rule must not
	// break the user's program).
	Strict bool
	// Warn receives the message of each skipped rule (nil: dropped).
	Warn func(msg string)
	// Verbose, when set, gets one line per rewrite applied: the rule, the
	// node it rewrote and the user's source line (optimizer_verbose).
	Verbose io.Writer
	// OnRewrite, when set, is told of every rewrite (DebugMode checks that
	// old and new compute the same values).
	OnRewrite func(rule *Rule, old, new []*graph.Variable)
}

// Stats tell what an Apply did.
type Stats struct {
	Hits       map[string]int // rewrites applied, by rule name
	Iterations int            // sweeps over the graph, the last one changing nothing
}

// Apply rewrites the graph computing outputs with rules, sweeping it in
// dependency order until a sweep changes nothing, and returns the new
// outputs. Each node is rebuilt on its rewritten inputs and offered to the
// rules indexed by its op key; the first rule that returns a replacement
// wins, and the replacement's own nodes are offered to the rules in the
// next sweep. Nodes are never modified.
func Apply(b *graph.Builder, outputs []*graph.Variable, rules []*Rule, opt Options) ([]*graph.Variable, Stats, error) {
	byRoot := map[string][]*Rule{}
	for _, r := range rules {
		for _, root := range r.Roots {
			byRoot[root] = append(byRoot[root], r)
		}
	}
	if opt.MaxIterations <= 0 {
		opt.MaxIterations = 16
	}
	stats := Stats{Hits: map[string]int{}}
	outs := append([]*graph.Variable{}, outputs...)
	for stats.Iterations < opt.MaxIterations {
		stats.Iterations++
		next, changed, err := sweep(b, outs, byRoot, &opt, stats.Hits)
		if err != nil {
			return nil, stats, err
		}
		outs = next
		if !changed {
			break
		}
	}
	return outs, stats, nil
}

// sweep is one pass over the graph in dependency order.
func sweep(b *graph.Builder, outputs []*graph.Variable, byRoot map[string][]*Rule, opt *Options, hits map[string]int) ([]*graph.Variable, bool, error) {
	repl := map[*graph.Variable]*graph.Variable{}
	get := func(v *graph.Variable) *graph.Variable {
		if r, ok := repl[v]; ok {
			return r
		}
		return v
	}
	order := graph.Toposort(outputs)
	uses := map[*graph.Variable]int{}
	for _, n := range order {
		for _, in := range n.Inputs {
			uses[in]++
		}
	}
	for _, o := range outputs {
		uses[o]++
	}
	// A variable standing for another (a node rebuilt on rewritten inputs,
	// a replacement) inherits its readers.
	inherit := func(old, new *graph.Variable) {
		if new != old {
			uses[new] += uses[old]
		}
	}
	count := func(v *graph.Variable) int { return uses[v] }
	changed := false
	for _, n := range order {
		ins := make([]*graph.Variable, len(n.Inputs))
		moved := false
		for i, in := range n.Inputs {
			ins[i] = get(in)
			moved = moved || ins[i] != in
		}
		node := n
		if moved {
			nn, err := b.Apply(n.Op, ins...)
			if err != nil {
				return nil, false, fmt.Errorf("rebuilding %s on rewritten inputs: %w", graph.OpString(n.Op), err)
			}
			nn.Source = n.Source
			node = nn
			for i, o := range n.Outputs {
				inherit(o, nn.Outputs[i])
			}
		}
		news, err := rewriteNode(b, node, byRoot[OpKey(node.Op)], opt, hits, count)
		if err != nil {
			return nil, false, err
		}
		if news != nil {
			changed = true
		} else {
			news = node.Outputs
		}
		for i, o := range n.Outputs {
			repl[o] = news[i]
			inherit(node.Outputs[i], news[i])
		}
	}
	res := make([]*graph.Variable, len(outputs))
	for i, o := range outputs {
		res[i] = get(o)
	}
	return res, changed, nil
}

// rewriteNode offers node to each rule in turn and returns the first
// replacement, or nil.
func rewriteNode(b *graph.Builder, node *graph.Apply, rules []*Rule, opt *Options, hits map[string]int, uses Uses) ([]*graph.Variable, error) {
	for _, r := range rules {
		since := b.LastID()
		news, err := try(b, r, node, uses)
		if err == nil && news != nil {
			err = checkReplacement(node, news)
		}
		if err != nil {
			err = fmt.Errorf("rewrite rule %s failed on %s (it was skipped): %v", r.Name, graph.OpString(node.Op), err)
			if opt.Strict {
				return nil, err
			}
			if opt.Warn != nil {
				opt.Warn(err.Error())
			}
			continue
		}
		if news == nil {
			continue
		}
		graph.Stamp(news, since, node.Source) // the rule's new nodes get the rewritten node's line
		hits[r.Name]++
		if opt.Verbose != nil {
			fmt.Fprintf(opt.Verbose, "rewrite %s: %s -> %s%s\n", r.Name, graph.OpString(node.Op), describe(news), where(node))
		}
		if opt.OnRewrite != nil {
			opt.OnRewrite(r, node.Outputs, news)
		}
		return news, nil
	}
	return nil, nil
}

// try runs one rule, turning a panic (a bug in the rule) into an error.
func try(b *graph.Builder, r *Rule, node *graph.Apply, uses Uses) (news []*graph.Variable, err error) {
	defer func() {
		if p := recover(); p != nil {
			news, err = nil, fmt.Errorf("panic: %v", p)
		}
	}()
	if r.RewriteUses != nil {
		return r.RewriteUses(b, node, uses)
	}
	return r.Rewrite(b, node)
}

// checkReplacement checks that each replacement can stand for the output
// it replaces: the same dtype and rank, and every length the old type knows
// either unknown or equal in the new one (a broadcastable dimension, of
// static length 1, stays 1, or consumers would stop broadcasting it).
func checkReplacement(node *graph.Apply, news []*graph.Variable) error {
	if len(news) != len(node.Outputs) {
		return fmt.Errorf("%d replacements for %d outputs", len(news), len(node.Outputs))
	}
	for i, nv := range news {
		old := node.Outputs[i].Type
		if nv == nil {
			return fmt.Errorf("no replacement for output %d", i)
		}
		t := nv.Type
		if t.DType != old.DType || t.Ndim() != old.Ndim() {
			return fmt.Errorf("replacement of type %v for an output of type %v", t, old)
		}
		for d, n := range old.Shape {
			if (n == 1 && t.Shape[d] != 1) || (t.Shape[d] != graph.Unknown && n != graph.Unknown && t.Shape[d] != n) {
				return fmt.Errorf("replacement of static shape %v for an output of static shape %v", t.Shape, old.Shape)
			}
		}
	}
	return nil
}

// describe prints replacements for optimizer_verbose: "softplus(...)".
func describe(vs []*graph.Variable) string {
	s := ""
	for i, v := range vs {
		if i > 0 {
			s += ", "
		}
		if v.Owner != nil {
			s += graph.OpString(v.Owner.Op)
		} else {
			s += v.String()
		}
	}
	return s
}

func where(n *graph.Apply) string {
	if n.Source == "" {
		return ""
	}
	return " (at " + n.Source + ")"
}
