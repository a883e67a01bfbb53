package kir_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

func apply(t *testing.T, row kir.Row, args ...*kir.Expr) *kir.Expr {
	t.Helper()
	e, err := kir.Apply(row, args...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func row(name string) *ops.ScalarOp { return ops.ScalarByName(name) }

// Building a node twice gives the same pointer, so a value read twice is
// one node and equal expressions are ==.
func TestNodesAreInterned(t *testing.T) {
	build := func() *kir.Expr {
		x := kir.Input(0, dtype.Float32)
		y := apply(t, row("add"), x, kir.Constant(kir.FloatConst(dtype.Float32, 1)))
		return apply(t, row("mul"), apply(t, row("exp"), y), apply(t, row("sin"), y))
	}
	a, b := build(), build()
	if a != b {
		t.Fatal("the same expression built twice is two pointers")
	}
	if got, want := a.String(), "t0 = i0 + 1; exp(t0) * sin(t0)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if a.DType() != dtype.Float32 || a.NumInputs() != 1 || len(a.Schedule()) != 6 {
		t.Errorf("dtype %v, %d inputs, %d nodes; want float32, 1, 6", a.DType(), a.NumInputs(), len(a.Schedule()))
	}
	if kir.Constant(kir.FloatConst(dtype.Float32, 0.1)) == kir.Constant(kir.FloatConst(dtype.Float64, 0.1)) {
		t.Error("float32 and float64 0.1 are one node")
	}
	if c := kir.IntConst(dtype.Int8, 300); c.Int64() != 44 || c.String() != "44" {
		t.Errorf("int8 300 = %v, want 44 (wrapped)", c)
	}
}

// depth is the deep DAG of the linearity tests: 60 levels, each reading
// the previous value twice, so the tree it stands for has 2^60 leaves.
const depth = 60

// doubling is y -> r(y, y), depth times, from input 0 of dtype float64.
func doubling(t *testing.T, r kir.Row) *kir.Expr {
	y := kir.Input(0, dtype.Float64)
	for range depth {
		y = apply(t, r, y, y)
	}
	return y
}

// countingTarget is a C-like target that counts what Render asks of it.
type countingTarget struct{ loads, templates int }

func (c *countingTarget) Storage(dt dtype.DType) string { return dt.String() }
func (c *countingTarget) Compute(dt dtype.DType) string { return dt.String() }
func (c *countingTarget) Load(dt dtype.DType, x string) string {
	c.loads++
	return x
}
func (c *countingTarget) Store(dt dtype.DType, x string) string { return x }
func (c *countingTarget) Literal(k kir.Const) string            { return k.String() }
func (c *countingTarget) Template(r kir.Row, operand dtype.DType) string {
	c.templates++
	return r.CTemplate()
}
func (c *countingTarget) Index() (string, error) { return "index", nil }

// Printing, rendering and evaluating a 60-level DAG that reads each value
// twice visit each of its 61 nodes once (counted), never the 2^60 leaves
// of its tree.
func TestWalksAreLinear(t *testing.T) {
	var calls int
	counting := &ops.ScalarOp{Name: "counting_add", Arity: 2, Doc: "x + y, counted", C: "($0 + $1)",
		F64: func(x, y, _ float64) float64 { calls++; return x + y }}
	e := doubling(t, counting)
	if n := len(e.Schedule()); n != depth+1 {
		t.Fatalf("schedule of %d nodes, want %d", n, depth+1)
	}
	// printing: every level but the last is bound to a name once, and i0
	// is read (printed) by the first level only
	text := e.String()
	if strings.Count(text, "i0") != 2 || strings.Count(text, " = ") != depth-1 || len(text) > 60*depth {
		t.Errorf("printed in %d bytes, %d bindings, %d copies of i0:\n%s", len(text), strings.Count(text, " = "), strings.Count(text, "i0"), text)
	}
	// rendering: one statement and one template per level, two loads
	var target countingTarget
	r, err := kir.Render(&target, e, func(i int) string { return "a0" })
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Body) != depth || target.templates != depth || target.loads != 2*depth {
		t.Errorf("rendered %d statements with %d templates and %d loads, want %d, %d, %d",
			len(r.Body), target.templates, target.loads, depth, depth, 2*depth)
	}
	// evaluating: the row runs once per level and element
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	out, err := b.Apply1(ops.FusedOp{Expr: e, Ndim: 1}, x)
	if err != nil {
		t.Fatal(err)
	}
	xs := []float64{1, -0.5, 3}
	res, err := eval.Run([]*graph.Variable{out}, map[*graph.Variable]*tensor.Array{x: tensor.FromFloat64s(dtype.Float64, []int{3}, xs)})
	if err != nil {
		t.Fatal(err)
	}
	if calls != depth*len(xs) {
		t.Errorf("the row ran %d times, want %d (levels x elements)", calls, depth*len(xs))
	}
	for i, v := range res[0].Float64s() {
		if want := xs[i] * math.Exp2(depth); v != want {
			t.Errorf("element %d = %v, want %v", i, v, want)
		}
	}
}

