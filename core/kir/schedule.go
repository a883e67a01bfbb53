package kir

// Schedule lists the nodes of the expression rooted at e, each once, every
// node after its arguments and e last: the order in which every walk
// (printing, evaluating, rendering) computes them. Arguments are visited
// in order, depth first, so the schedule of tanh(i0 * i1) + i0 is i0, i1,
// i0 * i1, tanh(...), (...) + i0. It costs the number of nodes.
func (e *Expr) Schedule() []*Expr {
	var order []*Expr
	seen := map[*Expr]bool{e: true}
	type frame struct {
		e    *Expr
		next int
	}
	stack := []frame{{e: e}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next < len(top.e.args) {
			a := top.e.args[top.next]
			top.next++
			if !seen[a] {
				seen[a] = true
				stack = append(stack, frame{e: a})
			}
			continue
		}
		order = append(order, top.e)
		stack = stack[:len(stack)-1]
	}
	return order
}

// Uses counts, for each node of a schedule, how many argument slots of
// the schedule's nodes read it (mul(y, y) reads y twice).
func Uses(order []*Expr) map[*Expr]int {
	uses := make(map[*Expr]int, len(order))
	for _, n := range order {
		for _, a := range n.args {
			uses[a]++
		}
	}
	return uses
}

// Temporaries numbers the computed nodes of a schedule (OpApply and
// OpCast), in order from 0: the t3 of the printed text and of rendered
// code. Inputs, constants and the index are read where they are used.
func Temporaries(order []*Expr) map[*Expr]int {
	temps := map[*Expr]int{}
	for _, n := range order {
		if n.op == OpApply || n.op == OpCast {
			temps[n] = len(temps)
		}
	}
	return temps
}

// ReadsIndex reports whether e reads the flat element index (an OpIndex
// node): a renderer provides the index only to expressions that read it,
// so a map that does not pays nothing for it.
func (e *Expr) ReadsIndex() bool {
	for _, n := range e.Schedule() {
		if n.Op() == OpIndex {
			return true
		}
	}
	return false
}
