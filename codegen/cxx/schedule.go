package cxx

import (
	"slices"

	"theanogo/core/graph"
)

// step is one action of phase 2: a node, or the copy of a variable into
// the buffer of result copyOf (a result that is an input, a constant, a
// view or a second listing of a variable).
type step struct {
	node   *graph.Apply
	copyOf int // the result index for a copy step; -1 for a node
	source *graph.Variable
	// region, when set, is the call of the continuation region (the nodes
	// after a value-dependent shape, region.go): the variables it reads.
	region []*graph.Variable
}

// reads lists the variables a step reads.
func (s step) reads() []*graph.Variable {
	if s.region != nil {
		return s.region
	}
	if s.node != nil {
		return s.node.Inputs
	}
	return []*graph.Variable{s.source}
}

// isView reports whether n's outputs are views of its first input.
func isView(n *graph.Apply) bool {
	l, ok := lookup(n)
	return ok && l.View
}

// aliasRoot is the variable whose memory v lives in: v itself, or the
// base of the chain of views v is.
func aliasRoot(v *graph.Variable) *graph.Variable {
	for v.Owner != nil && isView(v.Owner) {
		v = v.Owner.Inputs[0]
	}
	return v
}

// inPlaceUpdate is an update whose new value the caller may write into the
// old value's buffer: result `result` aliases input `target`, and the step
// writer writes it.
type inPlaceUpdate struct {
	result int
	target *graph.Variable
	writer int // index into steps
}

// schedule orders the steps so that, for every in-place update, each step
// reading the old value (directly or through a view) runs before the step
// writing the new one: writers are deferred while any other step is ready.
// An update whose writer cannot follow all those readers, or whose writer
// reads the old value other than elementwise, is dropped from inPlace
// (inPlace[i] for update i) and the steps are ordered again.
//
// A failed call changes no shared variable: once the first in-place write
// has run, every later step must be one that cannot fail (fails[i] ==
// neverFails), and that first writer itself may fail only before it
// writes (failsBeforeWriting). Otherwise the first writer's update is
// dropped from inPlace (it writes a fresh buffer, which the caller commits
// only after success) and the steps are ordered again.
func schedule(steps []step, updates []inPlaceUpdate, inPlace []bool, numOutputs int, fails []Failure) []int {
	producer := map[*graph.Apply]int{}
	for i, s := range steps {
		if s.node != nil {
			producer[s.node] = i
		}
	}
	deps := make([][]int, len(steps))
	for i, s := range steps {
		for _, v := range s.reads() {
			if v.Owner != nil {
				deps[i] = append(deps[i], producer[v.Owner])
			}
		}
	}
	for {
		writer := map[int]bool{}
		for _, u := range updates {
			if inPlace[u.result-numOutputs] {
				writer[u.writer] = true
			}
		}
		order := kahn(deps, writer)
		pos := make([]int, len(steps))
		for p, i := range order {
			pos[i] = p
		}
		dropped := false
		for _, u := range updates {
			if !inPlace[u.result-numOutputs] {
				continue
			}
			if !writerSafe(steps[u.writer], u.target) {
				inPlace[u.result-numOutputs], dropped = false, true
				continue
			}
			for i, s := range steps {
				if i == u.writer || !readsRoot(s, u.target) {
					continue
				}
				if pos[i] > pos[u.writer] {
					inPlace[u.result-numOutputs], dropped = false, true
					break
				}
			}
		}
		if !dropped && !dropFirstWriter(order, writer, fails, updates, inPlace, numOutputs) {
			return order
		}
	}
}

// dropFirstWriter drops the in-place updates of the first in-place writer
// in order when a step after it can fail, or when it can fail after
// writing; it reports whether it dropped any.
func dropFirstWriter(order []int, writer map[int]bool, fails []Failure, updates []inPlaceUpdate, inPlace []bool, numOutputs int) bool {
	first := -1
	for p, i := range order {
		if writer[i] {
			first = p
			break
		}
	}
	if first < 0 {
		return false
	}
	w := order[first]
	safe := fails[w] != failsAnywhere
	for _, i := range order[first+1:] {
		if fails[i] != neverFails {
			safe = false
			break
		}
	}
	if safe {
		return false
	}
	for _, u := range updates {
		if u.writer == w {
			inPlace[u.result-numOutputs] = false
		}
	}
	return true
}

