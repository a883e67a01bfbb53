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
		// elementwise (elemwise.go)
		reflect.TypeOf(ops.Elemwise{}): {Lower: lowerElemwise, InPlace: elementwiseInPlace, Fails: elemwiseFails},
		reflect.TypeOf(ops.FusedOp{}):  {Lower: lowerFused, InPlace: elementwiseInPlace, Fails: always(neverFails)},
		reflect.TypeOf(ops.CastOp{}):   {Lower: lowerCast, InPlace: elementwiseInPlace, Fails: always(neverFails)},
		reflect.TypeOf(ops.CopyOp{}):   {Lower: lowerCopy, InPlace: elementwiseInPlace, Fails: always(neverFails)},
		// views (views.go)
		reflect.TypeOf(ops.DimShuffleOp{}): {Lower: lowerDimShuffle, View: true, Fails: always(neverFails)},
		reflect.TypeOf(ops.SubtensorOp{}):  {Lower: lowerSubtensor, View: true, Fails: always(failsBeforeWriting)},
		reflect.TypeOf(ops.ReshapeOp{}):    {Lower: lowerReshape, View: true, Fails: always(failsBeforeWriting)},
		reflect.TypeOf(ops.FlattenOp{}):    {Lower: lowerReshape, View: true, Fails: always(failsBeforeWriting)},
		// shapes (shapes.go)
		reflect.TypeOf(ops.ShapeOp{}):      {Lower: lowerShape, Fails: always(neverFails)},
		reflect.TypeOf(ops.MakeVectorOp{}): {Lower: lowerMakeVector, Fails: always(neverFails)},
		// reductions (lower_reduce.go)
		reflect.TypeOf(ops.Reduce{}):        {Lower: lowerReduce, Fails: reduceFails},
		reflect.TypeOf(ops.ReducedCount{}):  {Lower: lowerReducedCount, Fails: always(neverFails)},
		reflect.TypeOf(ops.FusedReduceOp{}): {Lower: lowerFusedReduce, Fails: always(failsBeforeWriting)},
		// loops (lower_scan.go): the step is a region called per step
		reflect.TypeOf(control.Scan{}): {Lower: lowerScan},
	}
}

// elemwiseFails: an elementwise node whose scalar op checks its int64
// operands (integer pow, negative exponents) fails before its loop; the
// others never fail (the shape phase checked the broadcast).
func elemwiseFails(n *graph.Apply) Failure {
	if op, ok := n.Op.(ops.Elemwise); ok && op.Scalar.CheckI64 != nil {
		return failsBeforeWriting
	}
	return neverFails
}

// reduceFails: max and min of an empty selection fail before writing;
// every other reduction has an identity and never fails.
func reduceFails(n *graph.Apply) Failure {
	if op, ok := n.Op.(ops.Reduce); ok && op.Kind.NonEmpty {
		return failsBeforeWriting
	}
	return neverFails
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
