package rewrite

// stabilityRules is filled in by its family's rules (see rules.go).
var stabilityRules = []*Rule{}
