package compile

import (
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/ops"
)

// fuseElemwise replaces each group of elementwise nodes (Elemwise and
// CastOp) with one ops.FusedOp node, so that the evaluator reads the
// group's inputs and writes its output once:
//
//	sub(mul(tanh(add(mul(x, y), 2)), x), true_div(y, 3))
//	  -> composite{(tanh(((i0 * i1) + 2)) * i0) - (i1 / 3)}(x, y)
//
// A group grows from its root (walking from the outputs) to the node
// computing one of its inputs when that node
//   - is elementwise,
//   - has an output that only nodes of the group read (not a result, no
//     consumer outside: fusing never computes anything twice), and
//   - has the root's broadcast pattern (an input of static length 1 where
//     the root's output is not, such as a row added to a matrix, is
//     computed apart once rather than once per element of the output),
//   - and the group has fewer than maxFusedSize nodes (a node left out
//     roots a group of its own, whose output the first group reads).
//
// A node read by several members of the group (y in tanh(y*0.5) + sin(y))
// is one node of the expression (a core/kir DAG), which the others read:
// the expression is the DAG of the group, never the tree it unfolds to, so
// its size is the group's however much the group shares (fusionGroup.fuse).
//
// Where the group reads its inputs, a dimshuffle that only pads on the
// left with broadcastable dimensions (ApplyScalar's) is read through, and a
// constant of one element becomes a constant of the expression. A group of one
// node stays as it is, unless a reduction is its only consumer. The node
// feeding a reduction (sum(exp(x) * y)) is a root like any other, and
// fuseReductions then folds the reduction and its map into one node.
func fuseElemwise(b *graph.Builder, fg *FunctionGraph) error {
	order := fg.Toposort()
	clients := map[*graph.Variable][]*graph.Apply{}
	for _, n := range order {
		for _, in := range n.Inputs {
			clients[in] = append(clients[in], n)
		}
	}
	result := map[*graph.Variable]bool{}
	for _, r := range fg.Results {
		result[r] = true
	}
	groupOf := map[*graph.Apply]*fusionGroup{}
	// reads counts, for the group growing now, the reads of a variable by
	// its members (entries of clients, so mul(y, y) reads y twice): all
	// of a variable's readers are members when the count reaches
	// len(clients), a test in constant time where walking the clients at
	// each member's read is quadratic in a value's readers.
	type memberReads struct {
		g *fusionGroup
		n int
	}
	reads := map[*graph.Variable]memberReads{}
	join := func(n *graph.Apply, g *fusionGroup) {
		groupOf[n] = g
		for _, in := range n.Inputs {
			r := reads[in]
			if r.g != g {
				r = memberReads{g: g}
			}
			r.n++
			reads[in] = r
		}
	}
	for i := len(order) - 1; i >= 0; i-- {
		root := order[i]
		if groupOf[root] != nil || !fusable(root) {
			continue
		}
		g := &fusionGroup{root: root}
		join(root, g)
		for stack := []*graph.Apply{root}; len(stack) > 0; {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			g.size++
			for _, in := range n.Inputs {
				p := in.Owner
				if p == nil || groupOf[p] != nil || !fusable(p) || result[in] || !sameBroadcast(in.Type, root.Outputs[0].Type) {
					continue
				}
				inside := reads[in].g == g && reads[in].n == len(clients[in])
				if inside && g.size+len(stack) < maxFusedSize { // (else a later member reading in may complete the set)
					join(p, g)
					stack = append(stack, p)
				}
			}
		}
	}

	// a single node whose only consumer is a reduction becomes a one-op
	// composite too, so that the reduction folds it (sum(exp(x)) never holds exp(x))
	feedsReduce := func(n *graph.Apply) bool {
		out := n.Outputs[0]
		if result[out] || len(clients[out]) != 1 {
			return false
		}
		_, ok := clients[out][0].Op.(ops.Reduce)
		return ok
	}
	err := rewriteNodes(b, fg, order, func(n *graph.Apply, get func(*graph.Variable) *graph.Variable) (*graph.Variable, error) {
		if g := groupOf[n]; g != nil && g.root == n && (g.size > 1 || feedsReduce(n)) {
			return g.fuse(b, groupOf, get)
		}
		return nil, nil // members of a group become unused when their root fuses
	})
	if err != nil {
		return err
	}
	return fuseReductions(b, fg)
}

