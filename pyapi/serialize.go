package main

/*
#include <stdint.h>
*/
import "C"

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unsafe"

	"theanogo/core/control"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// A serialized graph is how pickle carries expressions and compiled
// functions to another process: the variables (roots with their types,
// names and constant values; computed ones by node and output index) and
// the nodes (op type, op parameters, inputs), in dependency order. Shared
// variables and free inputs are referred to by position: they travel as the
// Python objects pickled beside the graph (shared ones with their values),
// so that pickle's memo keeps a variable pickled twice one variable.
type serialGraph struct {
	Format  int          `json:"format"`
	Vars    []serialVar  `json:"vars"`
	Nodes   []serialNode `json:"nodes"`
	Outputs []int        `json:"outputs"` // indices into Vars
}

type serialVar struct {
	Kind   string `json:"kind"` // "input", "constant", "shared" or "output"
	DType  string `json:"dtype"`
	Shape  []int  `json:"shape"` // static shape, -1 unknown
	Name   string `json:"name,omitempty"`
	Data   string `json:"data,omitempty"`   // constant bytes, base64, C order
	Shared int    `json:"shared,omitempty"` // position in the shared list
	Input  int    `json:"input,omitempty"`  // position in the input list
	Node   int    `json:"node,omitempty"`   // for outputs: the node and output index
	Index  int    `json:"index,omitempty"`
}

type serialNode struct {
	Op      string          `json:"op"` // the op's Go type name
	Params  json.RawMessage `json:"params"`
	Inputs  []int           `json:"inputs"`
	Outputs []int           `json:"outputs"`
}

// serialFormat is bumped when the encoding changes incompatibly (2: fused
// ops carry a kir expression, not a program string).
const serialFormat = 2

// opCodec encodes an op's parameters and rebuilds a node from them.
type opCodec struct {
	encode func(op graph.Op) (any, error)
	decode func(b *graph.Builder, params json.RawMessage, ins []*graph.Variable) (*graph.Apply, error)
}

// structOps are the op types encoded field by field (structCodec), beside
// the registered ops (ops.Register), which are encoded the same way.
var structOps = []graph.Op{
	ops.CastOp{}, ops.CopyOp{}, ops.DimShuffleOp{}, ops.FlattenOp{},
	ops.MakeVectorOp{}, ops.ReducedCount{}, ops.ReshapeOp{}, ops.ShapeOp{}, ops.SubtensorOp{},
	control.IfElseOp{}, // the built form only (a lazy one exists only inside a compiled function)
}

// opCodecs maps each op type a graph may hold to its codec. Most ops are
// plain parameter structs, encoded field by field; ops that refer to a row
// of a table (the scalar and reduction tables) are rebuilt by name, and
// fused ops carry their expression as kir's encoding (fusedCodecs).
var opCodecs = map[string]opCodec{}

func init() {
	for _, op := range structOps {
		opCodecs[opTypeName(op)] = structCodec(reflect.TypeOf(op))
	}
	for _, r := range ops.Registered() { // registered ops are parameter structs too
		opCodecs[opTypeName(r.Op)] = structCodec(reflect.TypeOf(r.Op))
	}
	opCodecs[opTypeName(ops.Elemwise{})] = opCodec{
		encode: func(op graph.Op) (any, error) { return map[string]string{"scalar": op.Name()}, nil },
		decode: func(b *graph.Builder, params json.RawMessage, ins []*graph.Variable) (*graph.Apply, error) {
			var p struct{ Scalar string }
			if err := json.Unmarshal(params, &p); err != nil {
				return nil, err
			}
			return ownerOf(ops.Scalar(b, p.Scalar, ins...))
		},
	}
	opCodecs[opTypeName(ops.Reduce{})] = opCodec{
		encode: func(op graph.Op) (any, error) {
			r := op.(ops.Reduce)
			return map[string]any{"kind": r.Name(), "axis": r.Axes.Axes(), "keepdims": r.KeepDims}, nil
		},
		decode: func(b *graph.Builder, params json.RawMessage, ins []*graph.Variable) (*graph.Apply, error) {
			var p struct {
				Kind     string
				Axis     []int
				KeepDims bool
			}
			if err := json.Unmarshal(params, &p); err != nil {
				return nil, err
			}
			var kind *ops.Reduction
			for _, r := range ops.Reductions() {
				if r.Name == p.Kind {
					kind = r
				}
			}
			if kind == nil || len(ins) != 1 {
				return nil, fmt.Errorf("bad reduction %q on %d inputs", p.Kind, len(ins))
			}
			if p.Axis == nil {
				p.Axis = []int{}
			}
			axes, err := ops.NormalizeAxes(kind.Name, p.Axis, ins[0].Type)
			if err != nil {
				return nil, err
			}
			return b.Apply(ops.Reduce{Kind: kind, Axes: axes, KeepDims: p.KeepDims}, ins...)
		},
	}
}

