package main

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/ops"
	"theanogo/core/tensor"
	"theanogo/pyapi/optable"
)

// A graph that uses every op type with a codec round-trips through JSON and
// computes the same values.
func TestGraphRoundTrip(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, 3), "x")
	y := b.Input(graph.NewType(dtype.Int64, -1), "y")
	w := b.Shared(graph.NewType(dtype.Float64, 3, -1), "w")
	e := ops.NewExpr(b)
	items := []ops.IndexItem{{Slice: true, Entries: []ops.IndexEntry{{Kind: ops.EntryConst, Value: 1}, {}, {}}}}
	h := e.Call("tanh", optable.Apply(e, "dot", nil, x, w))
	p := optable.Apply(e, "softmax", nil, h)
	n := optable.Apply(e, "shape", nil, x)
	zero, one := e.ConstOf(0, dtype.Int64), e.ConstOf(1, dtype.Int64)
	rows := optable.Apply(e, "arange", nil, zero, e.Apply(ops.SubtensorOp{Items: ops.NewIndexItems([]ops.IndexItem{ops.IndexAt(0)})}, n), one)
	nll := e.Neg(optable.Apply(e, "mean", nil, e.Log(optable.Apply(e, "advanced_subtensor", nil, p, rows, y))))
	outs := []*graph.Variable{
		nll,
		optable.Apply(e, "argmax", optable.Params{"axis": 1.0}, p),
		optable.Apply(e, "sum", optable.Params{"axis": 0.0, "keepdims": true}, e.Cast(x, dtype.Float32)),
		e.Apply(ops.SubtensorOp{Items: ops.NewIndexItems(items)}, e.DimShuffle(x, []int{1, 0})),
		optable.Apply(e, "reshape", optable.Params{"ndim": 1.0}, x, optable.Apply(e, "make_vector", optable.Params{"dtype": "int64"}, e.ConstOf(-1, dtype.Int64))),
		optable.Apply(e, "flatten", optable.Params{"outdim": 1.0}, optable.Apply(e, "logsoftmax", nil, h)),
		optable.Apply(e, "inc_subtensor", optable.Params{"items": []any{map[string]any{"slice": []any{1.0, nil, nil}}}}, x, e.ConstOf(1, dtype.Float64)),
		optable.Apply(e, "advanced_inc_subtensor", nil, x, e.ConstOf(2, dtype.Float64), y),
		e.Apply(ops.FusedOp{Expr: fusedExpr(t, "exp", fusedExpr(t, "mul", kir.Input(0, dtype.Float64), kir.Constant(kir.FloatConst(dtype.Float64, 2)))), Ndim: 2}, x),
		e.Apply(ops.FusedReduceOp{Expr: fusedExpr(t, "exp", fusedExpr(t, "mul", kir.Input(0, dtype.Float64), kir.Input(0, dtype.Float64))), Ndim: 2, Kind: "max", Axes: graph.NewAxisSet(1), KeepDims: true}, x),
	}
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	outs[0].Name = "nll"
	g, shared, inputs, err := dumpGraph(outs)
	if err != nil {
		t.Fatal(err)
	}
	if len(shared) != 1 || shared[0] != w {
		t.Fatalf("shared variables %v, want [w]", shared)
	}
	if len(inputs) != 2 {
		t.Fatalf("inputs %v, want x and y", inputs)
	}
	text, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	var back serialGraph
	if err := json.Unmarshal(text, &back); err != nil {
		t.Fatal(err)
	}
	b2 := graph.NewBuilder()
	w2 := b2.Shared(w.Type, "w")
	newInputs := []*graph.Variable{b2.Input(inputs[0].Type, inputs[0].Name), b2.Input(inputs[1].Type, inputs[1].Name)}
	loaded, err := loadGraph(b2, &back, []*graph.Variable{w2}, newInputs)
	if err != nil {
		t.Fatal(err)
	}
	if loaded[0].Name != "nll" {
		t.Errorf("name lost: %q", loaded[0].Name)
	}
	before, after := graph.Toposort(outs), graph.Toposort(loaded)
	if len(before) != len(after) {
		t.Fatalf("%d nodes, loaded %d", len(before), len(after))
	}
	for i, n := range before {
		if n.Op != after[i].Op { // ops are values: decoding gives an equal one
			t.Errorf("node %d: op %#v, loaded %#v", i, n.Op, after[i].Op)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	xv := tensor.New(dtype.Float64, []int{4, 3})
	for i := range xv.Data.([]float64) {
		xv.Data.([]float64)[i] = rng.Float64()
	}
	wv := tensor.New(dtype.Float64, []int{3, 5})
	for i := range wv.Data.([]float64) {
		wv.Data.([]float64)[i] = rng.Float64() - 0.5
	}
	yv := tensor.FromInt64s(dtype.Int64, []int{4}, []int64{0, 3, 2, 2})
	want, err := eval.Run(outs, map[*graph.Variable]*tensor.Array{x: xv, y: yv, w: wv})
	if err != nil {
		t.Fatal(err)
	}
	roots := graph.Roots(loaded)
	values := map[*graph.Variable]*tensor.Array{w2: wv}
	for _, r := range roots {
		switch r.Name {
		case "x":
			values[r] = xv
		case "y":
			values[r] = yv
		}
	}
	got, err := eval.Run(loaded, values)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i].String() != want[i].String() {
			t.Errorf("output %d: loaded graph computes %v, original %v", i, got[i], want[i])
		}
	}
}

