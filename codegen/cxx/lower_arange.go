package cxx

import "theanogo/core/graph"

// lowerARange lowers arange(start, stop, step) to the runtime's tg_arange,
// which computes the evaluator's length (and its errors: a zero step, a
// NaN or infinite length) from the three scalars, checks it against the
// allocated output, and fills it: exactly in int64 when the three are
// integers, as start + i*step in float64 without fused multiply-add
// otherwise, converted to the output dtype as the evaluator converts.
//
//	if (tg_arange(out0, in0, in1, in2, err)) return 1;
func lowerARange(e *Emitter, _ *graph.Apply) error {
	e.Include("tg_index.h")
	e.Line("if (tg_arange(out0, in0, in1, in2, err)) return 1;")
	return nil
}