// opTypeName is the name an op's Go type is serialized under: the type's
// name without the "Op" suffix that sets op types apart from their typed
// constructors ("Reshape" for ops.ReshapeOp, as before the suffix existed).
func opTypeName(op graph.Op) string {
	return strings.TrimSuffix(reflect.TypeOf(op).Name(), "Op")
}

// structCodec encodes the op's exported fields as JSON and decodes them
// into a new op value of type t (list fields such as graph.IntList encode
// themselves as JSON arrays), applied with the builder (which checks the
// types again).
func structCodec(t reflect.Type) opCodec {
	return opCodec{
		encode: func(op graph.Op) (any, error) { return op, nil },
		decode: func(b *graph.Builder, params json.RawMessage, ins []*graph.Variable) (*graph.Apply, error) {
			ptr := reflect.New(t)
			if err := json.Unmarshal(params, ptr.Interface()); err != nil {
				return nil, err
			}
			return b.Apply(ptr.Elem().Interface().(graph.Op), ins...)
		},
	}
}

func ownerOf(v *graph.Variable, err error) (*graph.Apply, error) {
	if err != nil {
		return nil, err
	}
	return v.Owner, nil
}

// dumpGraph serializes the graphs computing outputs. It returns the shared
// variables and the free inputs the graph refers to, in the order the
// serialization numbers them.
func dumpGraph(outputs []*graph.Variable) (g *serialGraph, shared, inputs []*graph.Variable, err error) {
	g = &serialGraph{Format: serialFormat}
	index := map[*graph.Variable]int{}
	addRoot := func(v *graph.Variable) error {
		if _, ok := index[v]; ok {
			return nil
		}
		sv := serialVar{DType: v.Type.DType.String(), Shape: v.Type.Shape, Name: v.Name}
		switch {
		case v.IsConstant():
			sv.Kind = "constant"
			sv.Data = base64.StdEncoding.EncodeToString(v.Value.Bytes())
		case v.IsShared():
			sv.Kind = "shared"
			sv.Shared = len(shared)
			shared = append(shared, v)
		default:
			sv.Kind = "input"
			sv.Input = len(inputs)
			inputs = append(inputs, v)
		}
		index[v] = len(g.Vars)
		g.Vars = append(g.Vars, sv)
		return nil
	}
	for _, r := range graph.Roots(outputs) {
		if err := addRoot(r); err != nil {
			return nil, nil, nil, err
		}
	}
	for _, n := range graph.Toposort(outputs) {
		name := opTypeName(n.Op)
		codec, ok := opCodecs[name]
		if !ok {
			return nil, nil, nil, graph.TypeErrorf("cannot serialize op %s (type %s): it has no codec", graph.OpString(n.Op), name)
		}
		params, err := codec.encode(n.Op)
		if err != nil {
			return nil, nil, nil, err
		}
		raw, err := json.Marshal(params)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("serializing %s: %v", graph.OpString(n.Op), err)
		}
		sn := serialNode{Op: name, Params: raw}
		for _, in := range n.Inputs {
			sn.Inputs = append(sn.Inputs, index[in])
		}
		for i, o := range n.Outputs {
			index[o] = len(g.Vars)
			sn.Outputs = append(sn.Outputs, len(g.Vars))
			g.Vars = append(g.Vars, serialVar{Kind: "output", DType: o.Type.DType.String(), Shape: o.Type.Shape, Name: o.Name, Node: len(g.Nodes), Index: i})
		}
		g.Nodes = append(g.Nodes, sn)
	}
	for _, o := range outputs {
		g.Outputs = append(g.Outputs, index[o])
	}
	return g, shared, inputs, nil
}

