package ops

import (
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/tensor"
)

// FusedReduceOp is a reduction of a fused elementwise map, in one node
// that never holds the map's output: the evaluator runs the map's program
// block by block (as FusedOp does) and folds each block into the
// accumulators. The fusion pass makes one from Reduce(FusedOp):
//
//	sum{axis=[1]}(composite{exp(i0) * i1}(x, y))
//	  -> composite_reduce{sum{axis=[1]}(exp(i0) * i1)}(x, y)
//
// Expr and Ndim are the map's (FusedOp); Kind names a row of the
// reduction table, and Axes and KeepDims are Reduce's. It computes what
// Reduce computes on FusedOp's output: the same dtypes, the same order of
// folding (so the same rounding), NaN and empty-dimension rules.
type FusedReduceOp struct {
	Expr     *kir.Expr
	Ndim     int
	Kind     string
	Axes     graph.AxisSet
	KeepDims bool
}

func (op FusedReduceOp) Name() string { return "composite_reduce" }

// ParamString is the reduction and the map's scalar expression:
// "sum{axis=[1]}(exp(i0) * i1)".
func (op FusedReduceOp) ParamString() string {
	s := op.Kind + "{axis=" + op.Axes.String()
	if op.KeepDims {
		s += " keepdims=true"
	}
	return s + "}(" + op.fused().ParamString() + ")"
}

func (op FusedReduceOp) fused() FusedOp { return FusedOp{Expr: op.Expr, Ndim: op.Ndim} }

// reduce is the Reduce node this op folds the map's output with.
func (op FusedReduceOp) reduce() (Reduce, error) {
	k := reductionTable[op.Kind]
	if k == nil {
		return Reduce{}, graph.ValueErrorf("composite_reduce: no reduction is called %q", op.Kind)
	}
	return Reduce{Kind: k, Axes: op.Axes, KeepDims: op.KeepDims}, nil
}

// OutputTypes is Reduce's rule on the map's output type.
func (op FusedReduceOp) OutputTypes(inputs []*graph.Variable) ([]graph.Type, error) {
	r, err := op.reduce()
	if err != nil {
		return nil, err
	}
	mapped, err := op.fused().OutputTypes(inputs)
	if err != nil {
		return nil, err
	}
	return r.OutputTypes([]*graph.Variable{{Type: mapped[0]}})
}

// OutputShapes drops (or keeps as 1) the reduced axes of the map's
// broadcast lengths.
func (op FusedReduceOp) OutputShapes(b *graph.Builder, node *graph.Apply, in [][]*graph.Variable) ([][]*graph.Variable, error) {
	mapped, err := op.fused().OutputShapes(b, node, in)
	if err != nil {
		return nil, err
	}
	return [][]*graph.Variable{reducedLengths(NewLengths(b), mapped[0], op.Axes, op.KeepDims)}, nil
}

// Pullback: fusion runs after the gradient is taken, so a fused node has none.
func (op FusedReduceOp) Pullback(*graph.Builder, *graph.Apply, []*graph.Variable) ([]*graph.Variable, error) {
	return nil, graph.TypeErrorf("composite_reduce has no gradient: fusion runs after grad; take the gradient of the unfused graph")
}

// Evaluate runs the map block by block and folds each block into the
// accumulators, in the domain Reduce.Evaluate folds in.
func (op FusedReduceOp) Evaluate(node *graph.Apply, inputs []*tensor.Array) ([]*tensor.Array, error) {
	r, err := op.reduce()
	if err != nil {
		return nil, err
	}
	run, err := op.fused().start(node, inputs)
	if err != nil {
		return nil, err
	}
	k := r.Kind
	outShape := reducedShape(run.shape, op.Axes, op.KeepDims)
	outDT := node.Outputs[0].Type.DType
	n := tensor.Size(outShape)
	count, err := reducedCount(k, run.shape, op.Axes, n)
	if err != nil {
		return nil, err
	}
	mapDT := run.plan.out
	mapped := newBlock(storageOf(mapDT), fusedChunk) // the map's block, in mapDT's storage domain
	walk := newReduceWalk(run.shape, op.Axes)
	switch compute := k.ComputeDType(outDT); {
	case compute.IsComplex():
		acc := accumulators(n, k.Identity.Complex128())
		scratch := newBlock(domC, fusedChunk)
		if err = foldBlocks(run, walk, mapped, acc, func(m int) []complex128 {
			return convertBlock(scratch, mapped, mapDT, domC, m, false).c
		}, folder(k.Scalar.C128)); err != nil {
			return nil, err
		}
		if k.Mean {
			for i := range acc {
				acc[i] /= complex(float64(count), 0)
			}
		}
		return []*tensor.Array{tensor.FromComplex128s(outDT, outShape, acc)}, nil
	case compute == dtype.Int64:
		acc := accumulators(n, k.Identity.Int64())
		scratch := newBlock(domI, fusedChunk)
		if err = foldBlocks(run, walk, mapped, acc, func(m int) []int64 {
			return convertBlock(scratch, mapped, mapDT, domI, m, false).i
		}, folder(k.Scalar.I64)); err != nil {
			return nil, err
		}
		return []*tensor.Array{tensor.FromInt64s(outDT, outShape, acc)}, nil
	default:
		acc := accumulators(n, k.Identity.Float64())
		scratch := newBlock(domF, fusedChunk)
		fold := folder(k.Scalar.F64)
		if k.Scalar.Name == "add" {
			fold = addFloats
		}
		if err = foldBlocks(run, walk, mapped, acc, func(m int) []float64 {
			return convertBlock(scratch, mapped, mapDT, domF, m, false).f
		}, fold); err != nil {
			return nil, err
		}
		if k.Mean {
			for i := range acc {
				acc[i] /= float64(count)
			}
		}
		return []*tensor.Array{tensor.FromFloat64s(outDT, outShape, acc)}, nil
	}
}

