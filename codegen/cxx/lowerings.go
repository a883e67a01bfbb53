package cxx

import (
	"reflect"

	"theanogo/core/control"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/ops"
)

// lowerings is the table op type -> lowering. Every area adds its rows
// here; an op without a row runs in the Go evaluator (eval_node). It is
// set in init: lowerings consult the table (isView).
var lowerings map[reflect.Type]Lowering

func init() { lowerings = loweringTable() }

func loweringTable() map[reflect.Type]Lowering {
	return map[reflect.Type]Lowering{
		// elementwise (Elemwise, FusedOp, CastOp, CopyOp) lower to map
		// kernels: no row (lower_kir.go)
		// views (views.go)
		reflect.TypeOf(ops.DimShuffleOp{}): {Lower: lowerDimShuffle, View: true, Fails: always(neverFails)},
		reflect.TypeOf(ops.SubtensorOp{}):  {Lower: lowerSubtensor, View: true, Fails: always(failsBeforeWriting)},
		reflect.TypeOf(ops.ReshapeOp{}):    {Lower: lowerReshape, View: true, Fails: always(failsBeforeWriting)},
		reflect.TypeOf(ops.FlattenOp{}):    {Lower: lowerReshape, View: true, Fails: always(failsBeforeWriting)},
		// shapes (shapes.go)
		reflect.TypeOf(ops.ShapeOp{}):      {Lower: lowerShape, Fails: always(neverFails)},
		reflect.TypeOf(ops.MakeVectorOp{}): {Lower: lowerMakeVector, Fails: always(neverFails)},
		// matrix products (lower_blas.go)
		reflect.TypeOf(ops.DotOp{}):  {Lower: blasCall("tg_dot"), Fails: always(neverFails)},
		reflect.TypeOf(ops.GemmOp{}): {Lower: blasCall("tg_gemm"), InPlace: accumulatedInPlace, Fails: always(neverFails)},
		reflect.TypeOf(ops.GemvOp{}): {Lower: blasCall("tg_gemv"), InPlace: accumulatedInPlace, Fails: always(neverFails)},
		reflect.TypeOf(ops.GerOp{}):  {Lower: blasCall("tg_ger"), InPlace: accumulatedInPlace, Fails: always(neverFails)},
		// indexing (lower_index.go, lower_arange.go; runtime tg_index.h)
		reflect.TypeOf(ops.IncSubtensorOp{}):         {Lower: lowerIncSubtensor, InPlace: incInPlace, Fails: always(failsBeforeWriting)},
		reflect.TypeOf(ops.AdvancedSubtensorOp{}):    {Lower: lowerAdvancedSubtensor, Fails: always(failsBeforeWriting)},
		reflect.TypeOf(ops.AdvancedIncSubtensorOp{}): {Lower: lowerAdvancedIncSubtensor, InPlace: incInPlace, Fails: always(failsBeforeWriting)},
		reflect.TypeOf(ops.ARangeOp{}):               {Lower: lowerARange, Fails: always(failsBeforeWriting)},
		// reductions (lower_reduce.go; Reduce and FusedReduceOp lower to
		// reduce kernels: no row, lower_kir.go)
		reflect.TypeOf(ops.ReducedCount{}): {Lower: lowerReducedCount, Fails: always(neverFails)},
		reflect.TypeOf(ops.ArgReduce{}):    {Lower: lowerArgReduce, Fails: always(failsBeforeWriting)},
		// softmax family (lower_softmax.go)
		reflect.TypeOf(ops.SoftmaxOp{}):     {Lower: lowerSoftmax, Fails: always(failsBeforeWriting)},
		reflect.TypeOf(ops.SoftmaxGradOp{}): {Lower: lowerSoftmaxGrad, Fails: always(failsBeforeWriting)},
		// loops (lower_scan.go): the step is a region called per step
		reflect.TypeOf(control.Scan{}): {Lower: lowerScan},
	}
}

// lookup returns n's lowering, if its op has one: its row, or else the
// generic lowering of its kernel when the op is kir.Lowerable (an op
// registered in one place needs no row here: lower_kir.go).
func lookup(n *graph.Apply) (Lowering, bool) {
	if l, ok := lowerings[reflect.TypeOf(n.Op)]; ok {
		return l, true
	}
	if _, ok := n.Op.(kir.Lowerable); ok {
		return kernelLowering, true
	}
	return Lowering{}, false
}