// loadGraph rebuilds a serialized graph with new variables, given the
// shared variables and free inputs standing for the serialized ones, and
// returns the variables standing for its outputs.
func loadGraph(b *graph.Builder, g *serialGraph, shared, inputs []*graph.Variable) ([]*graph.Variable, error) {
	if g.Format != serialFormat {
		return nil, graph.ValueErrorf("cannot load a graph of format %d: this theanogo reads format %d", g.Format, serialFormat)
	}
	vars := make([]*graph.Variable, len(g.Vars))
	typeOf := func(sv serialVar) (graph.Type, error) {
		dt, err := dtype.Parse(sv.DType)
		if err != nil {
			return graph.Type{}, graph.ValueErrorf("serialized graph: %v", err)
		}
		return graph.NewType(dt, sv.Shape...), nil
	}
	for i, sv := range g.Vars {
		t, err := typeOf(sv)
		if err != nil {
			return nil, err
		}
		switch sv.Kind {
		case "input":
			if vars[i], err = standIn("input", sv.Input, inputs, t, (*graph.Variable).IsInput); err != nil {
				return nil, err
			}
		case "constant":
			data, err := base64.StdEncoding.DecodeString(sv.Data)
			if err != nil {
				return nil, graph.ValueErrorf("serialized graph: constant %d: %v", i, err)
			}
			a := tensor.New(t.DType, t.Shape)
			if len(data) != len(a.Bytes()) {
				return nil, graph.ValueErrorf("serialized graph: constant %d has %d bytes, its type %v needs %d", i, len(data), t, len(a.Bytes()))
			}
			copy(a.Bytes(), data)
			c := b.Constant(a)
			c.Name = sv.Name
			vars[i] = c
		case "shared":
			if vars[i], err = standIn("shared variable", sv.Shared, shared, t, (*graph.Variable).IsShared); err != nil {
				return nil, err
			}
		case "output":
		default:
			return nil, graph.ValueErrorf("serialized graph: unknown variable kind %q", sv.Kind)
		}
	}
	for k, sn := range g.Nodes {
		codec, ok := opCodecs[sn.Op]
		if !ok {
			return nil, graph.ValueErrorf("cannot load the graph: it uses op %s, which this version of theanogo does not have", sn.Op)
		}
		ins := make([]*graph.Variable, len(sn.Inputs))
		for i, j := range sn.Inputs {
			if j < 0 || j >= len(vars) || vars[j] == nil {
				return nil, graph.ValueErrorf("serialized graph: node %d (%s) reads variable %d before it is defined", k, sn.Op, j)
			}
			ins[i] = vars[j]
		}
		node, err := codec.decode(b, sn.Params, ins)
		if err != nil {
			return nil, graph.ValueErrorf("cannot load node %d (%s): %v", k, sn.Op, err)
		}
		if len(node.Outputs) != len(sn.Outputs) {
			return nil, graph.ValueErrorf("serialized graph: node %d (%s) has %d outputs, rebuilt with %d", k, sn.Op, len(sn.Outputs), len(node.Outputs))
		}
		for i, j := range sn.Outputs {
			o := node.Outputs[i]
			want, err := typeOf(g.Vars[j])
			if err != nil {
				return nil, err
			}
			if !o.Type.Equal(want) {
				return nil, graph.TypeErrorf("serialized graph: node %d (%s) rebuilt with output type %v, saved as %v", k, sn.Op, o.Type, want)
			}
			o.Name = g.Vars[j].Name
			vars[j] = o
		}
	}
	outs := make([]*graph.Variable, len(g.Outputs))
	for i, j := range g.Outputs {
		if j < 0 || j >= len(vars) || vars[j] == nil {
			return nil, graph.ValueErrorf("serialized graph: output %d refers to variable %d", i, j)
		}
		outs[i] = vars[j]
	}
	return outs, nil
}

