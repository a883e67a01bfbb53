package cxx

import (
	"fmt"
	"strconv"
	"strings"

	"theanogo/core/graph"
	"theanogo/core/ops"
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
//
// Each call runs with the node's arena (tg_blas_arena: a workspace slot the
// kernel reserves before phase 2) for the copies it makes, and the shape
// phase has checked the products' lengths (blasChecks): the calls then
// cannot fail, so they may follow an in-place update (schedule.go).

// blasCall returns a lowering whose body is one call of the runtime
// function fn with the node's inputs, then its output and err.
func blasCall(fn string) func(e *Emitter, n *graph.Apply) error {
	return func(e *Emitter, n *graph.Apply) error {
		e.Include("tg_blas.h")
		args := ""
		for i := range n.Inputs {
			args += "in" + strconv.Itoa(i) + ", "
		}
		if e.scratch < 0 { // the shape phase: before any write, malloc may fail
			e.Line("if (%s(%sout0, err) != 0) return 1;", fn, args)
			return nil
		}
		e.Line("tg_blas_arena(st->slots[%d].data, st->slots[%d].bytes);", e.scratch, e.scratch)
		e.Line("const int rc = %s(%sout0, err);", fn, args)
		e.Line("tg_blas_arena(NULL, 0);")
		e.Line("if (rc != 0) return 1;")
		return nil
	}
}

// accumulatedInPlace: gemm, gemv and ger may write their result into the
// accumulated input's memory (input 0: Z, y or A, which has the output's
// shape). The runtime function reads each element of it once, before
// writing that element (BLAS's beta*C), and detects the alias itself: it
// then updates in place without copying.
func accumulatedInPlace(_ *graph.Apply, i int) bool { return i == 0 }

// blasNode reports whether n is a matrix product (it gets an arena slot).
func blasNode(n *graph.Apply) bool {
	switch n.Op.(type) {
	case ops.DotOp, ops.GemmOp, ops.GemvOp, ops.GerOp:
		return true
	}
	return false
}

// blasOperands are the two operands a product multiplies: dot(x, y),
// gemm's X and Y, gemv's A and x, ger's x and y (the accumulated input has
// the output's shape). The slice is n's own inputs, capacity cut: an
// append to it cannot write into the node.
func blasOperands(n *graph.Apply) []*graph.Variable {
	switch n.Op.(type) {
	case ops.DotOp:
		return n.Inputs[0:2:2]
	case ops.GemmOp, ops.GemvOp, ops.GerOp:
		return n.Inputs[2:4:4]
	}
	return nil
}

// blasChecks emits, in the shape phase, the length checks of every matrix
// product, with the evaluator's messages, so that none fails in phase 2:
//
//	dot(x, y):           x[-1] == y[0]
//	gemm(Z, a, X, Y, b): Z = (m, n), X = (m, k), Y = (k, n)
//	gemv(y, a, A, x, b): y = (m), A = (m, k), x = (k)
//	ger(A, a, x, y):     A = (m, n), x = (m), y = (n)
func (g *gen) blasChecks(nodes []*graph.Apply) {
	for _, n := range nodes {
		d := func(i, k int) string { return g.dims[n.Inputs[i]][k] }
		var pairs [][2]string
		var message string // a format, then the shapes it prints (input indexes)
		var shown []int
		switch n.Op.(type) {
		case ops.DotOp:
			x := g.dims[n.Inputs[0]]
			if len(x) == 0 || len(g.dims[n.Inputs[1]]) == 0 {
				continue
			}
			pairs = [][2]string{{x[len(x)-1], d(1, 0)}}
			message, shown = "dot: shapes %s and %s not aligned: %%lld (dim "+strconv.Itoa(len(x)-1)+") != %%lld (dim 0)", []int{0, 1}
		case ops.GemmOp:
			pairs = [][2]string{{d(0, 0), d(2, 0)}, {d(0, 1), d(3, 1)}, {d(2, 1), d(3, 0)}}
			message, shown = "gemm: shapes Z %s, X %s, Y %s do not fit a*X·Y + b*Z", []int{0, 2, 3}
		case ops.GemvOp:
			pairs = [][2]string{{d(0, 0), d(2, 0)}, {d(2, 1), d(3, 0)}}
			message, shown = "gemv: shapes y %s, A %s, x %s do not fit a*A·x + b*y", []int{0, 2, 3}
		case ops.GerOp:
			pairs = [][2]string{{d(0, 0), d(2, 0)}, {d(0, 1), d(3, 0)}}
			message, shown = "ger: shapes A %s, x %s, y %s do not fit A + a*outer(x, y)", []int{0, 2, 3}
		default:
			continue
		}
		var shapes []any
		var args []string
		for _, i := range shown {
			dims := g.dims[n.Inputs[i]]
			shapes = append(shapes, "["+strings.TrimSpace(strings.Repeat("%lld ", len(dims)))+"]")
			for _, l := range dims {
				args = append(args, "(long long)"+l)
			}
		}
		format := fmt.Sprintf(message, shapes...)
		if _, ok := n.Op.(ops.DotOp); ok {
			args = append(args, "(long long)"+pairs[0][0], "(long long)"+pairs[0][1])
		}
		var conds []string
		for _, p := range pairs {
			if p[0] != p[1] {
				conds = append(conds, p[0]+" != "+p[1])
			}
		}
		if len(conds) == 0 {
			continue
		}
		g.line("if (%s) return tg_set_error(err, \"ValueError: %s\", %s);", strings.Join(conds, " || "), format, strings.Join(args, ", ")) // format: no user text
	}
}