// fuseReductions replaces each reduction of a composite with one
// ops.FusedReduceOp node, which folds the map's values block by block and
// never holds its output:
//
//	sum{axis=[1]}(composite{exp(i0) * i1}(x, y))
//	  -> composite_reduce{sum{axis=[1]}(exp(i0) * i1)}(x, y)
//
// when the reduction is the composite's only consumer and the composite's
// output is not a result (else the map is computed anyway), and the
// composite does not read the flat element index.
func fuseReductions(b *graph.Builder, fg *FunctionGraph) error {
	order := fg.Toposort()
	clients := map[*graph.Variable]int{}
	for _, n := range order {
		for _, in := range n.Inputs {
			clients[in]++
		}
	}
	for _, r := range fg.Results {
		clients[r]++ // a result has a consumer outside the graph
	}
	return rewriteNodes(b, fg, order, func(n *graph.Apply, get func(*graph.Variable) *graph.Variable) (*graph.Variable, error) {
		r, isReduce := n.Op.(ops.Reduce)
		if !isReduce || clients[n.Inputs[0]] != 1 {
			return nil, nil
		}
		m := n.Inputs[0].Owner
		if m == nil {
			return nil, nil
		}
		f, isFused := m.Op.(ops.FusedOp)
		if !isFused || f.Expr.ReadsIndex() {
			// a map reading the flat index stays apart: compiled folds
			// do not track the position (codegen/cxx/lower_reduce.go),
			// and the map and the reduction each compile alone
			return nil, nil
		}
		ins := make([]*graph.Variable, len(m.Inputs))
		for i, in := range m.Inputs {
			ins[i] = get(in)
		}
		op := ops.FusedReduceOp{Expr: f.Expr, Ndim: f.Ndim, Kind: r.Kind.Name, Axes: r.Axes, KeepDims: r.KeepDims}
		v, err := b.Apply1(op, ins...)
		if err != nil || !v.Type.Equal(n.Outputs[0].Type) {
			return nil, nil // the two nodes stay: the fused op cannot stand for them
		}
		v.Owner.Source = n.Source
		return v, nil
	})
}

// rewriteNodes walks the nodes in order: replace gives the variable that
// takes the place of a node's (single) output, or nil for none; any other
// node is rebuilt on its rewritten inputs (get). The results follow.
func rewriteNodes(b *graph.Builder, fg *FunctionGraph, order []*graph.Apply,
	replace func(n *graph.Apply, get func(*graph.Variable) *graph.Variable) (*graph.Variable, error)) error {
	repl := map[*graph.Variable]*graph.Variable{}
	get := func(v *graph.Variable) *graph.Variable {
		if r, ok := repl[v]; ok {
			return r
		}
		return v
	}
	for _, n := range order {
		v, err := replace(n, get)
		if err != nil {
			return err
		}
		if v != nil {
			repl[n.Outputs[0]] = v
			continue
		}
		ins := make([]*graph.Variable, len(n.Inputs))
		changed := false
		for i, in := range n.Inputs {
			ins[i] = get(in)
			changed = changed || ins[i] != in
		}
		if changed {
			nn, err := rebuild(b, n, ins)
			if err != nil {
				return err
			}
			for i, o := range n.Outputs {
				repl[o] = nn.Outputs[i]
			}
		}
	}
	for i, r := range fg.Results {
		fg.Results[i] = get(r)
	}
	return nil
}

// maxFusedSize caps the nodes of one fusion group. A group has no other
// reason to stop growing: a long chain of elementwise ops (a 4,000-level
// chain of y = tanh(y * c) + sin(y), 16,000 nodes) would become one
// FusedOp, whose C++ element function is one function of 16,000
// statements, and g++ -O2 is superlinear in a function's length. Measured
// on the 2-core machine (g++ 12, the kernel alone, a chain whose levels
// differ so that no two groups share an element function):
//
//	levels  nodes   uncapped       cap 1024      cap 256
//	1000    4000    1.65 s CPU     1.62 s        2.54 s
//	4000    16000   11.1 s, 382 MB 4.97 s, 187 MB 5.52 s
//
// A cut costs one intermediate array written and read once per 1024
// scalar operations, and smaller caps pay more glue and loop code per
// node. Groups of ordinary graphs (tens of nodes) never reach it.
const maxFusedSize = 1024

// fusionGroup is a set of elementwise nodes computing root's output.
type fusionGroup struct {
	root *graph.Apply
	size int
}

