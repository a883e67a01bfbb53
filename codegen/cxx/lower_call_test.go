package cxx

import (
	"math"
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// The scheduler's promises of a runtime call come from its kernel: a
// matrix product after its shape-phase checks never fails, runs with an
// arena over the operands it multiplies and may update its accumulated
// input in place; softmax fails before writing and is never in place.
func TestCallPromisesComeFromTheKernel(t *testing.T) {
	b := graph.NewBuilder()
	m := func(shape ...int) *graph.Variable { return b.Input(graph.NewType(dtype.Float64, shape...), "") }
	z, x, y, a := m(3, 4), m(3, 2), m(2, 4), m()
	gemm, err := ops.Gemm(b, z, a, x, y, a)
	if err != nil {
		t.Fatal(err)
	}
	sm, err := ops.Softmax(b, x)
	if err != nil {
		t.Fatal(err)
	}
	g, s := gemm.Owner, sm.Owner
	if kernelFails(g) != neverFails || kernelFails(s) != failsBeforeWriting {
		t.Errorf("failures: gemm %v, softmax %v", kernelFails(g), kernelFails(s))
	}
	if !kernelInPlace(g, 0) || kernelInPlace(g, 2) || kernelInPlace(s, 0) {
		t.Errorf("in place: gemm Z %v, gemm X %v, softmax %v", kernelInPlace(g, 0), kernelInPlace(g, 2), kernelInPlace(s, 0))
	}
	if ops := blasOperands(g); !blasNode(g) || blasNode(s) || len(ops) != 2 || ops[0] != x || ops[1] != y {
		t.Errorf("arena: gemm %v over %v, softmax %v", blasNode(g), ops, blasNode(s))
	}
	if !callsBLAS(g) || callsBLAS(s) {
		t.Errorf("calls BLAS: gemm %v, softmax %v", callsBLAS(g), callsBLAS(s))
	}
	if l, ok := lookup(g); !ok || l.InPlace == nil || l.Fails(g) != neverFails {
		t.Errorf("gemm's lowering is not its kernel's: %+v", l)
	}
}

// An index update prints its items as a table whose symbolic entries read
// the index scalars (a uint64 keeping its bits), its flags as a static
// table, and INT64_MIN as a C++ expression (its literal is not one).
func TestCallPrintsTables(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, 5, -1), "x")
	y := b.Input(graph.NewType(dtype.Float64, 1), "y")
	i := b.Input(graph.NewType(dtype.Uint64), "i")
	items := []ops.IndexItem{
		{Entries: []ops.IndexEntry{{Kind: ops.EntryInput}}},
		{Slice: true, Entries: []ops.IndexEntry{{Kind: ops.EntryConst, Value: math.MinInt64}, {Kind: ops.EntryNone}, {Kind: ops.EntryNone}}},
	}
	v, err := ops.IncSubtensor(b, x, y, items, i)
	if err != nil {
		t.Fatal(err)
	}
	e := newUnit().newEmitter()
	e.scratch = -1
	if err := lowerKernel(e, v.Owner); err != nil {
		t.Fatal(err)
	}
	body := e.String()
	for _, want := range []string{
		"static const uint8_t bc",
		"[] = {1};",
		"[] = {0, (int64_t)*(const uint64_t *)in2->data, 0, 0, 0, 0, 0, 1, 1, INT64_MIN, 0, 0, 0, 0};",
		"if (tg_inc_subtensor(out0, in0, in1, bc",
		", 2, items",
		", 0, err) != 0) return 1;",
		"// kernel inc_subtensor(",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %q in\n%s", want, body)
		}
	}
}