// accumulators are n accumulators starting at identity.
func accumulators[T any](n int, identity T) []T {
	acc := tensor.Make[T](n)
	for i := range acc {
		acc[i] = identity
	}
	return acc
}

// foldBlocks computes the map block by block into mapped and folds each
// element into acc[target], in the order of the map's elements (Reduce's
// order): values(m) is the block just computed, in the fold's domain, and fold
// folds a run of values into acc[t], acc[t+1], ... (step 1) or all into
// acc[t] (step 0).
func foldBlocks[T any](run *fusedRun, walk *reduceWalk, mapped block, acc []T, values func(m int) []T,
	fold func(acc []T, t, step int, xs []T)) error {
	for k0 := 0; k0 < run.n; k0 += fusedChunk {
		m := min(fusedChunk, run.n-k0)
		if err := run.compute(k0, m, mapped); err != nil {
			return err
		}
		xs := values(m)
		for k := 0; k < m; {
			t, step, left := walk.at()
			seg := xs[k : k+min(left, m-k)]
			fold(acc, t, step, seg)
			walk.advance(len(seg))
			k += len(seg)
		}
	}
	return nil
}

// folder folds runs with a scalar row's function: acc = combine(acc, x).
func folder[T any](combine func(acc, x, _ T) T) func(acc []T, t, step int, xs []T) {
	var zero T
	return func(acc []T, t, step int, xs []T) {
		if step != 0 {
			for j, x := range xs {
				acc[t+j] = combine(acc[t+j], x, zero)
			}
			return
		}
		a := acc[t]
		for _, x := range xs {
			a = combine(a, x, zero)
		}
		acc[t] = a
	}
}

// addFloats folds runs of a float sum: add's F64 inlined.
func addFloats(acc []float64, t, step int, xs []float64) {
	if step != 0 {
		for j, x := range xs {
			acc[t+j] += x
		}
		return
	}
	a := acc[t]
	for _, x := range xs {
		a += x
	}
	acc[t] = a
}

// reduceWalk follows the map's elements in order and gives the output
// position each reduces into, a run at a time: along the innermost
// dimension the position steps by 0 (a reduced axis) or 1 (a kept one).
// Adjacent dimensions that step alike are merged, so a reduction over
// every axis is one run.
type reduceWalk struct {
	shape, strides []int // merged dimensions; strides into the output
	index          []int
	target         int
}

func newReduceWalk(shape []int, axes graph.AxisSet) *reduceWalk {
	strides := make([]int, len(shape))
	s := 1
	for d := len(shape) - 1; d >= 0; d-- {
		if !axes.Has(d) {
			strides[d] = s
			s *= shape[d]
		}
	}
	w := &reduceWalk{shape: []int{1}, strides: []int{0}}
	for d := range shape {
		last := len(w.shape) - 1
		if w.strides[last] == strides[d]*shape[d] { // (both 0, or contiguous kept axes)
			w.shape[last] *= shape[d]
			w.strides[last] = strides[d]
			continue
		}
		w.shape = append(w.shape, shape[d])
		w.strides = append(w.strides, strides[d])
	}
	w.index = make([]int, len(w.shape))
	return w
}

// at is the current element's output position, the step along the
// innermost dimension and how many elements are left in it.
func (w *reduceWalk) at() (target, step, left int) {
	last := len(w.shape) - 1
	return w.target, w.strides[last], w.shape[last] - w.index[last]
}

// advance moves n elements on, n at most what at says is left.
func (w *reduceWalk) advance(n int) {
	last := len(w.shape) - 1
	w.index[last] += n
	w.target += n * w.strides[last]
	for d := last; d > 0 && w.index[d] == w.shape[d]; d-- {
		w.target -= w.index[d] * w.strides[d]
		w.index[d] = 0
		w.index[d-1]++
		w.target += w.strides[d-1]
	}
}
