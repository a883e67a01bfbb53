package rewrite

// canonicalRules is filled in by its family's rules (see rules.go).
var canonicalRules = []*Rule{}
