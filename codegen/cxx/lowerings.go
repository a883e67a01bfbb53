package cxx

import (
	"reflect"

	"theanogo/core/graph"
	"theanogo/core/ops"
)

// lowerings is the table op type -> lowering. Every area adds its rows
// here; an op without a row runs in the Go evaluator (eval_node).
var lowerings = map[reflect.Type]Lowering{
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
	// reductions (lower_reduce.go)
	reflect.TypeOf(ops.Reduce{}):        {Lower: lowerReduce},
	reflect.TypeOf(ops.ReducedCount{}):  {Lower: lowerReducedCount},
	reflect.TypeOf(ops.ArgReduce{}):     {Lower: lowerArgReduce},
	reflect.TypeOf(ops.FusedReduceOp{}): {Lower: lowerFusedReduce},
	// softmax family (lower_softmax.go)
	reflect.TypeOf(ops.SoftmaxOp{}):     {Lower: lowerSoftmax},
	reflect.TypeOf(ops.SoftmaxGradOp{}): {Lower: lowerSoftmaxGrad},
}

// lookup returns n's lowering, if its op has one.
func lookup(n *graph.Apply) (Lowering, bool) {
	l, ok := lowerings[reflect.TypeOf(n.Op)]
	return l, ok
}
