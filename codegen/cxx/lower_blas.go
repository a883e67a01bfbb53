package cxx

import (
	"strconv"

	"theanogo/core/graph"
)

// The matrix products call the runtime's view-level BLAS entries
// (codegen/runtime/tg_blas.h), which check the shapes, pick BLAS's
// transpose flags and leading dimensions from the input views (copying
// only a layout BLAS cannot read), and run plain loops for the dtypes BLAS
// lacks (dot of integers, bool, float16, complex):
//
//	dot(x, y)          -> tg_dot(in0, in1, out0, err)
//	gemm(Z, a, X, Y, b) -> tg_gemm(in0, in1, in2, in3, in4, out0, err)
//	gemv(y, a, A, x, b) -> tg_gemv(in0, in1, in2, in3, in4, out0, err)
//	ger(A, a, x, y)     -> tg_ger(in0, in1, in2, in3, out0, err)

// blasCall returns a lowering whose body is one call of the runtime
// function fn with the node's inputs, then its output and err.
func blasCall(fn string) func(e *Emitter, n *graph.Apply) error {
	return func(e *Emitter, n *graph.Apply) error {
		e.Include("tg_blas.h")
		args := ""
		for i := range n.Inputs {
			args += "in" + strconv.Itoa(i) + ", "
		}
		e.Line("if (%s(%sout0, err) != 0) return 1;", fn, args)
		return nil
	}
}

// accumulatedInPlace: gemm, gemv and ger may write their result into the
// accumulated input's memory (input 0: Z, y or A, which has the output's
// shape). The runtime function reads each element of it once, before
// writing that element (BLAS's beta*C), and detects the alias itself: it
// then updates in place without copying.
func accumulatedInPlace(_ *graph.Apply, i int) bool { return i == 0 }
