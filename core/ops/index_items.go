package ops

import (
	"fmt"
	"strings"

	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// IndexItem is one item of a basic numpy index, x[2, 1:-1, ::k]: an integer
// (one entry, which drops the dimension) or a slice (three entries: start,
// stop, step).
type IndexItem struct {
	Slice   bool
	Entries []IndexEntry
}

// IndexEntry is one number of an index item: absent (a slice's empty
// start, stop or step), a constant, or the next symbolic scalar input.
type IndexEntry struct {
	Kind  EntryKind
	Value int // for EntryConst
}

// EntryKind says where an index entry's value comes from.
type EntryKind uint8

const (
	EntryNone  EntryKind = iota // absent: the slice default
	EntryConst                  // Value
	EntryInput                  // the next index input of the node
)

// itemsString prints items as numpy does, with "$" for a symbolic entry:
// "2, 1:$, ::-1".
func itemsString(items []IndexItem) string {
	parts := make([]string, len(items))
	for i, it := range items {
		es := make([]string, len(it.Entries))
		for j, e := range it.Entries {
			switch e.Kind {
			case EntryConst:
				es[j] = fmt.Sprint(e.Value)
			case EntryInput:
				es[j] = "$"
			}
		}
		if it.Slice && es[2] == "" {
			es = es[:2]
		}
		parts[i] = strings.Join(es, ":")
	}
	return strings.Join(parts, ", ")
}

// countInputs is the number of symbolic entries: the index inputs a node needs.
func countInputs(items []IndexItem) int {
	n := 0
	for _, it := range items {
		for _, e := range it.Entries {
			if e.Kind == EntryInput {
				n++
			}
		}
	}
	return n
}

// parseItems reads {"items": [{"index": 3 | "input"}, {"slice": [start, stop, step]}]}.
func parseItems(op string, p Params) ([]IndexItem, error) {
	raw, ok := p["items"].([]any)
	if !ok && p["items"] != nil {
		return nil, graph.TypeErrorf("%s: items must be a list, got %v", op, p["items"])
	}
	items := make([]IndexItem, len(raw))
	for i, r := range raw {
		m, ok := r.(map[string]any)
		if !ok || len(m) != 1 {
			return nil, graph.TypeErrorf("%s: item %d must be {\"index\": ...} or {\"slice\": [...]}, got %v", op, i, r)
		}
		var vals []any
		if v, ok := m["index"]; ok {
			vals = []any{v}
		} else if v, ok := m["slice"].([]any); ok && len(v) == 3 {
			items[i].Slice = true
			vals = v
		} else {
			return nil, graph.TypeErrorf("%s: item %d must be {\"index\": ...} or {\"slice\": [start, stop, step]}, got %v", op, i, r)
		}
		for _, v := range vals {
			e, err := parseEntry(v, items[i].Slice)
			if err != nil {
				return nil, graph.TypeErrorf("%s: item %d: %v", op, i, err)
			}
			items[i].Entries = append(items[i].Entries, e)
		}
	}
	return items, nil
}

func parseEntry(v any, inSlice bool) (IndexEntry, error) {
	switch v := v.(type) {
	case nil:
		if inSlice {
			return IndexEntry{Kind: EntryNone}, nil
		}
	case string:
		if v == "input" {
			return IndexEntry{Kind: EntryInput}, nil
		}
	case float64:
		if v == float64(int(v)) {
			return IndexEntry{Kind: EntryConst, Value: int(v)}, nil
		}
	}
	return IndexEntry{}, fmt.Errorf("bad index entry %v (use an integer, null in a slice, or \"input\")", v)
}

// checkIndexTypes checks x against the items and the index inputs' types:
// integer scalars, one per symbolic entry.
func checkIndexTypes(op string, items []IndexItem, x graph.Type, idx []graph.Type) error {
	if len(items) > x.Ndim() {
		return graph.TypeErrorf("%s: too many indices (%d) for %v", op, len(items), x)
	}
	if n := countInputs(items); len(idx) != n {
		return graph.TypeErrorf("%s{%s} needs %d index inputs, got %d", op, itemsString(items), n, len(idx))
	}
	for i, t := range idx {
		if t.Ndim() != 0 || !t.DType.IsInteger() {
			return graph.TypeErrorf("%s: index input %d must be an integer scalar, got %v", op, i, t)
		}
	}
	return nil
}

// span is what one index item selects along one dimension: length
// positions from start, step apart (kept is false for an integer index).
type span struct {
	start, step, length int
	kept                bool
}

// valueSource gives the values of the symbolic entries in order; ok is
// false when a value is not known (building, not evaluating).
type valueSource func(k int) (v int, ok bool)

// resolveSpans computes each dimension's span for a concrete shape, as
// Python's slice.indices and integer indexing do. known[d] is false when a
// value dimension d needs is not available from vals.
func resolveSpans(op string, items []IndexItem, shape []int, vals valueSource) (spans []span, known []bool, err error) {
	spans = make([]span, len(shape))
	known = make([]bool, len(shape))
	k := 0
	next := func(e IndexEntry) (int, bool, bool) { // value, present, known
		switch e.Kind {
		case EntryConst:
			return e.Value, true, true
		case EntryInput:
			v, ok := vals(k)
			k++
			return v, true, ok
		}
		return 0, false, true
	}
	for d := range shape {
		n := shape[d]
		known[d] = true
		if d >= len(items) {
			spans[d] = span{start: 0, step: 1, length: n, kept: true}
			continue
		}
		it := items[d]
		if !it.Slice {
			i, _, ok := next(it.Entries[0])
			if !ok {
				known[d] = false
				continue
			}
			if i < -n || i >= n {
				return nil, nil, graph.IndexErrorf("%s: index %d is out of bounds for axis %d with size %d", op, i, d, n)
			}
			if i < 0 {
				i += n
			}
			spans[d] = span{start: i, step: 1, length: 1}
			continue
		}
		var v [3]int
		var present [3]bool
		ok := true
		for j := range 3 {
			var okj bool
			v[j], present[j], okj = next(it.Entries[j])
			ok = ok && okj
		}
		if !ok {
			known[d] = false
			continue
		}
		s, err := sliceIndices(n, v, present)
		if err != nil {
			return nil, nil, graph.ValueErrorf("%s: %v", op, err)
		}
		spans[d] = s
	}
	return spans, known, nil
}

// sliceIndices is Python's slice(start, stop, step).indices(n), plus the
// resulting length.
func sliceIndices(n int, v [3]int, present [3]bool) (span, error) {
	step := 1
	if present[2] {
		step = v[2]
	}
	if step == 0 {
		return span{}, fmt.Errorf("slice step cannot be zero")
	}
	lower, upper := 0, n
	if step < 0 {
		lower, upper = -1, n-1
	}
	bound := func(x int, has bool, def int) int {
		if !has {
			return def
		}
		if x < 0 {
			x += n
			return max(x, lower)
		}
		return min(x, upper)
	}
	var start, stop int
	if step > 0 {
		start, stop = bound(v[0], present[0], lower), bound(v[1], present[1], upper)
	} else {
		start, stop = bound(v[0], present[0], upper), bound(v[1], present[1], lower)
	}
	length := 0
	if step > 0 && stop > start {
		length = (stop-start-1)/step + 1
	} else if step < 0 && start > stop {
		length = (start-stop-1)/(-step) + 1
	}
	return span{start: start, step: step, length: length, kept: true}, nil
}

// staticIndexShape is the output's static shape: known where the input
// length and the item's constants are known (and through full slices).
func staticIndexShape(op string, items []IndexItem, shape []int) ([]int, error) {
	out := []int{}
	for d, n := range shape {
		if d >= len(items) {
			out = append(out, n)
			continue
		}
		it := items[d]
		var one []int
		if n != graph.Unknown {
			spans, known, err := resolveSpans(op, []IndexItem{it}, []int{n}, func(int) (int, bool) { return 0, false })
			if err != nil {
				return nil, err
			}
			if known[0] && it.Slice {
				one = []int{spans[0].length}
			}
		}
		if !it.Slice {
			continue
		}
		if one == nil {
			one = []int{graph.Unknown}
			start, stop, step := it.Entries[0], it.Entries[1], it.Entries[2]
			unitStep := step.Kind == EntryNone || (step.Kind == EntryConst && (step.Value == 1 || step.Value == -1))
			if start.Kind == EntryNone && stop.Kind == EntryNone && unitStep {
				one[0] = n // x[:] and x[::-1] keep the length, known or not
			}
		}
		out = append(out, one...)
	}
	return out, nil
}

// spanIndex lists the flat positions in an array of the given shape that
// the spans select, in C order, and returns the output shape (the kept
// dimensions' lengths).
func spanIndex(shape []int, spans []span) (index, outShape []int) {
	strides := tensor.Strides(shape)
	block := make([]int, len(shape))
	steps := make([]int, len(shape))
	base := 0
	outShape = []int{}
	for d, s := range spans {
		base += s.start * strides[d]
		block[d] = s.length
		steps[d] = s.step * strides[d]
		if s.kept {
			outShape = append(outShape, s.length)
		}
	}
	index = stridedIndex(block, steps)
	for k := range index {
		index[k] += base
	}
	return index, outShape
}

// indexValues reads the index inputs' values for resolveSpans.
func indexValues(in []*tensor.Array) valueSource {
	return func(k int) (int, bool) {
		if k >= len(in) {
			return 0, false
		}
		return int(in[k].Int64s()[0]), true
	}
}

// constantValues reads the index inputs that are constants; the others are unknown.
func constantValues(inputs []*graph.Variable) valueSource {
	return func(k int) (int, bool) {
		if k >= len(inputs) || !inputs[k].IsConstant() {
			return 0, false
		}
		return int(inputs[k].Value.Int64s()[0]), true
	}
}
