package rewrite

// xentRules is filled in by its family's rules (see rules.go).
var xentRules = []*Rule{}
