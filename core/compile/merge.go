package compile

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"strconv"
	"strings"

	"theanogo/core/graph"
)

// merge computes equal subexpressions once: constants of equal dtype, shape
// and bytes become one variable, and nodes applying equal ops to the same
// inputs become one node. This is where theanogo hash-conses; the user's
// graph keeps every expression distinct (names and consider_constant work by
// identity).
//
//	add(x, 1) * add(x, 1)  ->  a * a  with a = add(x, 1)
func merge(b *graph.Builder, fg *FunctionGraph) error {
	consts := constantTable{seed: maphash.MakeSeed(), byKey: map[constKey][]*graph.Variable{}}
	nodes := map[nodeKey]*graph.Apply{}
	return rewriteGraph(b, fg, consts.canonical, func(n *graph.Apply, ins []*graph.Variable) ([]*graph.Variable, error) {
		key := newNodeKey(n.Op, ins)
		if m, ok := nodes[key]; ok {
			return m.Outputs, nil
		}
		same := true
		for i, in := range ins {
			same = same && in == n.Inputs[i]
		}
		m := n
		if !same {
			var err error
			if m, err = rebuild(b, n, ins); err != nil {
				return nil, err
			}
		}
		nodes[key] = m
		return m.Outputs, nil
	})
}

// constKey finds candidate equal constants by a hash of their bytes, so the
// table never holds a second copy of a large value.
type constKey struct {
	dtype string
	shape string
	hash  uint64
}

type constantTable struct {
	seed  maphash.Seed
	byKey map[constKey][]*graph.Variable
}

// canonical returns the first constant seen equal to v (v itself when it is
// not a constant, or the first of its value).
func (t *constantTable) canonical(v *graph.Variable) *graph.Variable {
	if v.Value == nil {
		return v
	}
	data := v.Value.Bytes()
	key := constKey{v.Value.DType.String(), fmt.Sprint(v.Value.Shape), maphash.Bytes(t.seed, data)}
	for _, c := range t.byKey[key] {
		if bytes.Equal(c.Value.Bytes(), data) {
			return c
		}
	}
	t.byKey[key] = append(t.byKey[key], v)
	return v
}

// nodeKey identifies a node by its op and the identities of its inputs.
// The op is the Go value itself: ops are comparable values, and equal ops
// (same Go type, equal parameters) are the same op.
type nodeKey struct {
	op     graph.Op
	inputs string // the input variables' ids, comma-separated
}

func newNodeKey(op graph.Op, inputs []*graph.Variable) nodeKey {
	var sb strings.Builder
	for i, in := range inputs {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.FormatUint(in.ID(), 10))
	}
	return nodeKey{op: op, inputs: sb.String()}
}