// kahn is a topological order of the steps (deps[i]: the steps i needs)
// that takes every ready non-writer before any ready writer, and otherwise
// keeps the steps' given order.
func kahn(deps [][]int, writer map[int]bool) []int {
	n := len(deps)
	users := make([][]int, n)
	missing := make([]int, n)
	for i, ds := range deps {
		seen := map[int]bool{}
		for _, d := range ds {
			if !seen[d] {
				seen[d] = true
				users[d] = append(users[d], i)
				missing[i]++
			}
		}
	}
	done := make([]bool, n)
	var order []int
	for len(order) < n {
		pick := -1
		for i := 0; i < n; i++ {
			if !done[i] && missing[i] == 0 && !writer[i] {
				pick = i
				break
			}
		}
		if pick < 0 {
			for i := 0; i < n; i++ {
				if !done[i] && missing[i] == 0 {
					pick = i
					break
				}
			}
		}
		if pick < 0 {
			panic("cxx: the steps have a dependency cycle")
		}
		done[pick] = true
		order = append(order, pick)
		for _, u := range users[pick] {
			missing[u]--
		}
	}
	return order
}

// readsRoot reports whether step s reads memory of the variable root.
func readsRoot(s step, root *graph.Variable) bool {
	for _, v := range s.reads() {
		if aliasRoot(v) == root {
			return true
		}
	}
	return false
}

// writerSafe reports whether the writer step may write into target's
// memory while reading its inputs: a copy whose source is not target's
// memory, or a node whose lowering reads target only directly and
// elementwise (Lowering.InPlace).
func writerSafe(s step, target *graph.Variable) bool {
	if s.region != nil {
		return true // the continuation, whose own schedule made its in-place writes safe (inPlaceCandidates)
	}
	if s.node == nil {
		return aliasRoot(s.source) != target
	}
	if !readsRoot(s, target) {
		return true
	}
	l, ok := lookup(s.node)
	if !ok || l.View {
		return false
	}
	for i, v := range s.node.Inputs {
		if aliasRoot(v) != target {
			continue
		}
		if v != target || l.InPlace == nil || !l.InPlace(s.node, i) {
			return false
		}
	}
	return true
}

// stepFailure says when step s may fail at run time, for schedule. A
// region call (a lazy ifelse's branch, or the continuation after a
// value-dependent shape) fails anywhere: its shape phase, its checks and
// its allocations run when it runs, after any step before it. schedule
// then lets the first in-place write happen only after every region call
// (kahn runs ready non-writers first, so a region that does not read a
// new value runs before the writers), and writes the update to a fresh
// buffer otherwise. No region counts as unable to fail: every call may
// allocate (its child state on first use, its slots grown, its results
// through tg_region_alloc).
//
// The continuation writing an update in place is the exception: its own
// schedule (it is a body with updates) ran every step that can fail
// before its first in-place write, and its shape phase, checks and
// allocations run before its steps, so it fails only before writing.
func (g *gen) stepFailure(s step) Failure {
	switch {
	case s.region != nil:
		if slices.Contains(g.cont.region.InPlace, true) {
			return failsBeforeWriting
		}
		return failsAnywhere
	case s.node == nil:
		return neverFails // a copy into a result
	case g.dynamic[s.node]:
		return failsAnywhere
	}
	return g.failure(s.node)
}

// inPlaceCandidates says, per update, whether schedule may try writing it
// into the old value's memory: an update computed by a step of this body
// (not one a lazy ifelse's region places: writer -1), and, for one the
// continuation computes, only when the continuation's own schedule keeps
// it in place (Region.InPlace, in the order of its updates).
func (g *gen) inPlaceCandidates(steps []step, updates []inPlaceUpdate) []bool {
	inPlace := make([]bool, len(updates))
	k := 0 // the continuation's updates, in order
	for i, u := range updates {
		v := g.fg.UpdateValues()[i]
		switch {
		case u.writer < 0 || v.Owner == nil:
		case steps[u.writer].region != nil:
			inPlace[i] = g.cont.region.InPlace[k]
			k++
		default:
			inPlace[i] = true
		}
	}
	return inPlace
}