// The DAG's dtypes are the Elemwise nodes': on random rows and argument
// dtypes, kir.Apply gives the dtype ops.ApplyScalar gives, and fails
// where it fails.
func TestDTypesFollowApplyScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 1))
	rows := ops.ScalarOps()
	for range 3000 {
		r := rows[rng.IntN(len(rows))]
		b := graph.NewBuilder()
		args := make([]*kir.Expr, r.Arity)
		vars := make([]*graph.Variable, r.Arity)
		for i := range args {
			dt := dtype.All[rng.IntN(len(dtype.All))]
			args[i] = kir.Input(i, dt)
			vars[i] = b.Input(graph.NewType(dt, -1), "")
		}
		e, err := kir.Apply(r, args...)
		v, wantErr := ops.ApplyScalar(b, r, vars...)
		switch {
		case (err == nil) != (wantErr == nil):
			t.Fatalf("%s%v: kir error %v, ApplyScalar error %v", r.Name, dtypes(args), err, wantErr)
		case err == nil && e.DType() != v.Type.DType:
			t.Fatalf("%s%v: kir dtype %v, ApplyScalar %v", r.Name, dtypes(args), e.DType(), v.Type.DType)
		}
	}
	if _, err := kir.Apply(row("add"), kir.Input(0, dtype.Float64)); err == nil {
		t.Error("add of one argument: no error")
	}
}

func dtypes(args []*kir.Expr) []dtype.DType {
	var out []dtype.DType
	for _, a := range args {
		out = append(out, a.DType())
	}
	return out
}

// An expression encoded, written as JSON (as pickling does), read back and
// decoded is the same pointer; its constants are exact.
func TestEncodingRoundTrip(t *testing.T) {
	x := kir.Input(0, dtype.Float64)
	n := kir.Input(1, dtype.Uint64)
	consts := []kir.Const{
		kir.FloatConst(dtype.Float64, 0.1), kir.FloatConst(dtype.Float32, 0.1), kir.FloatConst(dtype.Float16, 1.0/3),
		kir.FloatConst(dtype.Float64, math.Inf(-1)), kir.FloatConst(dtype.Float64, math.SmallestNonzeroFloat64),
		kir.IntConst(dtype.Int64, math.MinInt64), kir.Uint64Const(math.MaxUint64), kir.IntConst(dtype.Bool, 1),
		kir.IntConst(dtype.Int8, -128), kir.ComplexConst(dtype.Complex128, complex(1e-300, -2.5)),
	}
	y := apply(t, row("add"), x, kir.Cast(n, dtype.Float64))
	for _, c := range consts {
		y = apply(t, row("add"), y, kir.Cast(apply(t, row("second"), kir.Constant(c), kir.Constant(c)), dtype.Float64))
	}
	e := apply(t, row("switch"), apply(t, row("gt"), kir.Index(), kir.Constant(kir.IntConst(dtype.Int64, 2))), y, kir.Cast(y, dtype.Float32))
	text, err := json.Marshal(kir.Encode(e))
	if err != nil {
		t.Fatal(err)
	}
	var list []kir.Encoded
	if err := json.Unmarshal(text, &list); err != nil {
		t.Fatal(err)
	}
	back, err := kir.Decode(list, ops.ScalarRow)
	if err != nil {
		t.Fatal(err)
	}
	if back != e {
		t.Errorf("decoded %s, a different pointer from %s", back, e)
	}
	bad := [][]kir.Encoded{
		nil,
		{{Op: "apply", Row: "nosuchrow"}},
		{{Op: "input", DType: "float64"}, {Op: "apply", Row: "add", Args: []int{0, 3}}},
		{{Op: "const", DType: "int8", Value: "300"}},
		{{Op: "const", DType: "float32", Value: "0.1"}}, // not a float32
		{{Op: "input", DType: "float64"}, {Op: "apply", Row: "and", Args: []int{0, 0}}},
	}
	for _, b := range bad {
		if e, err := kir.Decode(b, ops.ScalarRow); err == nil {
			t.Errorf("decoding %v: no error, got %s", b, e)
		}
	}
}

// ReadsIndex finds the flat index however deep it is, and only there.
func TestReadsIndex(t *testing.T) {
	x := kir.Input(0, dtype.Float64)
	plain := apply(t, row("exp"), apply(t, row("add"), x, x))
	deep := apply(t, row("mul"), plain, kir.Cast(apply(t, row("add"), kir.Index(), kir.Constant(kir.IntConst(dtype.Int64, 1))), dtype.Float64))
	if plain.ReadsIndex() || !deep.ReadsIndex() || !kir.Index().ReadsIndex() {
		t.Errorf("ReadsIndex: %v %v %v, want false true true", plain.ReadsIndex(), deep.ReadsIndex(), kir.Index().ReadsIndex())
	}
}
