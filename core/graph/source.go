package graph

// Stamp sets source on the nodes that compute outputs from inputs (the
// nodes reachable from outputs without passing an input) which have no
// source yet: the nodes one user expression, one gradient or one rewrite
// created get the user's line ("train.py:12").
func Stamp(outputs, inputs []*Variable, source string) {
	if source == "" {
		return
	}
	stop := map[*Variable]bool{}
	for _, in := range inputs {
		stop[in] = true
	}
	seen := map[*Apply]bool{}
	var visit func(v *Variable)
	visit = func(v *Variable) {
		n := v.Owner
		if n == nil || stop[v] || seen[n] || n.Source != "" {
			return
		}
		seen[n] = true
		n.Source = source
		for _, in := range n.Inputs {
			visit(in)
		}
	}
	for _, v := range outputs {
		visit(v)
	}
}
