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
// rows instead of n_steps of them, and the node's output becomes its last
// k rows. The readers need no change: each reads the same values from the
// tail as from the whole buffer.
//
//	scan(...)[i][-j]                -> scan{keep i: j}(...)[i][-j]            (out[-1]; a shared update)
//	scan(...)[i][-j:]               -> scan{keep i: j}(...)[i][-j:]           (out[-k:])
//	scan(...)[i][c:][-j], [c:][-j:] -> scan{keep i: c+j}(...)[i][c:][-j]      (reduce, foldl, foldr: the steps without the c initial rows)
//
// Any other reader (the whole output, a slice that is not a tail, its
// shape, a gradient's backward scan walking the history) keeps the
// output whole. While loops (until) are left alone.
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
	return rewriteGraph(b, fg, nil, func(n *graph.Apply, ins []*graph.Variable) ([]*graph.Variable, error) {
		op, ok := n.Op.(control.Scan)
		if !ok || op.Info.Until {
			return nil, nil
		}
		s := op.Info
		keep := make([]int, len(n.Outputs))
		changed := false
		for o, v := range n.Outputs {
			k := op.Info.KeepRows(o)
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
		return nn.Outputs, nil
	})
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
