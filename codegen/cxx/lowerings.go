package cxx

import (
	"reflect"

	"theanogo/core/graph"
	"theanogo/core/ops"
)

// lowerings is the table op type -> lowering. Every area adds its rows
// here; an op without a row runs in the Go evaluator (eval_node). It is
// set in init: lowerings consult the table (isView).
var lowerings map[reflect.Type]Lowering

func init() { lowerings = loweringTable() }

func loweringTable() map[reflect.Type]Lowering {
	return map[reflect.Type]Lowering{
		// elementwise (elemwise.go)
		reflect.TypeOf(ops.Elemwise{}): {Lower: lowerElemwise, InPlace: elementwiseInPlace},
		reflect.TypeOf(ops.FusedOp{}):  {Lower: lowerFused, InPlace: elementwiseInPlace},
		reflect.TypeOf(ops.CastOp{}):   {Lower: lowerCast, InPlace: elementwiseInPlace},
		reflect.TypeOf(ops.CopyOp{}):   {Lower: lowerCopy, InPlace: elementwiseInPlace},
		// views (views.go)
		reflect.TypeOf(ops.DimShuffleOp{}): {Lower: lowerDimShuffle, View: true},
		reflect.TypeOf(ops.SubtensorOp{}):  {Lower: lowerSubtensor, View: true},
		reflect.TypeOf(ops.ReshapeOp{}):    {Lower: lowerReshape, View: true},
		reflect.TypeOf(ops.FlattenOp{}):    {Lower: lowerReshape, View: true},
		// shapes (shapes.go)
		reflect.TypeOf(ops.ShapeOp{}):      {Lower: lowerShape},
		reflect.TypeOf(ops.MakeVectorOp{}): {Lower: lowerMakeVector},
		// matrix products (lower_blas.go)
		reflect.TypeOf(ops.DotOp{}):  {Lower: blasCall("tg_dot")},
		reflect.TypeOf(ops.GemmOp{}): {Lower: blasCall("tg_gemm"), InPlace: accumulatedInPlace},
		reflect.TypeOf(ops.GemvOp{}): {Lower: blasCall("tg_gemv"), InPlace: accumulatedInPlace},
		reflect.TypeOf(ops.GerOp{}):  {Lower: blasCall("tg_ger"), InPlace: accumulatedInPlace},
		// indexing (lower_index.go, lower_arange.go; runtime tg_index.h)
		reflect.TypeOf(ops.IncSubtensorOp{}):         {Lower: lowerIncSubtensor, InPlace: incInPlace},
		reflect.TypeOf(ops.AdvancedSubtensorOp{}):    {Lower: lowerAdvancedSubtensor},
		reflect.TypeOf(ops.AdvancedIncSubtensorOp{}): {Lower: lowerAdvancedIncSubtensor, InPlace: incInPlace},
		reflect.TypeOf(ops.ARangeOp{}):               {Lower: lowerARange},
		// reductions (lower_reduce.go)
		reflect.TypeOf(ops.Reduce{}):        {Lower: lowerReduce},
		reflect.TypeOf(ops.ReducedCount{}):  {Lower: lowerReducedCount},
		reflect.TypeOf(ops.ArgReduce{}):     {Lower: lowerArgReduce},
		reflect.TypeOf(ops.FusedReduceOp{}): {Lower: lowerFusedReduce},
		// softmax family (lower_softmax.go)
		reflect.TypeOf(ops.SoftmaxOp{}):     {Lower: lowerSoftmax},
		reflect.TypeOf(ops.SoftmaxGradOp{}): {Lower: lowerSoftmaxGrad},
	}
}

// lookup returns n's lowering, if its op has one.
func lookup(n *graph.Apply) (Lowering, bool) {
	l, ok := lowerings[reflect.TypeOf(n.Op)]
	return l, ok
}