func fusable(n *graph.Apply) bool {
	switch n.Op.(type) {
	case ops.Elemwise, ops.CastOp:
		return len(n.Outputs) == 1
	}
	return false
}

// sameBroadcast reports whether a and b have the same rank and the same
// dimensions of static length 1.
func sameBroadcast(a, b graph.Type) bool {
	if a.Ndim() != b.Ndim() {
		return false
	}
	for d := range a.Shape {
		if (a.Shape[d] == 1) != (b.Shape[d] == 1) {
			return false
		}
	}
	return true
}

// fuse builds the group's fused node over the rewritten inputs (get), or
// returns nil when the fused node would not have the root's type. It
// visits each variable once (refs holds the expression node of each
// variable visited): a member read twice is one node of the DAG that both
// readers read, so the expression has one node per member, where visiting
// each use would build the tree, doubling at each shared level.
func (g *fusionGroup) fuse(b *graph.Builder, groupOf map[*graph.Apply]*fusionGroup, get func(*graph.Variable) *graph.Variable) (*graph.Variable, error) {
	refs := map[*graph.Variable]*kir.Expr{}
	inputIndex := map[*graph.Variable]int{}
	var inputs []*graph.Variable
	ok := true
	var visit func(v *graph.Variable) *kir.Expr
	visit = func(v *graph.Variable) *kir.Expr {
		if r, done := refs[v]; done {
			return r
		}
		var r *kir.Expr
		if p := v.Owner; p != nil && groupOf[p] == g {
			args := make([]*kir.Expr, len(p.Inputs))
			for i, in := range p.Inputs {
				if args[i] = visit(in); args[i] == nil {
					ok = false
					return nil
				}
			}
			if r = exprOf(p.Op, args); r == nil {
				ok = false
			}
		} else if c, isConst := literal(v); isConst {
			r = kir.Constant(c)
		} else {
			src := unpad(get(v))
			i, seen := inputIndex[src]
			if !seen {
				i = len(inputs)
				inputIndex[src] = i
				inputs = append(inputs, src)
			}
			r = kir.Input(i, src.Type.DType)
		}
		refs[v] = r
		return r
	}
	out := g.root.Outputs[0]
	e := visit(out)
	if !ok || e == nil || len(inputs) == 0 {
		return nil, nil
	}
	v, err := b.Apply1(ops.FusedOp{Expr: e, Ndim: out.Type.Ndim()}, inputs...)
	if err != nil || !v.Type.Equal(out.Type) {
		return nil, nil // the elementwise nodes stay: the fused op cannot stand for them
	}
	v.Owner.Source = g.root.Source // messages name the line of the expression's last op
	return v, nil
}

// exprOf is the expression node computing op (an Elemwise or a CastOp) of
// args, or nil for any other op or when the row rejects the dtypes.
func exprOf(op graph.Op, args []*kir.Expr) *kir.Expr {
	switch op := op.(type) {
	case ops.Elemwise:
		e, err := kir.Apply(op.Scalar, args...)
		if err != nil {
			return nil
		}
		return e
	case ops.CastOp:
		return kir.Cast(args[0], op.To)
	}
	return nil
}

// literal is the expression's constant for v: a constant with one element
// and all dimensions broadcastable, possibly through a dimshuffle.
func literal(v *graph.Variable) (kir.Const, bool) {
	for _, d := range v.Type.Shape {
		if d != 1 {
			return kir.Const{}, false
		}
	}
	c := v
	if v.Owner != nil {
		if _, isDimShuffle := v.Owner.Op.(ops.DimShuffleOp); !isDimShuffle {
			return kir.Const{}, false
		}
		c = v.Owner.Inputs[0]
	}
	if !c.IsConstant() {
		return kir.Const{}, false
	}
	return kir.ConstOf(c.Value)
}

// unpad reads through dimshuffles that only add broadcastable dimensions
// on the left (dimshuffle{x,0,1}): the fused op pads lower-rank inputs.
func unpad(v *graph.Variable) *graph.Variable {
	for v.Owner != nil {
		ds, isDimShuffle := v.Owner.Op.(ops.DimShuffleOp)
		if !isDimShuffle {
			return v
		}
		in := v.Owner.Inputs[0]
		k := ds.Pattern.Len() - in.Type.Ndim()
		for d, p := range ds.Pattern.Ints() {
			if (d < k && p != ops.Broadcast) || (d >= k && p != d-k) {
				return v
			}
		}
		v = in
	}
	return v
}
