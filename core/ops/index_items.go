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

// IndexAt is the item of a constant integer index: x[i].
func IndexAt(i int) IndexItem {
	return IndexItem{Entries: []IndexEntry{{Kind: EntryConst, Value: i}}}
}

// IndexItems is an immutable, comparable list of index items: what a
// subtensor op keeps of its index, so that the op is a comparable value.
// It encodes each item as seven ints in a graph.IntList (slice flag, then
// kind and value of three entries; an integer index uses the first entry).
//
//	NewIndexItems([]IndexItem{IndexAt(0)}) == NewIndexItems([]IndexItem{IndexAt(0)}) // true
type IndexItems struct {
	code graph.IntList
}

// itemWidth is the number of ints encoding one item.
const itemWidth = 7

// NewIndexItems encodes items. A slice item must have three entries and an
// integer item one (Subtensor checks the items it is given).
func NewIndexItems(items []IndexItem) IndexItems {
	code := make([]int, 0, itemWidth*len(items))
	for _, it := range items {
		flag := 0
		if it.Slice {
			flag = 1
		}
		code = append(code, flag)
		for j := range 3 {
			e := IndexEntry{}
			if j < len(it.Entries) {
				e = it.Entries[j]
			}
			code = append(code, int(e.Kind), e.Value)
		}
	}
	return IndexItems{code: graph.NewIntList(code...)}
}

// Len is the number of items.
func (x IndexItems) Len() int { return x.code.Len() / itemWidth }

// List decodes the items (a new slice).
func (x IndexItems) List() []IndexItem {
	items := make([]IndexItem, x.Len())
	for i := range items {
		at := i * itemWidth
		items[i].Slice = x.code.At(at) == 1
		n := 1
		if items[i].Slice {
			n = 3
		}
		for j := range n {
			items[i].Entries = append(items[i].Entries, IndexEntry{Kind: EntryKind(x.code.At(at + 1 + 2*j)), Value: x.code.At(at + 2 + 2*j)})
		}
	}
	return items
}

// String prints the items as numpy does ("2, 1:$, ::-1"; see itemsString).
func (x IndexItems) String() string { return itemsString(x.List()) }

// MarshalText encodes the items as their integer code (see NewIndexItems),
// the form serialized graphs keep (encoding.TextMarshaler).
func (x IndexItems) MarshalText() ([]byte, error) { return x.code.MarshalText() }

// UnmarshalText decodes what MarshalText encodes, checking the code's shape.
func (x *IndexItems) UnmarshalText(text []byte) error {
	var code graph.IntList
	if err := code.UnmarshalText(text); err != nil {
		return err
	}
	if code.Len()%itemWidth != 0 {
		return fmt.Errorf("index items: a code of %d integers is not a whole number of items", code.Len())
	}
	*x = IndexItems{code: code}
	return nil
}

// checkItems checks the items' structure: three entries (start, stop,
// step, each possibly absent) for a slice, one present entry for an index.
func checkItems(op string, items []IndexItem) error {
	for i, it := range items {
		switch {
		case it.Slice && len(it.Entries) != 3:
			return graph.TypeErrorf("%s: item %d is a slice with %d entries, not 3 (start, stop, step)", op, i, len(it.Entries))
		case !it.Slice && (len(it.Entries) != 1 || it.Entries[0].Kind == EntryNone):
			return graph.TypeErrorf("%s: item %d is an index and needs one entry (a constant or an input)", op, i)
		}
	}
	return nil
}

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

// SliceIndices is Python's slice(start, stop, step).indices(n) plus the
// slice's length, for constant entries (present says which of start, stop
// and step were given): what rewrites of constant slices need.
func SliceIndices(n int, v [3]int, present [3]bool) (start, step, length int, err error) {
	s, err := sliceIndices(n, v, present)
	return s.start, s.step, s.length, err
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
