package graph

// Toposort returns the apply nodes that the outputs depend on, each after
// the nodes computing its inputs.
func Toposort(outputs []*Variable) []*Apply {
	var order []*Apply
	seen := map[*Apply]bool{}
	var visit func(v *Variable)
	visit = func(v *Variable) {
		n := v.Owner
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		for _, in := range n.Inputs {
			visit(in)
		}
		order = append(order, n)
	}
	for _, o := range outputs {
		visit(o)
	}
	return order
}

// Roots returns the variables without an owner (inputs, constants, shared
// variables) that the outputs depend on, in first-seen order.
func Roots(outputs []*Variable) []*Variable {
	var roots []*Variable
	seen := map[*Variable]bool{}
	add := func(v *Variable) {
		if v.Owner == nil && !seen[v] {
			seen[v] = true
			roots = append(roots, v)
		}
	}
	for _, o := range outputs {
		add(o)
	}
	for _, n := range Toposort(outputs) {
		for _, in := range n.Inputs {
			add(in)
		}
	}
	return roots
}

// Replace rebuilds the outputs with each key of subst replaced by its value
// (Theano's givens and clone with replace). The replacement must have the
// same rank and dtype as the variable it replaces.
func (b *Builder) Replace(outputs []*Variable, subst map[*Variable]*Variable) ([]*Variable, error) {
	for old, repl := range subst {
		if old.Type.DType != repl.Type.DType || old.Type.Ndim() != repl.Type.Ndim() {
			return nil, TypeErrorf("cannot replace %v of type %v by a variable of type %v", old, old.Type, repl.Type)
		}
	}
	memo := map[*Variable]*Variable{}
	var rebuild func(v *Variable) (*Variable, error)
	rebuild = func(v *Variable) (*Variable, error) {
		if r, ok := subst[v]; ok {
			return r, nil
		}
		if r, ok := memo[v]; ok {
			return r, nil
		}
		if v.Owner == nil {
			return v, nil
		}
		n := v.Owner
		ins := make([]*Variable, len(n.Inputs))
		changed := false
		for i, in := range n.Inputs {
			r, err := rebuild(in)
			if err != nil {
				return nil, err
			}
			ins[i] = r
			changed = changed || r != in
		}
		out := v
		if changed {
			// the op derives what it knows statically from the new inputs
			nn, err := b.Apply(n.Op, ins...)
			if err != nil {
				return nil, err
			}
			out = nn.Outputs[v.Index]
		}
		memo[v] = out
		return out, nil
	}
	res := make([]*Variable, len(outputs))
	for i, o := range outputs {
		r, err := rebuild(o)
		if err != nil {
			return nil, err
		}
		res[i] = r
	}
	return res, nil
}
