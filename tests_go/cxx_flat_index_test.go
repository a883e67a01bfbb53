package testsgo

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"theanogo/codegen/cxx"
	"theanogo/codegen/cxx/native"
	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// The flat element index (kir.Index: the element's C-order position in a
// map's output) in compiled C++ maps. Each case builds a FusedOp whose
// expression reads the index over operands that make the map printer
// choose each loop version (contiguous: the flat loop; a broadcast row and
// column: the grouped nest; a transpose or a reversed slice: the strided
// nest, taken at run time), at sizes 0, 1, odd and above parallelWork (the
// parallel split: each chunk starts at its own flat position), and
// compares the kernel with the Go evaluator bit for bit: the index is an
// integer and the expressions are arithmetic, so a map must be exact.

// flatIndexExpr is an expression of the index and inputs 0 .. n-1 of dtype
// dt: in + 10*index, or an integer hash of the index mixed with the
// inputs.
type flatIndexExpr func(t *testing.T, dt dtype.DType, n int) *kir.Expr

// indexPlusTen is i0 + i1 + ... + 10 * index.
func indexPlusTen(t *testing.T, dt dtype.DType, n int) *kir.Expr {
	e := applyKir(t, "mul", kir.Constant(kir.IntConst(dtype.Int64, 10)), kir.Index())
	for i := range n {
		e = applyKir(t, "add", kir.Input(i, dt), e)
	}
	return e
}

// indexHash is (i0 + ...) * h + h, h = ((index * 2654435761) xor
// (index // 8)) mod 1021 in dt: an integer hash such as a counter-based
// generator computes, mixed with the inputs. It cannot overflow below 3e9
// elements.
func indexHash(t *testing.T, dt dtype.DType, n int) *kir.Expr {
	i64 := func(v int64) *kir.Expr { return kir.Constant(kir.IntConst(dtype.Int64, v)) }
	ix := kir.Index()
	h := applyKir(t, "mod", applyKir(t, "xor", applyKir(t, "mul", ix, i64(2654435761)), applyKir(t, "int_div", ix, i64(8))), i64(1021))
	hd := kir.Cast(h, dt)
	var sum *kir.Expr
	for i := range n {
		if sum == nil {
			sum = kir.Input(i, dt)
		} else {
			sum = applyKir(t, "add", sum, kir.Input(i, dt))
		}
	}
	return applyKir(t, "add", applyKir(t, "mul", sum, hd), hd)
}