// A graph naming an op this version lacks fails with a clear error.
func TestLoadUnknownOp(t *testing.T) {
	g := &serialGraph{Format: serialFormat,
		Vars:    []serialVar{{Kind: "input", DType: "float64", Shape: []int{-1}}, {Kind: "output", DType: "float64", Shape: []int{-1}}},
		Nodes:   []serialNode{{Op: "FancyNewOp", Params: json.RawMessage("{}"), Inputs: []int{0}, Outputs: []int{1}}},
		Outputs: []int{1}}
	b := graph.NewBuilder()
	_, err := loadGraph(b, g, nil, []*graph.Variable{b.Input(graph.NewType(dtype.Float64, -1), "x")})
	if err == nil || !strings.Contains(err.Error(), "FancyNewOp") || !strings.Contains(err.Error(), "does not have") {
		t.Errorf("loading an unknown op: %v", err)
	}
}

// codecOps are a value of every op type with a codec: the table rows,
// the struct ops and the registered ops (ops.Register).
func codecOps() []graph.Op {
	all := append([]graph.Op{ops.Elemwise{}, ops.Reduce{}}, structOps...)
	for _, r := range ops.Registered() {
		all = append(all, r.Op)
	}
	return all
}

// Every op type with a codec is a comparable value type (the merge pass
// uses ops as map keys) and is registered under its wire name.
func TestCodecOpTypesAreComparable(t *testing.T) {
	for _, op := range codecOps() {
		typ := reflect.TypeOf(op)
		if typ.Kind() != reflect.Struct || !typ.Comparable() {
			t.Errorf("%v is not a comparable struct type", typ)
		}
		if _, ok := opCodecs[opTypeName(op)]; !ok {
			t.Errorf("%v has no codec", typ)
		}
	}
}

// Every op type of core/ops (every type with an OutputTypes method, found by
// parsing the package's source) has a codec, a shape rule and a Go
// evaluation: a new op cannot be forgotten in pickling, symbolic shapes or
// the evaluator.
func TestEveryOpTypeIsComplete(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("../core/ops/*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "OutputTypes" {
				continue
			}
			typ := fn.Recv.List[0].Type
			if star, ok := typ.(*ast.StarExpr); ok {
				typ = star.X
			}
			found[typ.(*ast.Ident).Name] = true
		}
	}
	all := append(codecOps(), ops.FusedOp{}, ops.FusedReduceOp{})
	known := map[string]graph.Op{}
	for _, op := range all {
		if _, ok := opCodecs[opTypeName(op)]; ok {
			known[reflect.TypeOf(op).Name()] = op
		}
	}
	for name := range found {
		op, ok := known[name]
		if !ok {
			t.Errorf("op type %s has no codec (add it to structOps or opCodecs, or register it: ops.Register)", name)
			continue
		}
		if _, ok := op.(graph.ShapeRule); !ok {
			t.Errorf("op type %s has no shape rule", name)
		}
		if _, ok := op.(graph.Evaluator); !ok {
			t.Errorf("op type %s has no Go evaluation", name)
		}
	}
	t.Logf("%d op types in core/ops", len(found))
	if len(found) < 15 {
		t.Errorf("found only %d op types in core/ops: %v", len(found), found)
	}
}

// fusedExpr is the scalar row name applied to args, for a fused op's expression.
func fusedExpr(t *testing.T, name string, args ...*kir.Expr) *kir.Expr {
	t.Helper()
	e, err := kir.Apply(ops.ScalarByName(name), args...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// The ops moved to ops.Register keep the wire form pickles written before
// carry (the op's Go type name and its fields as JSON), so old pickles
// load: each name has a codec and encodes its parameters as then.
func TestRegisteredOpsKeepTheirWireForm(t *testing.T) {
	for _, c := range []struct {
		op   graph.Op
		name string
		json string
	}{
		{ops.ArgReduce{Min: true, Axes: graph.NewAxisSet(1), KeepDims: true}, "ArgReduce", `{"Min":true,"Axes":"1","KeepDims":true}`},
		{ops.SoftmaxOp{Log: true}, "Softmax", `{"Log":true}`},
		{ops.SoftmaxGradOp{}, "SoftmaxGrad", `{}`},
		{ops.DotOp{}, "Dot", `{}`},
		{ops.GemmOp{}, "Gemm", `{}`},
		{ops.GemvOp{}, "Gemv", `{}`},
		{ops.GerOp{}, "Ger", `{}`},
		{ops.ARangeOp{DType: dtype.Float32}, "ARange", `{"DType":11}`},
		{ops.AdvancedSubtensorOp{}, "AdvancedSubtensor", `{}`},
		{ops.AdvancedIncSubtensorOp{Set: true}, "AdvancedIncSubtensor", `{"Set":true}`},
		{ops.IncSubtensorOp{Items: ops.NewIndexItems([]ops.IndexItem{ops.IndexAt(2)}), Set: true}, "IncSubtensor", `{"Items":"0,1,2,0,0,0,0","Set":true}`},
	} {
		codec, ok := opCodecs[c.name]
		if !ok || opTypeName(c.op) != c.name {
			t.Errorf("%s: no codec under the old wire name (type name %s)", c.name, opTypeName(c.op))
			continue
		}
		p, err := codec.encode(c.op)
		if err != nil {
			t.Fatal(err)
		}
		text, err := json.Marshal(p)
		if err != nil || string(text) != c.json {
			t.Errorf("%s encodes as %s (%v), pickles carry %s", c.name, text, err, c.json)
		}
		back := reflect.New(reflect.TypeOf(c.op))
		if err := json.Unmarshal([]byte(c.json), back.Interface()); err != nil || back.Elem().Interface() != c.op {
			t.Errorf("%s: %s decodes to %v (%v)", c.name, c.json, back.Elem().Interface(), err)
		}
	}
}
