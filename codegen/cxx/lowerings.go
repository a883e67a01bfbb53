package cxx

import (
	"reflect"

	"theanogo/core/control"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/ops"
)

// lowerings is the table op type -> lowering. Every area adds its rows
// here; an op without a row runs in the Go evaluator (eval_node), unless
// it lowers to a kernel (kir.Lowerable: the runtime calls, cumsum): those
// need no row. It is
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
		// reductions (lower_reduce.go; Reduce and FusedReduceOp lower to
		// reduce kernels: no row, lower_kir.go)
		reflect.TypeOf(ops.ReducedCount{}): {Lower: lowerReducedCount, Fails: always(neverFails)},
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
