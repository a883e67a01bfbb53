package main

/*
#include <stdint.h>
*/
import "C"

import (
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// tg_inc_subtensor builds Theano's set_subtensor(x[idx], y) (set != 0) or
// inc_subtensor(x[idx], y): sub must be the output of a subtensor or an
// advanced_subtensor; the result is x with that region replaced by (or
// incremented by) y.
//
//export tg_inc_subtensor
func tg_inc_subtensor(sub C.int64_t, y C.int64_t, set C.int, errOut **C.char) (h C.int64_t) {
	guard(errOut, func() error {
		s, err := variable(int64(sub))
		if err != nil {
			return err
		}
		yv, err := variable(int64(y))
		if err != nil {
			return err
		}
		name := map[bool]string{true: "set_subtensor", false: "inc_subtensor"}[set != 0]
		var inc graph.Op
		if op, ok := ownerOp[ops.SubtensorOp](s); ok {
			inc = ops.IncSubtensorOp{Items: op.Items, Set: set != 0}
		} else if _, ok := ownerOp[ops.AdvancedSubtensorOp](s); ok {
			inc = ops.AdvancedIncSubtensorOp{Set: set != 0}
		} else {
			return graph.TypeErrorf("%s: the first argument must be a subtensor of a variable (x[...]), got %v", name, s)
		}
		x, indices := s.Owner.Inputs[0], s.Owner.Inputs[1:]
		inputs := append([]*graph.Variable{x, yv}, indices...)
		v, err := sess.builder.Apply1(inc, inputs...)
		if err != nil {
			return err
		}
		h = C.int64_t(sess.handles.put(v))
		return nil
	})
	return h
}

// ownerOp returns the op computing v as a T, if it is one.
func ownerOp[T graph.Op](v *graph.Variable) (T, bool) {
	var zero T
	if v.Owner == nil {
		return zero, false
	}
	op, ok := v.Owner.Op.(T)
	return op, ok
}
