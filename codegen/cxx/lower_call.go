package cxx

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"theanogo/core/graph"
	"theanogo/core/kir"
)

// A kernel whose body is a kir.Call runs one function of the runtime
// library (BLAS, softmax, arg-reductions, indexing, arange): the op says
// which, with which arguments, what it promises (failure, in place, an
// arena, shape-phase checks), and this file prints it for every op alike.
// For gemm updating Z in place:
//
//	// kernel gemm(...)
//	//   tg_gemm(in0, in1, in2, in3, in4, out0) in place of in0, arena for in2 in3, never fails
//	tg_blas_arena(st->slots[3].data, st->slots[3].bytes);
//	const int rc = tg_gemm(in0, in1, in2, in3, in4, out0, err);
//	tg_blas_arena(NULL, 0);
//	if (rc != 0) return 1;
//
// Tables are declared before the call:
//
//	const tg_view *idx1[] = {in2, in3};
//	static const uint8_t bc2[] = {0, 0};
//	if (tg_advanced_inc_subtensor(out0, in0, in1, nullptr, 2, idx1, bc2, 0, err) != 0) return 1;

// printCall prints the call c of kernel k as the node's body. With an
// arena outside the shape phase (e.scratch is its slot) the call runs with
// the slot as its workspace; in the shape phase (a value-dependent shape
// needs the result early, nothing is written yet) it allocates its own.
func printCall(e *Emitter, k *kir.Kernel, c *kir.Call) error {
	e.Include(c.Header)
	args := make([]string, 0, len(c.Args)+1)
	for _, a := range c.Args {
		s, err := callArg(e, k, a)
		if err != nil {
			return fmt.Errorf("cxx: kernel %s: %v", k.Name, err)
		}
		args = append(args, s)
	}
	call := c.Func + "(" + strings.Join(append(args, "err"), ", ") + ")"
	if len(c.Arena) == 0 || e.scratch < 0 {
		e.Line("if (%s != 0) return 1;", call)
		return nil
	}
	e.Line("tg_blas_arena(st->slots[%d].data, st->slots[%d].bytes);", e.scratch, e.scratch)
	e.Line("const int rc = %s;", call)
	e.Line("tg_blas_arena(NULL, 0);")
	e.Line("if (rc != 0) return 1;")
	return nil
}

// callArg is the C++ expression of one argument; a table is declared
// first (a null pointer when empty).
func callArg(e *Emitter, k *kir.Kernel, a kir.Arg) (string, error) {
	switch a.Kind {
	case kir.ArgView:
		return k.OperandName(a.Operand), nil
	case kir.ArgInt:
		return intLiteral(a.Int), nil
	case kir.ArgScalar:
		// as the evaluator's Int64s: a uint64 keeps its bits
		return fmt.Sprintf("(int64_t)*(const %s *)%s->data", e.CType(k.Operand(a.Operand).DType).Storage, k.OperandName(a.Operand)), nil
	}
	if len(a.List) == 0 {
		return "nullptr", nil
	}
	entries := make([]string, len(a.List))
	for i, en := range a.List {
		s, err := callArg(e, k, en)
		if err != nil {
			return "", err
		}
		entries[i] = s
	}
	var decl, name string
	switch a.Kind {
	case kir.ArgInts:
		name = e.Fresh("items")
		decl = "const int64_t %s[] = {%s};"
	case kir.ArgViews:
		name = e.Fresh("idx")
		decl = "const tg_view *%s[] = {%s};"
	case kir.ArgFlags:
		name = e.Fresh("bc")
		decl = "static const uint8_t %s[] = {%s};"
	default:
		return "", fmt.Errorf("argument kind %v", a.Kind)
	}
	e.Line(decl, name, strings.Join(entries, ", "))
	return name, nil
}

// intLiteral is v as a C++ literal: -9223372036854775808LL is not one.
func intLiteral(v int64) string {
	switch {
	case v == math.MinInt64:
		return "INT64_MIN"
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return strconv.FormatInt(v, 10)
	}
	return strconv.FormatInt(v, 10) + "LL"
}

// nodeCall is n's runtime call, when n lowers to a kernel whose body is
// one (nil otherwise, or when the op refuses the node).
func nodeCall(n *graph.Apply) *kir.Call {
	l, ok := n.Op.(kir.Lowerable)
	if !ok {
		return nil
	}
	k, err := l.Lower(n)
	if err != nil {
		return nil
	}
	c, _ := k.Body.(*kir.Call)
	return c
}

// callsBLAS reports whether n's kernel calls BLAS (a function of
// tg_blas.h): BLAS's threads then spin around the kernel's own loops.
func callsBLAS(n *graph.Apply) bool {
	c := nodeCall(n)
	return c != nil && c.Header == "tg_blas.h"
}

// blasNode reports whether n's call runs with an arena (the matrix
// products): the memory planner gives it a workspace slot for the node.
func blasNode(n *graph.Apply) bool {
	c := nodeCall(n)
	return c != nil && len(c.Arena) > 0
}

// blasOperands are the inputs n's call may copy into its arena (dot's x
// and y, gemm's X and Y, ...): the arena holds them and one output-sized
// temporary (blasArenaBytes).
func blasOperands(n *graph.Apply) []*graph.Variable {
	c := nodeCall(n)
	if c == nil {
		return nil
	}
	vs := make([]*graph.Variable, len(c.Arena))
	for i, j := range c.Arena {
		vs[i] = n.Inputs[j]
	}
	return vs
}

// callChecks emits, in the shape phase, the length checks of every
// runtime call (the matrix products' with the evaluator's messages), so
// that none fails in phase 2:
//
//	if (n3 != n7) return tg_set_error(err, "ValueError: dot: shapes [%lld %lld] and [%lld] not aligned: ...", ...);
//
// A pair whose lengths are the same symbol is not checked.
func (g *gen) callChecks(nodes []*graph.Apply) {
	for _, n := range nodes {
		c := nodeCall(n)
		if c == nil {
			continue
		}
		length := func(x kir.Extent) string { return g.dims[operandVar(n, x.Operand)][x.Axis] }
		for _, ch := range c.Checks {
			var conds []string
			for _, p := range ch.Equal {
				if a, b := length(p[0]), length(p[1]); a != b {
					conds = append(conds, a+" != "+b)
				}
			}
			if len(conds) == 0 {
				continue
			}
			var shapes []string
			var args []string
			for _, i := range ch.Shown {
				dims := g.dims[operandVar(n, i)]
				shapes = append(shapes, "["+strings.TrimSpace(strings.Repeat("%lld ", len(dims)))+"]")
				for _, l := range dims {
					args = append(args, "(long long)"+l)
				}
			}
			format := ch.Message
			for _, s := range shapes {
				format = strings.Replace(format, "%s", s, 1)
			}
			if ch.ShowPair {
				args = append(args, "(long long)"+length(ch.Equal[0][0]), "(long long)"+length(ch.Equal[0][1]))
			}
			g.line("if (%s) return tg_set_error(err, \"ValueError: %s\", %s);", strings.Join(conds, " || "), format, strings.Join(args, ", ")) // format: no user text
		}
	}
}

// operandVar is the variable of kernel operand i (inputs, then outputs).
func operandVar(n *graph.Apply, i int) *graph.Variable {
	if i < len(n.Inputs) {
		return n.Inputs[i]
	}
	return n.Outputs[i-len(n.Inputs)]
}