func applyKir(t *testing.T, name string, args ...*kir.Expr) *kir.Expr {
	t.Helper()
	e, err := kir.Apply(ops.ScalarByName(name), args...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// flatIndexLayout makes the map's operands for an (m, n) output from fresh
// inputs: the graph's inputs, the map's operands and the inputs' values.
type flatIndexLayout struct {
	name string
	make func(t *testing.T, b *graph.Builder, rng *rand.Rand, dt dtype.DType, m, n int) (ins, operands []*graph.Variable, values []*tensor.Array)
}

var flatIndexLayouts = []flatIndexLayout{
	{"contiguous", func(t *testing.T, b *graph.Builder, rng *rand.Rand, dt dtype.DType, m, n int) ([]*graph.Variable, []*graph.Variable, []*tensor.Array) {
		x := b.Input(graph.NewType(dt, staticOnes([]int{m, n})...), "x")
		return []*graph.Variable{x}, []*graph.Variable{x}, []*tensor.Array{randomArray(rng, dt, m, n)}
	}},
	{"broadcast", func(t *testing.T, b *graph.Builder, rng *rand.Rand, dt dtype.DType, m, n int) ([]*graph.Variable, []*graph.Variable, []*tensor.Array) {
		col := b.Input(graph.NewType(dt, graph.Unknown, 1), "col")
		row := b.Input(graph.NewType(dt, 1, graph.Unknown), "row")
		return []*graph.Variable{col, row}, []*graph.Variable{col, row}, []*tensor.Array{randomArray(rng, dt, m, 1), randomArray(rng, dt, 1, n)}
	}},
	{"transposed", func(t *testing.T, b *graph.Builder, rng *rand.Rand, dt dtype.DType, m, n int) ([]*graph.Variable, []*graph.Variable, []*tensor.Array) {
		x := b.Input(graph.NewType(dt, graph.Unknown, graph.Unknown), "x")
		xt, err := ops.DimShuffle(b, x, []int{1, 0})
		if err != nil {
			t.Fatal(err)
		}
		return []*graph.Variable{x}, []*graph.Variable{xt}, []*tensor.Array{randomArray(rng, dt, n, m)}
	}},
	{"sliced", func(t *testing.T, b *graph.Builder, rng *rand.Rand, dt dtype.DType, m, n int) ([]*graph.Variable, []*graph.Variable, []*tensor.Array) {
		// x[::-1, 1:] of an (m, n+1) x
		x := b.Input(graph.NewType(dt, graph.Unknown, graph.Unknown), "x")
		s, err := ops.Subtensor(b, x, []ops.IndexItem{
			{Slice: true, Entries: []ops.IndexEntry{{}, {}, {Kind: ops.EntryConst, Value: -1}}},
			{Slice: true, Entries: []ops.IndexEntry{{Kind: ops.EntryConst, Value: 1}, {}, {}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return []*graph.Variable{x}, []*graph.Variable{s}, []*tensor.Array{randomArray(rng, dt, m, n+1)}
	}},
	{"transposed and broadcast", func(t *testing.T, b *graph.Builder, rng *rand.Rand, dt dtype.DType, m, n int) ([]*graph.Variable, []*graph.Variable, []*tensor.Array) {
		x := b.Input(graph.NewType(dt, graph.Unknown, graph.Unknown), "x")
		row := b.Input(graph.NewType(dt, 1, graph.Unknown), "row")
		xt, err := ops.DimShuffle(b, x, []int{1, 0})
		if err != nil {
			t.Fatal(err)
		}
		return []*graph.Variable{x, row}, []*graph.Variable{xt, row}, []*tensor.Array{randomArray(rng, dt, n, m), randomArray(rng, dt, 1, n)}
	}},
}

// flatIndexSizes: empty, one element, odd, a single column, and above
// parallelWork (1<<18) for arithmetic, then for an element of several
// integer divisions (its cost raises the threshold).
var flatIndexSizes = [][2]int{{0, 3}, {3, 0}, {1, 1}, {3, 5}, {7, 1}, {601, 513}, {1301, 1203}}

func TestCxxFlatIndexMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 3))
	exprs := []struct {
		name string
		expr flatIndexExpr
	}{{"in + 10*index", indexPlusTen}, {"hash", indexHash}}
	for _, dt := range []dtype.DType{dtype.Float32, dtype.Float64, dtype.Int64} {
		for _, ex := range exprs {
			for _, l := range flatIndexLayouts {
				for _, s := range flatIndexSizes {
					if s[0]*s[1] > 1<<19 && (ex.name != "hash" || l.name != "broadcast" && l.name != "transposed") {
						continue // the largest size for the costly element, two layouts
					}
					b := graph.NewBuilder()
					ins, operands, values := l.make(t, b, rng, dt, s[0], s[1])
					out, err := b.Apply1(ops.FusedOp{Expr: ex.expr(t, dt, len(operands)), Ndim: 2}, operands...)
					if err != nil {
						t.Fatal(err)
					}
					src := checkExact(t, b, []*graph.Variable{out}, ins, values)
					if !strings.Contains(src, "int64_t ix)") {
						t.Fatalf("%v %s %s %v: the element function takes no index\n%s", dt, ex.name, l.name, s, src)
					}
				}
			}
		}
	}
}

// An ordinary map (a + 1, a * b over a broadcast row) computes no index:
// its element function takes only the operands.
func TestCxxFlatIndexNotInOrdinaryMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 4))
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	row := b.Input(graph.NewType(dtype.Float64, 1, -1), "row")
	e := ops.NewExpr(b)
	y := e.Add(x, e.Const(1, x))
	z := e.Mul(e.Add(x, row), e.Const(3, x))
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	src := checkExact(t, b, []*graph.Variable{y, z}, []*graph.Variable{x, row}, []*tensor.Array{randomArray(rng, dtype.Float64, 5, 7), randomArray(rng, dtype.Float64, 1, 7)})
	if strings.Contains(src, "int64_t ix") || strings.Contains(src, ", k)") || strings.Contains(src, ", k + j)") {
		t.Fatalf("an ordinary map passes the flat index\n%s", src)
	}
}

