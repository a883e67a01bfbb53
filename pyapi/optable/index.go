package optable

import (
	"fmt"

	"theanogo/core/graph"
	"theanogo/core/ops"
)

// indexConstructors are the basic indexing views (subtensor, whose
// numpy None items become a dimshuffle); the index updates, the advanced
// indexing ops and arange register themselves in core/ops.
var indexConstructors = map[string]Constructor{
	"subtensor": buildSubtensor, // {"items": [...]}; x, index scalars
}

// buildSubtensor reads {"items": [...]}; inputs are x and the index scalars.
// Items {"newaxis": true} (numpy's None) become a DimShuffle of the result.
func buildSubtensor(b *graph.Builder, p Params, inputs []*graph.Variable) (*graph.Variable, error) {
	if len(inputs) == 0 {
		return nil, graph.TypeErrorf("subtensor takes at least 1 input, got 0")
	}
	rest, pattern := splitNewAxes(p, inputs[0].Type.Ndim())
	items, err := parseItems("subtensor", rest)
	if err != nil {
		return nil, err
	}
	out, err := ops.Subtensor(b, inputs[0], items, inputs[1:]...)
	if err != nil || pattern == nil {
		return out, err
	}
	return ops.DimShuffle(b, out, pattern)
}

// parseItems reads {"items": [{"index": 3 | "input"}, {"slice": [start, stop, step]}]},
// its errors naming op.
func parseItems(op string, p Params) ([]ops.IndexItem, error) {
	items, err := p.Items("items")
	if err != nil {
		return nil, graph.TypeErrorf("%s: %v", op, err)
	}
	return items, nil
}

// Items reads a basic index's items (ops.Params): a list of
// {"index": 3 | "input"} and {"slice": [start, stop, step]}, where an entry
// is an integer, null (a slice's default) or "input" (the next index
// scalar input); nil when the key is absent.
func (p Params) Items(key string) ([]ops.IndexItem, error) {
	raw, ok := p[key].([]any)
	if !ok && p[key] != nil {
		return nil, fmt.Errorf("%s must be a list, got %v", key, p[key])
	}
	items := make([]ops.IndexItem, len(raw))
	for i, r := range raw {
		m, ok := r.(map[string]any)
		if !ok || len(m) != 1 {
			return nil, fmt.Errorf("item %d must be {\"index\": ...} or {\"slice\": [...]}, got %v", i, r)
		}
		var vals []any
		if v, ok := m["index"]; ok {
			vals = []any{v}
		} else if v, ok := m["slice"].([]any); ok && len(v) == 3 {
			items[i].Slice = true
			vals = v
		} else {
			return nil, fmt.Errorf("item %d must be {\"index\": ...} or {\"slice\": [start, stop, step]}, got %v", i, r)
		}
		for _, v := range vals {
			e, err := parseEntry(v, items[i].Slice)
			if err != nil {
				return nil, fmt.Errorf("item %d: %v", i, err)
			}
			items[i].Entries = append(items[i].Entries, e)
		}
	}
	return items, nil
}

func parseEntry(v any, inSlice bool) (ops.IndexEntry, error) {
	switch v := v.(type) {
	case nil:
		if inSlice {
			return ops.IndexEntry{Kind: ops.EntryNone}, nil
		}
	case string:
		if v == "input" {
			return ops.IndexEntry{Kind: ops.EntryInput}, nil
		}
	case float64:
		if v == float64(int(v)) {
			return ops.IndexEntry{Kind: ops.EntryConst, Value: int(v)}, nil
		}
	}
	return ops.IndexEntry{}, fmt.Errorf("bad index entry %v (use an integer, null in a slice, or \"input\")", v)
}

// splitNewAxes takes the {"newaxis": true} items (numpy's None) out of the
// index and returns the other items, plus the DimShuffle pattern that
// inserts the new axes into the subtensor's result (nil when there are none):
//
//	x[None, 1:, 0, None] = dimshuffle{x,0,x}(x[1:, 0])
func splitNewAxes(p Params, ndim int) (Params, []int) {
	raw, _ := p["items"].([]any)
	var kept []any
	var pattern []int
	next, consumed, found := 0, 0, false
	for _, r := range raw {
		m, _ := r.(map[string]any)
		if _, ok := m["newaxis"]; ok && len(m) == 1 {
			pattern = append(pattern, ops.Broadcast)
			found = true
			continue
		}
		kept = append(kept, r)
		consumed++
		if _, ok := m["slice"]; ok {
			pattern = append(pattern, next)
			next++
		}
	}
	if !found {
		return p, nil
	}
	for d := consumed; d < ndim; d++ { // dimensions the index leaves whole
		pattern = append(pattern, next)
		next++
	}
	rest := Params{}
	for k, v := range p {
		rest[k] = v
	}
	rest["items"] = kept
	return rest, pattern
}