// standIn returns list[pos], the variable standing for a serialized root
// (what names its kind), checking that it is of that kind and type t.
func standIn(what string, pos int, list []*graph.Variable, t graph.Type, isKind func(*graph.Variable) bool) (*graph.Variable, error) {
	if pos < 0 || pos >= len(list) {
		return nil, graph.ValueErrorf("serialized graph: %s %d of %d", what, pos, len(list))
	}
	v := list[pos]
	if !isKind(v) || !v.Type.Equal(t) {
		return nil, graph.TypeErrorf("serialized graph: %s %d is %v of type %v, the graph needs a %s of type %v", what, pos, v, v.Type, what, t)
	}
	return v, nil
}

// tg_graph_dump serializes the graphs computing the n variables (a JSON
// text, free it). It writes new handles (the caller owns them) to the
// shared variables the graph refers to into shared and to its free inputs
// into inputs, in the order it numbers them (room for room each), and
// their counts into *nshared and *ninputs.
//
//export tg_graph_dump
func tg_graph_dump(outputs *C.int64_t, n C.int, room C.int, shared *C.int64_t, nshared *C.int, inputs *C.int64_t, ninputs *C.int, errOut **C.char) (out *C.char) {
	guard(errOut, func() error {
		vs, err := variables(goInts(outputs, n))
		if err != nil {
			return err
		}
		g, sh, ins, err := dumpGraph(vs)
		if err != nil {
			return err
		}
		if len(sh) > int(room) || len(ins) > int(room) {
			return graph.ValueErrorf("the graph refers to %d shared variables and %d inputs, room for %d", len(sh), len(ins), room)
		}
		text, err := json.Marshal(g)
		if err != nil {
			return err
		}
		putHandles(sh, shared, room)
		putHandles(ins, inputs, room)
		*nshared, *ninputs = C.int(len(sh)), C.int(len(ins))
		out = cString(string(text))
		return nil
	})
	return out
}

// putHandles writes new handles to vs into dst (room entries).
func putHandles(vs []*graph.Variable, dst *C.int64_t, room C.int) {
	handles := unsafe.Slice((*int64)(unsafe.Pointer(dst)), max(int(room), 1))
	for i, v := range vs {
		handles[i] = sess.handles.put(v)
	}
}

// tg_graph_load rebuilds a graph serialized by tg_graph_dump, with the
// shared-variable and input handles standing for its shared variables and
// free inputs, and writes the handles of its outputs into outs (room for
// nouts). It returns the number of outputs.
//
//export tg_graph_load
func tg_graph_load(text *C.char, shared *C.int64_t, nshared C.int, inputs *C.int64_t, ninputs C.int, outs *C.int64_t, nouts C.int, errOut **C.char) (n C.int) {
	guard(errOut, func() error {
		var g serialGraph
		if err := json.Unmarshal([]byte(C.GoString(text)), &g); err != nil {
			return graph.ValueErrorf("cannot read the serialized graph: %v", err)
		}
		sh, err := variables(goInts(shared, nshared))
		if err != nil {
			return err
		}
		ins, err := variables(goInts(inputs, ninputs))
		if err != nil {
			return err
		}
		vs, err := loadGraph(sess.builder, &g, sh, ins)
		if err != nil {
			return err
		}
		if len(vs) > int(nouts) {
			return graph.ValueErrorf("the graph has %d outputs, room for %d", len(vs), nouts)
		}
		dst := unsafe.Slice((*int64)(unsafe.Pointer(outs)), max(int(nouts), 1))
		for i, v := range vs {
			dst[i] = sess.handles.put(v)
		}
		n = C.int(len(vs))
		return nil
	})
	return n
}
