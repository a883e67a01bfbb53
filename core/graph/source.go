package graph

// Stamp sets source on the nodes computing outputs that were created after
// the variable numbered since (Builder.LastID before the nodes were built)
// and have no source yet: the nodes one user expression, one gradient or
// one rewrite created get the user's line ("train.py:12"). Older nodes are
// never touched (other functions may be reading them).
//
//	since := b.LastID()
//	y, _ := ops.Scalar(b, "add", x, one) // may also build a dimshuffle
//	graph.Stamp([]*graph.Variable{y}, since, "train.py:12")
func Stamp(outputs []*Variable, since uint64, source string) {
	if source == "" {
		return
	}
	seen := map[*Apply]bool{}
	var visit func(v *Variable)
	visit = func(v *Variable) {
		n := v.Owner
		if n == nil || v.id <= since || seen[n] || n.Source != "" {
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