// A fused reduction whose element reads the index runs in the evaluator,
// saying why, and still computes the evaluator's result.
func TestCxxFlatIndexReduceFallsBack(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 5))
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Int64, -1, -1), "x")
	op := ops.FusedReduceOp{Expr: indexPlusTen(t, dtype.Int64, 1), Ndim: 2, Kind: "sum", Axes: graph.NewAxisSet(1)}
	out, err := b.Apply1(op, x)
	if err != nil {
		t.Fatal(err)
	}
	c := checkCxx(t, b, []*graph.Variable{out}, []*graph.Variable{x}, []*tensor.Array{randomArray(rng, dtype.Int64, 4, 5)})
	found := false
	for _, why := range c.Kernel.FallbackErrors {
		found = found || strings.Contains(why, "reads the flat element index")
	}
	if !found {
		t.Fatalf("no fallback naming the flat index: %v\n%s", c.Kernel.FallbackErrors, c.Kernel.Source)
	}
}

// checkExact compiles outputs over inputs with the evaluator and the C++
// backend, requires every node to run in C++, calls the kernel through
// callNative with poisoned results and compares with the evaluator bit
// for bit (NaN equals NaN); it returns the kernel's source.
func checkExact(t *testing.T, b *graph.Builder, outputs, inputs []*graph.Variable, values []*tensor.Array) string {
	t.Helper()
	spec := compile.FunctionSpec{Inputs: inputs, Outputs: outputs, OnUnusedInput: "ignore"}
	ref, err := compile.Compile(b, spec)
	if err != nil {
		t.Fatalf("evaluator compile: %v", err)
	}
	want, err := ref.Run(values)
	if err != nil {
		t.Fatalf("evaluator: %v", err)
	}
	spec.Backend = cxxBackend(t)
	f, err := compile.Compile(b, spec)
	if err != nil {
		t.Fatalf("C++ compile: %v", err)
	}
	c, ok := f.Callable().(*cxx.Callable)
	if !ok {
		t.Fatalf("the function's callable is %T", f.Callable())
	}
	if len(c.Kernel.Fallback) > 0 {
		t.Fatalf("nodes run in the evaluator: %v", c.Kernel.FallbackErrors)
	}
	for _, poison := range []byte{0x7f, 0xff} {
		got, err := callNative(c, values, resultTypes(f.Graph), native.CallOptions{Poison: poison, Guard: 64, FailAlloc: -1})
		if err != nil {
			t.Fatalf("C++: %v", err)
		}
		for i := range want {
			w, g := want[i], got[i]
			if w.DType != g.DType || !equalShape(w.Shape, g.Shape) {
				t.Fatalf("result %d: %v %v, want %v %v", i, g.DType, g.Shape, w.DType, w.Shape)
			}
			if !w.DType.IsFloat() && !w.DType.IsComplex() {
				wi, gi := w.Int64s(), g.Int64s()
				for k := range wi {
					if wi[k] != gi[k] {
						t.Fatalf("result %d (%v %v) at %d: %d, want %d\n%s", i, w.DType, w.Shape, k, gi[k], wi[k], c.Kernel.Source)
					}
				}
				continue
			}
			wc, gc := w.Complex128s(), g.Complex128s()
			for k := range wc {
				a, b := wc[k], gc[k]
				if a != b && !(math.IsNaN(real(a)) && math.IsNaN(real(b))) {
					t.Fatalf("result %d (%v %v) at %d: %v, want %v\n%s", i, w.DType, w.Shape, k, b, a, c.Kernel.Source)
				}
			}
		}
	}
	return c.Kernel.Source
}

// A reduction of a map that reads the index is not fused with it
// (core/compile's fuseReductions): both compile, and the sum is the
// evaluator's.
func TestCxxFlatIndexReduceOfMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 6))
	for _, dt := range []dtype.DType{dtype.Int64, dtype.Float64} {
		b := graph.NewBuilder()
		x := b.Input(graph.NewType(dt, -1, -1), "x")
		m, err := b.Apply1(ops.FusedOp{Expr: indexHash(t, dt, 1), Ndim: 2}, x)
		if err != nil {
			t.Fatal(err)
		}
		s, err := ops.Sum(b, m, []int{1}, false)
		if err != nil {
			t.Fatal(err)
		}
		c := checkCxx(t, b, []*graph.Variable{s}, []*graph.Variable{x}, []*tensor.Array{randomArray(rng, dt, 37, 53)})
		if len(c.Kernel.Fallback) > 0 || !strings.Contains(c.Kernel.Source, "int64_t ix)") {
			t.Fatalf("%v: fallback %v\n%s", dt, c.Kernel.FallbackErrors, c.Kernel.Source)
		}
	}
}
