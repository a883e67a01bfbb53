package testsgo

import (
	"math/rand/v2"
	"strings"
	"testing"

	"theanogo/codegen/cxx"
	"theanogo/codegen/cxx/native"
	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// compileCxx compiles spec with the C++ backend and returns the function
// and its kernel.
func compileCxx(t *testing.T, b *graph.Builder, spec compile.FunctionSpec) (*compile.Function, *cxx.Callable) {
	t.Helper()
	spec.Backend = cxxBackend(t)
	f, err := compile.Compile(b, spec)
	if err != nil {
		t.Fatal(err)
	}
	return f, f.Callable().(*cxx.Callable)
}

// TestCxxInPlaceUpdate hands the kernel the old value's memory as the new
// value's (as theanogo._rt does): outputs reading the old w (through a
// transpose) must still see it, and a failing call must leave w as it was.
func TestCxxInPlaceUpdate(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	b := graph.NewBuilder()
	w := b.Shared(graph.NewType(dtype.Float64, -1, -1), "w")
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	e := ops.NewExpr(b)
	wt, err := ops.DimShuffle(b, w, []int{1, 0})
	if err != nil {
		t.Fatal(err)
	}
	out := e.Mul(wt, e.Const(3, wt))
	spec := compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{out},
		Updates: [][2]*graph.Variable{{w, e.Add(e.Mul(w, e.Const(2, w)), x)}}}
	ref, err := compile.Compile(b, spec)
	if err != nil {
		t.Fatal(err)
	}
	f, c := compileCxx(t, b, spec)
	if !f.InPlace[0] {
		t.Fatalf("the update is not in place: %v", f.InPlace)
	}
	w0, x0 := randomArray(rng, dtype.Float64, 4, 4), randomArray(rng, dtype.Float64, 4, 4)
	want, err := ref.Run([]*tensor.Array{x0, w0})
	if err != nil {
		t.Fatal(err)
	}
	wMem := w0.Clone()
	got, err := callNative(c, []*tensor.Array{x0, wMem}, resultTypes(f.Graph), native.CallOptions{Poison: 0xff, Alias: map[int]int{1: 1}, FailAlloc: -1})
	if err != nil {
		t.Fatal(err)
	}
	compareResults(t, want, got, c)
	compareResults(t, want[1:], []*tensor.Array{wMem}, c) // written in place

	// a call failing in a broadcast check leaves w untouched
	wMem = w0.Clone()
	_, err = callNative(c, []*tensor.Array{randomArray(rng, dtype.Float64, 4, 3), wMem}, resultTypes(f.Graph), native.CallOptions{Poison: 0xff, Alias: map[int]int{1: 1}, FailAlloc: -1})
	if errorKind(err) != graph.KindValue {
		t.Fatalf("want a ValueError, got %v", err)
	}
	compareResults(t, []*tensor.Array{w0}, []*tensor.Array{wMem}, c)
	// so does a failed allocation of the output
	wMem = w0.Clone()
	_, err = callNative(c, []*tensor.Array{x0, wMem}, resultTypes(f.Graph), native.CallOptions{Poison: 0xff, Alias: map[int]int{1: 1}, FailAlloc: 0})
	if errorKind(err) != graph.KindMemory {
		t.Fatalf("want a MemoryError, got %v", err)
	}
	compareResults(t, []*tensor.Array{w0}, []*tensor.Array{wMem}, c)
}

// TestCxxInPlaceRefused: an update whose new value reads the old one
// transposed cannot be written in place elementwise; the kernel says so.
func TestCxxInPlaceRefused(t *testing.T) {
	b := graph.NewBuilder()
	w := b.Shared(graph.NewType(dtype.Float64, -1, -1), "w")
	e := ops.NewExpr(b)
	wt, err := ops.DimShuffle(b, w, []int{1, 0})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := compileCxx(t, b, compile.FunctionSpec{Updates: [][2]*graph.Variable{{w, e.Add(w, wt)}}})
	if f.InPlace[0] {
		t.Fatal("w + w.T was offered in place")
	}
}

// TestCxxNameEscaping: user text (names with comment terminators,
// newlines, quotes, backslashes and printf directives; source lines) cannot
// change the generated code, and error messages carry names unchanged.
func TestCxxNameEscaping(t *testing.T) {
	nasty := "x*/ \"%s%n\\\n??/ }; int evil;"
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), nasty)
	e := ops.NewExpr(b)
	since := b.LastID()
	y := e.Call("exp", x)
	graph.Stamp([]*graph.Variable{y}, since, "evil.py:1 */ int evil2; /*\n#error no")
	y.Name = nasty
	f, c := compileCxx(t, b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{y}})
	for _, line := range strings.Split(c.Kernel.Source, "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "int evil") || strings.HasPrefix(l, "#error") {
			t.Fatalf("user text escaped into code: %q", line)
		}
	}
	_, err := callNative(c, []*tensor.Array{tensor.FromInt64s(dtype.Int32, []int{2}, []int64{1, 2})}, resultTypes(f.Graph), native.CallOptions{FailAlloc: -1})
	if err == nil || !strings.Contains(err.Error(), nasty) {
		t.Fatalf("the error does not name the input as the user did: %v", err)
	}
}
