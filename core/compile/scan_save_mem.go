package compile

import (
	"slices"

	"theanogo/core/control"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// scanSaveMem keeps in memory only the rows of a scan's outputs that the
// function reads (Theano's scan_save_mem): when every reader of an output
// reads its last rows, the loop keeps those (ScanInfo.Keep) in a ring of
// rows instead of n_steps of them, and a new node returns only its last k
// rows. Each reader is rebuilt on the new node's output and reads the same
// values from the tail as it read from the whole buffer; the old node is
// then read by nothing.
//
//	scan(...)[i][-j]                -> scan{keep i: j}(...)[i][-j]            (out[-1]; a shared update)
//	scan(...)[i][-j:]               -> scan{keep i: j}(...)[i][-j:]           (out[-k:])
//	scan(...)[i][c:][-j], [c:][-j:] -> scan{keep i: c+j}(...)[i][c:][-j]      (reduce, foldl, foldr: the steps without the c initial rows)
//
// Any other reader (the whole output, a slice that is not a tail, its
// shape, a gradient's backward scan walking the history) keeps the
// output whole. A while loop (until), or a scan whose nit-sot rows' shape
// needs a step's values, keeps its recurrent outputs' tails the same way;
// its nit-sots stay whole.
func scanSaveMem(b *graph.Builder, fg *FunctionGraph) error {
	clients := map[*graph.Variable][]*graph.Apply{}
	for _, n := range fg.Toposort() {
		for _, in := range n.Inputs {
			clients[in] = append(clients[in], n)
		}
	}
	whole := map[*graph.Variable]bool{} // read as they are, by the function's caller
	for _, r := range fg.Results {
		whole[r] = true
	}
	// an output read at its tail, or its suffix v[c:] -> the same rows of
	// the loop keeping only the tail
	kept := map[*graph.Variable]*graph.Variable{}
	return rewriteGraph(b, fg, nil, func(n *graph.Apply, ins []*graph.Variable) ([]*graph.Variable, error) {
		switch op := n.Op.(type) {
		case control.Scan:
			return keepTails(b, n, op, ins, clients, whole, kept)
		case ops.SubtensorOp:
			tail, ok := kept[n.Inputs[0]]
			if !ok {
				return nil, nil
			}
			items := op.Items.List()
			v, err := ops.Subtensor(b, tail, items, ins[1:]...)
			if err != nil {
				return nil, err
			}
			if _, suffix := plainSuffix(items); suffix && lastRows(items[0]) == 0 {
				kept[n.Outputs[0]] = v // v[c:]: its readers read the tail's suffix
				return nil, nil
			}
			return []*graph.Variable{v}, nil
		}
		return nil, nil
	})
}

// keepTails makes the loop of node n (on inputs ins) that keeps only the
// rows its outputs' readers read, when that is fewer than all, and records
// in kept each output whose readers move to its tail. It returns what
// replaces n's outputs: the new loop's for the outputs it returns whole
// (so one loop runs, not two), the old ones for those whose readers are
// rebuilt; nil when nothing changes.
func keepTails(b *graph.Builder, n *graph.Apply, op control.Scan, ins []*graph.Variable, clients map[*graph.Variable][]*graph.Apply, whole map[*graph.Variable]bool, kept map[*graph.Variable]*graph.Variable) ([]*graph.Variable, error) {
	s := op.Info
	keep := make([]int, len(n.Outputs))
	changed := false
	dynamic := !op.ShapeKnown(n) // a while loop, or nit-sot rows shaped by a step's values
	for o, v := range n.Outputs {
		k := s.KeepRows(o)
		if dynamic && o >= len(s.Taps) { // its nit-sot rows take their shape from its first step: kept whole
			keep[o] = k
			continue
		}
		if need := tailRows(v, clients, whole); need > 0 && (k == 0 || need < k) {
			if lead := v.Type.Shape[0]; lead == graph.Unknown || need < lead {
				k, changed = need, true
			}
		}
		keep[o] = k
	}
	if !changed {
		return nil, nil
	}
	info := *s
	info.Keep = keep
	nn, err := b.Apply(control.Scan{Info: &info}, ins...)
	if err != nil {
		return nil, err
	}
	outs := make([]*graph.Variable, len(n.Outputs))
	for o, v := range n.Outputs {
		outs[o] = nn.Outputs[o]
		if keep[o] != s.KeepRows(o) {
			kept[v] = nn.Outputs[o]
			outs[o] = v
		}
	}
	return outs, nil
}

// tailRows is the number of trailing rows of v that its readers read, 0
// when one of them reads more than a tail (or v is a result).
func tailRows(v *graph.Variable, clients map[*graph.Variable][]*graph.Apply, whole map[*graph.Variable]bool) int {
	if whole[v] || len(clients[v]) == 0 {
		return 0
	}
	need := 0
	for _, c := range clients[v] {
		sub, ok := c.Op.(ops.SubtensorOp)
		if !ok || c.Inputs[0] != v || slices.Contains(c.Inputs[1:], v) {
			return 0
		}
		items := sub.Items.List()
		if j := lastRows(items[0]); j > 0 {
			need = max(need, j)
			continue
		}
		// v[c:] read only at its tail: c more rows
		start, suffix := plainSuffix(items)
		if !suffix {
			return 0
		}
		j := tailRows(c.Outputs[0], clients, whole)
		if j == 0 {
			return 0
		}
		need = max(need, start+j)
	}
	return need
}

// lastRows is j when item reads only the last j rows: the index -j or
// the slice -j: (step 1); 0 otherwise.
func lastRows(it ops.IndexItem) int {
	e := it.Entries
	if !it.Slice {
		if e[0].Kind == ops.EntryConst && e[0].Value < 0 {
			return -e[0].Value
		}
		return 0
	}
	if e[0].Kind == ops.EntryConst && e[0].Value < 0 && e[1].Kind == ops.EntryNone && unitStep(e[2]) {
		return -e[0].Value
	}
	return 0
}

// plainSuffix reports whether items is the one slice c: (c >= 0, step 1),
// and gives c.
func plainSuffix(items []ops.IndexItem) (int, bool) {
	if len(items) != 1 || !items[0].Slice {
		return 0, false
	}
	e := items[0].Entries
	if e[1].Kind != ops.EntryNone || !unitStep(e[2]) {
		return 0, false
	}
	switch {
	case e[0].Kind == ops.EntryNone:
		return 0, true
	case e[0].Kind == ops.EntryConst && e[0].Value >= 0:
		return e[0].Value, true
	}
	return 0, false
}

func unitStep(e ops.IndexEntry) bool {
	return e.Kind == ops.EntryNone || (e.Kind == ops.EntryConst && e.Value == 1)
}
