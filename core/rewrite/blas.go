package rewrite

// blasRules is filled in by its family's rules (see rules.go).
var blasRules = []*Rule{}
