package main

/*
#include <stdint.h>
*/
import "C"

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// tg_debugprint returns the text of graph.Debugprint for the n output
// variables (free it).
//
//export tg_debugprint
func tg_debugprint(outputs *C.int64_t, n C.int, errOut **C.char) (out *C.char) {
	guard(errOut, func() error {
		vs, err := variables(goInts(outputs, n))
		if err != nil {
			return err
		}
		out = cString(graph.Debugprint(vs))
		return nil
	})
	return out
}

// tg_function_debugprint returns the graph a compiled function evaluates:
// its outputs, then the new value of each updated shared variable, after
// givens were substituted (free it). THEANOGO_FLAGS=print_graph=True prints
// it when a function is compiled.
//
//export tg_function_debugprint
func tg_function_debugprint(fh C.int64_t, errOut **C.char) (out *C.char) {
	guard(errOut, func() error {
		fn, err := getAs[*compile.Function](int64(fh), "function")
		if err != nil {
			return err
		}
		out = cString(fn.Graph.String())
		return nil
	})
	return out
}

// tg_pp returns theano.printing.pp's text of each of the n output
// variables, one per line (free it): the expression in math notation, as
// Pretty prints it.
//
//export tg_pp
func tg_pp(outputs *C.int64_t, n C.int, errOut **C.char) (out *C.char) {
	guard(errOut, func() error {
		vs, err := variables(goInts(outputs, n))
		if err != nil {
			return err
		}
		lines := make([]string, len(vs))
		for i, v := range vs {
			lines[i] = Pretty(v)
		}
		out = cString(strings.Join(lines, "\n"))
		return nil
	})
	return out
}

// infix are the elementwise ops Pretty prints as binary operators.
var infix = map[string]string{
	"add": "+", "sub": "-", "mul": "*", "true_div": "/", "int_div": "//", "mod": "%", "pow": "**",
	"lt": "<", "gt": ">", "le": "<=", "ge": ">=", "eq": "==", "neq": "!=",
	"and": "&", "or": "|", "xor": "^",
}

// prefix are the elementwise ops Pretty prints as unary operators.
var prefix = map[string]string{"neg": "-", "invert": "~"}

// Pretty prints the expression computing v in math notation, as
// theano.printing.pp does: binary elementwise ops infix and parenthesized,
// other ops as function calls, indexing as Python's, variables by name and
// small constants by value. Dimshuffles that only add broadcastable
// dimensions are invisible; a transpose is .T.
//
//	((x * 2) + exp(y))    sum(x, axis=[0])    x[1:]    dot(x, W)
func Pretty(v *graph.Variable) string {
	if v.Owner == nil {
		if v.Name == "" && v.IsConstant() {
			if s, ok := constantString(v.Value); ok {
				return s
			}
		}
		return v.String()
	}
	node := v.Owner
	args := make([]string, len(node.Inputs))
	for i, in := range node.Inputs {
		args[i] = Pretty(in)
	}
	switch op := node.Op.(type) {
	case ops.Elemwise:
		if sym, ok := infix[op.Name()]; ok && len(args) == 2 {
			return "(" + args[0] + " " + sym + " " + args[1] + ")"
		}
		if sym, ok := prefix[op.Name()]; ok && len(args) == 1 {
			return sym + args[0]
		}
	case ops.DimShuffleOp:
		pattern := op.Pattern.Ints()
		if onlyBroadcasts(pattern) {
			return args[0]
		}
		if len(pattern) == 2 && pattern[0] == 1 && pattern[1] == 0 {
			return args[0] + ".T"
		}
	case ops.Reduce:
		axes := make([]string, 0, 4)
		for _, a := range op.Axes.Axes() {
			axes = append(axes, strconv.Itoa(a))
		}
		s := fmt.Sprintf("%s(%s, axis=[%s]", op.Name(), args[0], strings.Join(axes, ", "))
		if op.KeepDims {
			s += ", keepdims=True"
		}
		return s + ")"
	case ops.SubtensorOp:
		return args[0] + "[" + indexString(op.Items.List(), args[1:]) + "]"
	case ops.IncSubtensorOp:
		return fmt.Sprintf("%s(%s[%s], %s)", op.Name(), args[0], indexString(op.Items.List(), args[2:]), args[1])
	case ops.AdvancedSubtensorOp:
		return args[0] + "[" + strings.Join(args[1:], ", ") + "]"
	case ops.AdvancedIncSubtensorOp:
		return fmt.Sprintf("%s(%s[%s], %s)", op.Name(), args[0], strings.Join(args[2:], ", "), args[1])
	}
	return graph.OpString(node.Op) + "(" + strings.Join(args, ", ") + ")"
}

// onlyBroadcasts reports whether a dimshuffle pattern keeps the input's
// dimensions in order and only inserts broadcastable ones.
func onlyBroadcasts(pattern []int) bool {
	next := 0
	for _, p := range pattern {
		if p == ops.Broadcast {
			continue
		}
		if p != next {
			return false
		}
		next++
	}
	return true
}

// indexString prints index items as Python's subscript ("1:, i"), taking
// the symbolic entries' texts from inputs in order.
func indexString(items []ops.IndexItem, inputs []string) string {
	parts := make([]string, len(items))
	for i, it := range items {
		es := make([]string, len(it.Entries))
		for j, e := range it.Entries {
			switch e.Kind {
			case ops.EntryConst:
				es[j] = fmt.Sprint(e.Value)
			case ops.EntryInput:
				if len(inputs) > 0 {
					es[j], inputs = inputs[0], inputs[1:]
				}
			}
		}
		if it.Slice && es[2] == "" {
			es = es[:2]
		}
		parts[i] = strings.Join(es, ":")
	}
	return strings.Join(parts, ", ")
}

// maxPrintedConstant is the most elements Pretty prints as a value; larger
// constants print as TensorConstant{type}.
const maxPrintedConstant = 8

// constantString prints a small constant as Python prints its value
// (2, 0.5, True, [1, 2]).
func constantString(a *tensor.Array) (string, bool) {
	if a.Size() > maxPrintedConstant || a.DType.IsComplex() {
		return "", false
	}
	var elems []string
	switch {
	case a.DType.Kind() == dtype.KindBool:
		for _, b := range a.Bools() {
			elems = append(elems, map[bool]string{true: "True", false: "False"}[b])
		}
	case a.DType.IsInteger():
		for _, x := range a.Int64s() {
			elems = append(elems, strconv.FormatInt(x, 10))
		}
	default:
		bits := 64
		if a.DType.Size() < 8 {
			bits = 32 // float32 0.1 prints as 0.1, as numpy does
		}
		for _, x := range a.Float64s() {
			elems = append(elems, pythonFloat(x, bits))
		}
	}
	var nest func(shape []int, elems []string) string
	nest = func(shape []int, elems []string) string {
		if len(shape) == 0 {
			return elems[0]
		}
		parts := make([]string, shape[0])
		step := 0
		if shape[0] > 0 {
			step = len(elems) / shape[0]
		}
		for i := range parts {
			parts[i] = nest(shape[1:], elems[i*step:(i+1)*step])
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return nest(a.Shape, elems), true
}

// pythonFloat prints x as Python's repr does: 2.0, 0.1, 1e-05, inf, nan
// (bits 32: the shortest text that reads back as the same float32).
func pythonFloat(x float64, bits int) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	if m := math.Abs(x); m != 0 && (m < 1e-4 || m >= 1e16) {
		return strconv.FormatFloat(x, 'e', -1, bits)
	}
	s := strconv.FormatFloat(x, 'f', -1, bits)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
