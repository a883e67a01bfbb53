package main

/*
#include <stdint.h>
*/
import "C"

import (
	"encoding/json"
	"unsafe"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/pyapi/optable"
)

// tg_input creates a free input variable (T.matrix('x')) of the given dtype
// and static shape, where -1 is an unknown length and 1 a broadcastable dim.
//
//export tg_input
func tg_input(dtypeName *C.char, ndim C.int, shape *C.int64_t, name *C.char, errOut **C.char) (h C.int64_t) {
	guard(errOut, func() error {
		dt, err := parseDType(dtypeName)
		if err != nil {
			return err
		}
		dims, err := goShape(shape, ndim, true)
		if err != nil {
			return err
		}
		t := graph.NewType(dt, dims...)
		if err := t.CheckSize(); err != nil {
			return err
		}
		v := sess.builder.Input(t, C.GoString(name))
		h = C.int64_t(sess.handles.put(v))
		return nil
	})
	return h
}

// tg_constant copies a numpy buffer into a new constant variable.
//
//export tg_constant
func tg_constant(dtypeName *C.char, ndim C.int, shape *C.int64_t, data unsafe.Pointer, nbytes C.int64_t, errOut **C.char) (h C.int64_t) {
	guard(errOut, func() error {
		a, err := arrayFromC(dtypeName, ndim, shape, data, nbytes)
		if err != nil {
			return err
		}
		h = C.int64_t(sess.handles.put(sess.builder.Constant(a)))
		return nil
	})
	return h
}

// tg_apply builds op `name` with JSON parameters on the input variables and
// returns the output variable: the single entry point for every expression.
//
//	tg_apply("sum", "{\"axis\": 0}", [x], 1, "train.py:12", &err)
//
// source is where the user wrote the expression; the nodes built get it
// (messages and optimizer_verbose name it).
//
//export tg_apply
func tg_apply(name *C.char, params *C.char, inputs *C.int64_t, n C.int, source *C.char, errOut **C.char) (h C.int64_t) {
	guard(errOut, func() error {
		p, err := optable.ParseParams(C.GoString(params))
		if err != nil {
			return graph.ValueErrorf("%s: %v", C.GoString(name), err)
		}
		ins, err := variables(goInts(inputs, n))
		if err != nil {
			return err
		}
		since := sess.builder.LastID()
		v, err := optable.Build(sess.builder, C.GoString(name), p, ins)
		if err != nil {
			return err
		}
		graph.Stamp([]*graph.Variable{v}, since, C.GoString(source))
		h = C.int64_t(sess.handles.put(v))
		return nil
	})
	return h
}

// tg_var_meta writes a variable's static shape (-1 = unknown) into shape
// (room for maxRank entries) and its rank into *ndim, and returns its dtype
// name (free it).
//
//export tg_var_meta
func tg_var_meta(h C.int64_t, shape *C.int64_t, ndim *C.int, errOut **C.char) (name *C.char) {
	guard(errOut, func() error {
		v, err := variable(int64(h))
		if err != nil {
			return err
		}
		writeShape(v.Type.Shape, shape, ndim)
		name = cString(v.Type.DType.String())
		return nil
	})
	return name
}

// varInfo is what tg_var_info reports about a variable.
type varInfo struct {
	ID    uint64 `json:"id"`
	Name  string `json:"name"`
	Kind  string `json:"kind"`  // "input", "constant", "shared" or "output"
	Owner string `json:"owner"` // the op computing it, with parameters; "" for roots
	Type  string `json:"type"`  // Theano-style type string
}

