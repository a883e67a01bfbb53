package rewrite

// The rule families, each a table in its own file, in the order their rules
// are offered to a node (earlier tables first).
//
//	canonicalRules  canonical.go   standard forms: add/mul normal forms, useless ops, cast of cast
//	stabilityRules  stability.go   numerically safe forms: log1p, softplus, logsoftmax, log-sum-exp
//	xentRules       xent.go        softmax + cross-entropy fused, with a stable gradient
//	powRules        pow.go         x ** 2 -> sqr(x), x ** 0.5 -> sqrt(x), x ** -1 -> 1 / x: constant exponents without pow
//	blasRules       blas.go        dot -> gemm/gemv/ger with scaling and accumulation folded in
func families() [][]*Rule {
	return [][]*Rule{canonicalRules, stabilityRules, xentRules, powRules, blasRules}
}

// All returns every rule, in the order they are offered to a node.
func All() []*Rule {
	var all []*Rule
	for _, f := range families() {
		all = append(all, f...)
	}
	return all
}

// Select returns the rules of All that the pass called pass runs: when
// the mode's optimizer enables the pass, every rule tagged pass; otherwise
// only those named (by rule name or tag) in including. Rules named in
// excluding never run; with requiring, only rules carrying every tag listed
// remain.
func Select(pass string, enabled bool, including, excluding, requiring []string) []*Rule {
	var out []*Rule
	for _, r := range All() {
		if !r.HasTag(pass) || r.matches(excluding) || !(enabled || r.matches(including)) {
			continue
		}
		ok := true
		for _, tag := range requiring {
			ok = ok && r.HasTag(tag)
		}
		if ok {
			out = append(out, r)
		}
	}
	return out
}

// matches reports whether r's name or one of its tags is in names.
func (r *Rule) matches(names []string) bool {
	for _, n := range names {
		if n == r.Name || r.HasTag(n) {
			return true
		}
	}
	return false
}

// Names lists every rule's name and every tag, for validating the
// optimizer_including/excluding flags.
func Names() map[string]bool {
	names := map[string]bool{}
	for _, r := range All() {
		names[r.Name] = true
		for _, t := range r.Tags {
			names[t] = true
		}
	}
	return names
}
