package cxx

import (
	"fmt"
	"math"
	"strings"

	"theanogo/core/graph"
	"theanogo/core/ops"
)

// The indexing lowerings call the runtime (codegen/runtime/tg_index.h):
// every check — index bounds, slice steps, the increment's fit — happens
// there, before the first write, so an inc/set whose output is the old
// memory of a shared variable (an in-place update) leaves it unchanged when
// it fails. The generated body only gathers the node's static facts (the
// basic index items, which dimensions have static length 1) into tables.
//
//	// node 7: advanced_inc_subtensor
//	const tg_view *idx1[] = {in2, in3};
//	static const uint8_t bc2[] = {0, 0};
//	static const uint8_t ybc3[] = {0};
//	if (tg_advanced_inc_subtensor(out0, in0, in1, ybc3, 2, idx1, bc2, 0, err)) return 1;

// lowerIncSubtensor lowers x[items] += y (or = y) with basic indices: the
// items become a table of TG_INDEX_ITEM int64s per item, whose symbolic
// entries read the node's index scalars (inputs 2...).
func lowerIncSubtensor(e *Emitter, n *graph.Apply) error {
	op := n.Op.(ops.IncSubtensorOp)
	e.Include("tg_index.h")
	items := op.Items.List()
	next := 2 // the next index scalar input
	entry := func(en ops.IndexEntry) (has, value string, err error) {
		switch en.Kind {
		case ops.EntryConst:
			if en.Value == math.MinInt64 {
				return "1", "INT64_MIN", nil // -9223372036854775808LL is not a C++ literal
			}
			return "1", fmt.Sprintf("%dLL", en.Value), nil
		case ops.EntryInput:
			if next >= len(n.Inputs) {
				return "", "", fmt.Errorf("cxx: %s: too few index inputs", graph.OpString(n.Op))
			}
			v := scalarInt64(e, n, next)
			next++
			return "1", v, nil
		}
		return "0", "0", nil
	}
	codes := make([]string, 0, 7*len(items))
	for _, it := range items {
		if !it.Slice {
			_, v, err := entry(it.Entries[0])
			if err != nil {
				return err
			}
			codes = append(codes, "0", v, "0", "0", "0", "0", "0")
			continue
		}
		codes = append(codes, "1")
		for _, en := range it.Entries {
			has, v, err := entry(en)
			if err != nil {
				return err
			}
			codes = append(codes, has, v)
		}
	}
	table := "nullptr"
	if len(codes) > 0 {
		table = e.Fresh("items")
		e.Line("const int64_t %s[] = {%s};", table, strings.Join(codes, ", "))
	}
	ybc := staticOnes(e, "ybc", n.Inputs[1].Type.Shape)
	e.Line("if (tg_inc_subtensor(out0, in0, in1, %s, %d, %s, %d, err)) return 1;", ybc, len(items), table, flag(op.Set))
	return nil
}

// lowerAdvancedSubtensor lowers x[idx_0, ..., idx_{k-1}] with integer
// index arrays (inputs 1..k).
func lowerAdvancedSubtensor(e *Emitter, n *graph.Apply) error {
	e.Include("tg_index.h")
	idx, bc := indexArrays(e, n.Inputs[1:], 1)
	e.Line("if (tg_advanced_subtensor(out0, in0, %d, %s, %s, err)) return 1;", len(n.Inputs)-1, idx, bc)
	return nil
}

// lowerAdvancedIncSubtensor lowers x[idx...] += y (np.add.at) or = y,
// with index arrays as inputs 2...
func lowerAdvancedIncSubtensor(e *Emitter, n *graph.Apply) error {
	op := n.Op.(ops.AdvancedIncSubtensorOp)
	e.Include("tg_index.h")
	idx, bc := indexArrays(e, n.Inputs[2:], 2)
	ybc := staticOnes(e, "ybc", n.Inputs[1].Type.Shape)
	e.Line("if (tg_advanced_inc_subtensor(out0, in0, in1, %s, %d, %s, %s, %d, err)) return 1;",
		ybc, len(n.Inputs)-2, idx, bc, flag(op.Set))
	return nil
}

// incInPlace: an inc/set output may take x's memory (input 0): the runtime
// then skips the copy of x and writes only the selected elements, after
// reading every index (and copying aside an increment that overlaps it).
func incInPlace(_ *graph.Apply, i int) bool { return i == 0 }

// indexArrays declares the table of index-array views (inputs first...)
// and the flags of their dimensions of static length 1, concatenated.
func indexArrays(e *Emitter, idx []*graph.Variable, first int) (views, static1 string) {
	names := make([]string, len(idx))
	var shape []int
	for i, v := range idx {
		names[i] = fmt.Sprintf("in%d", first+i)
		shape = append(shape, v.Type.Shape...)
	}
	views = e.Fresh("idx")
	e.Line("const tg_view *%s[] = {%s};", views, strings.Join(names, ", "))
	return views, staticOnes(e, "bc", shape)
}

// staticOnes declares a table with one flag per length: 1 where the static
// length is 1 (a dimension that broadcasts); "nullptr" for no lengths.
func staticOnes(e *Emitter, prefix string, shape []int) string {
	if len(shape) == 0 {
		return "nullptr"
	}
	flags := make([]string, len(shape))
	for d, l := range shape {
		flags[d] = "0"
		if l == 1 {
			flags[d] = "1"
		}
	}
	name := e.Fresh(prefix)
	e.Line("static const uint8_t %s[] = {%s};", name, strings.Join(flags, ", "))
	return name
}

// scalarInt64 is a C++ expression reading the integer scalar input i as
// the evaluator does (Int64s: a uint64 keeps its bits).
func scalarInt64(e *Emitter, n *graph.Apply, i int) string {
	return fmt.Sprintf("(int64_t)*(const %s *)in%d->data", e.CType(n.Inputs[i].Type.DType).Storage, i)
}

// flag is a C truth value.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}