// tg_var_info returns a JSON object describing a variable (see varInfo).
//
//export tg_var_info
func tg_var_info(h C.int64_t, errOut **C.char) (out *C.char) {
	guard(errOut, func() error {
		v, err := variable(int64(h))
		if err != nil {
			return err
		}
		info := varInfo{ID: v.ID(), Name: v.Name, Type: v.Type.String()}
		switch {
		case v.IsConstant():
			info.Kind = "constant"
		case v.IsShared():
			info.Kind = "shared"
		case v.Owner != nil:
			info.Kind = "output"
			info.Owner = graph.OpString(v.Owner.Op)
		default:
			info.Kind = "input"
		}
		text, err := json.Marshal(info)
		if err != nil {
			return err
		}
		out = cString(string(text))
		return nil
	})
	return out
}

// tg_var_set_name sets a variable's name (used for printing only).
//
//export tg_var_set_name
func tg_var_set_name(h C.int64_t, name *C.char, errOut **C.char) {
	guard(errOut, func() error {
		v, err := variable(int64(h))
		if err != nil {
			return err
		}
		v.Name = C.GoString(name)
		return nil
	})
}

// tg_var_value returns a handle to the value of a constant as an array
// (read it with tg_array_copy). Shared values live in Python.
//
//export tg_var_value
func tg_var_value(h C.int64_t, errOut **C.char) (out C.int64_t) {
	guard(errOut, func() error {
		v, err := variable(int64(h))
		if err != nil {
			return err
		}
		if !v.IsConstant() {
			return graph.TypeErrorf("%v is not a constant: it has no value", v)
		}
		out = C.int64_t(sess.handles.put(v.Value))
		return nil
	})
	return out
}

// tg_op_names returns the JSON list of op names tg_apply knows.
//
//export tg_op_names
func tg_op_names(errOut **C.char) (out *C.char) {
	guard(errOut, func() error {
		text, err := json.Marshal(optable.Names())
		if err != nil {
			return err
		}
		out = cString(string(text))
		return nil
	})
	return out
}

// scalarOpRow is one row of tg_scalar_ops' answer.
type scalarOpRow struct {
	Name  string `json:"name"`
	Arity int    `json:"arity"`
	Doc   string `json:"doc"`
}

// tg_scalar_ops returns the scalar op table as JSON rows {name, arity, doc},
// in table order: Python makes its elementwise functions (T.add, T.exp ...)
// from it, so that a new row is a new Python function.
//
//	[{"name": "add", "arity": 2, "doc": "x + y"}, ...]
//
//export tg_scalar_ops
func tg_scalar_ops(errOut **C.char) (out *C.char) {
	guard(errOut, func() error {
		var rows []scalarOpRow
		for _, s := range ops.ScalarOps() {
			rows = append(rows, scalarOpRow{s.Name, s.Arity, s.Doc})
		}
		text, err := json.Marshal(rows)
		if err != nil {
			return err
		}
		out = cString(string(text))
		return nil
	})
	return out
}

// tg_release drops a handle of any kind. Releasing twice is harmless. A
// compiled function's handle is its only one (Python's _Compiled holds it
// while any Function object over it lives, and so while any call of its
// kernel runs): releasing it frees the kernel's state and workspace and
// unloads its module when no other function uses that module, at once
// rather than when Go's collector gets to it (compile.Function.Close).
//
//export tg_release
func tg_release(h C.int64_t) {
	obj := sess.handles.release(int64(h))
	if fn, ok := obj.(*compile.Function); ok {
		protect(func() error { fn.Close(); return nil })
	}
}

// tg_reduce_tolerance is ops.ReduceTolerance(dtype, n): how far, relative
// to the sum of the folded magnitudes, the compiled and the evaluated fold
// of n elements may differ. Python's tests compare reductions with it
// (tests_py/tolerance.py), so every test uses the one formula.
//
//export tg_reduce_tolerance
func tg_reduce_tolerance(dt *C.char, n C.int64_t, errOut **C.char) (out C.double) {
	guard(errOut, func() error {
		d, err := dtype.Parse(C.GoString(dt))
		if err != nil {
			return err
		}
		out = C.double(ops.ReduceTolerance(d, int(n)))
		return nil
	})
	return out
}
