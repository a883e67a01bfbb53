package testsgo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"theanogo/codegen/cxx"
	"theanogo/codegen/driver"
	"theanogo/codegen/loader"
	rtsrc "theanogo/codegen/runtime"
	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// The matrix products compiled to C++ (their kir.Call kernels in
// core/ops, printed by codegen/cxx/lower_call.go; the runtime's tg_blas.h)
// against the Go evaluator: one kernel per dtype with
// every rank combination of dot and inputs seen through views (transposed,
// strided, reversed), run on random shapes, empty ones included.

// THEANOGO_TEST_BIG_SHAPES=1 adds shapes of a few hundred (BLAS's blocked
// paths, the pool) to the draws.
var (
	bigShapes = os.Getenv("THEANOGO_TEST_BIG_SHAPES") != ""
)

// blasRuntime loads the runtime library once per process with the CBLAS
// that runtime.FindBLAS finds (THEANOGO_BLAS=none: the portable loops).
var blasRuntime = struct {
	once sync.Once
	cfg  driver.Config
	err  error
}{}

func blasConfig(t *testing.T) driver.Config {
	t.Helper()
	blasRuntime.once.Do(func() {
		cfg, err := driver.Default()
		if err != nil {
			blasRuntime.err = err
			return
		}
		// The default cache, as the other tests' backend (cxxBackend): a
		// process loads one runtime library, so a cache of its own made this
		// test skip whenever another test had loaded the runtime first.
		rt, err := cfg.RuntimeLibrary()
		if err == nil {
			err = loader.LoadRuntime(rt, rtsrc.FindBLAS(), 2)
		}
		blasRuntime.cfg, blasRuntime.err = cfg, err
	})
	if blasRuntime.err != nil {
		t.Fatalf("no runtime library for the generated code: %v", blasRuntime.err)
	}
	return blasRuntime.cfg
}

// compiledFn is one compiled function graph, ready to call.
type compiledFn struct {
	fg     *compile.FunctionGraph
	kernel uintptr
	state  uintptr
	types  []dtype.DType
}

func compileBlasCxx(t *testing.T, b *graph.Builder, inputs, outputs []*graph.Variable) *compiledFn {
	t.Helper()
	cfg := blasConfig(t)
	fg := &compile.FunctionGraph{Inputs: inputs, Results: outputs, NumOutputs: len(outputs), Builder: b}
	k, err := cxx.Generate(fg, cxx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Fallback) > 0 {
		t.Fatalf("nodes run in the evaluator: %v", k.FallbackErrors)
	}
	if dir := os.Getenv("THEANOGO_TEST_KEEP_SOURCE"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, k.Symbol+".cc"), []byte(k.Source), 0o644)
	}
	so, err := cfg.Compile(k.Source, k.Symbol)
	if err != nil {
		t.Fatal(err)
	}
	m, err := loader.Open(so)
	if err != nil {
		t.Fatal(err)
	}
	kern, err := m.Kernel(k.Symbol)
	if err != nil {
		t.Fatal(err)
	}
	st, err := loader.NewState(k.NumSlots, len(k.Nodes), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { loader.FreeState(st) })
	types := make([]dtype.DType, len(outputs))
	for i, o := range outputs {
		types[i] = o.Type.DType
	}
	return &compiledFn{fg: fg, kernel: kern, state: st, types: types}
}

// check runs the kernel and the evaluator on the same values and compares
// every output.
func (c *compiledFn) check(t *testing.T, label string, values []*tensor.Array) {
	t.Helper()
	bind := map[*graph.Variable]*tensor.Array{}
	for i, in := range c.fg.Inputs {
		bind[in] = values[i]
	}
	want, wantErr := eval.Run(c.fg.Results, bind)
	got, gotErr := loader.Call(c.kernel, c.state, values, c.types)
	if wantErr != nil || gotErr != nil {
		if (wantErr == nil) != (gotErr == nil) || wantErr.Error() != gotErr.Error() {
			t.Fatalf("%s: evaluator error %v, C++ error %v", label, wantErr, gotErr)
		}
		return
	}
	for i := range want {
		if msg := compareBlasArrays(want[i], got[i]); msg != "" {
			t.Fatalf("%s: output %d (%v): %s", label, i, c.fg.Results[i], msg)
		}
	}
}

// compareBlasArrays: same dtype and shape; integers and bool equal, floats
// within a relative 1e-4 (float32, float16) or 1e-10 (float64) of the
// largest magnitude, NaN where NaN.
func compareBlasArrays(want, got *tensor.Array) string {
	if want.DType != got.DType || fmt.Sprint(want.Shape) != fmt.Sprint(got.Shape) {
		return fmt.Sprintf("got %v %v, want %v %v", got.DType, got.Shape, want.DType, want.Shape)
	}
	if want.DType.IsDiscrete() {
		w, g := want.Int64s(), got.Int64s()
		for i := range w {
			if w[i] != g[i] {
				return fmt.Sprintf("element %d is %d, want %d", i, g[i], w[i])
			}
		}
		return ""
	}
	w, g := want.Float64s(), got.Float64s()
	scale := 1.0
	for _, v := range w {
		scale = math.Max(scale, math.Abs(v))
	}
	tol := 1e-10
	if want.DType != dtype.Float64 {
		tol = 1e-4
	}
	for i := range w {
		if math.IsNaN(w[i]) != math.IsNaN(g[i]) || math.Abs(w[i]-g[i]) > tol*scale {
			return fmt.Sprintf("element %d is %v, want %v", i, g[i], w[i])
		}
	}
	return ""
}

// smallIntArray has small integer values (exact in every dtype; bool 0/1).
func smallIntArray(r *rand.Rand, dt dtype.DType, shape ...int) *tensor.Array {
	v := make([]float64, tensor.Size(shape))
	for i := range v {
		if dt == dtype.Bool {
			v[i] = float64(r.IntN(2))
		} else {
			v[i] = float64(r.IntN(9) - 4)
		}
	}
	return tensor.FromFloat64s(dt, shape, v)
}

// mustOf returns a function that unwraps a builder call's result, failing
// t on its error: must(ops.Dot(b, x, y)).
func mustOf(t *testing.T) func(*graph.Variable, error) *graph.Variable {
	return func(v *graph.Variable, err error) *graph.Variable {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// slice is x[start:stop:step] on dimension dim (other dimensions whole).
func slice(t *testing.T, b *graph.Builder, x *graph.Variable, dim, step int) *graph.Variable {
	t.Helper()
	items := make([]ops.IndexItem, dim+1)
	for d := range items {
		items[d] = ops.IndexItem{Slice: true, Entries: []ops.IndexEntry{{}, {}, {}}}
	}
	items[dim].Entries[2] = ops.IndexEntry{Kind: ops.EntryConst, Value: step}
	return mustOf(t)(ops.Subtensor(b, x, items))
}

func TestCxxDot(t *testing.T) {
	for _, dt := range []dtype.DType{dtype.Float32, dtype.Float64, dtype.Int32, dtype.Int64, dtype.Int8, dtype.Bool} {
		t.Run(dt.String(), func(t *testing.T) {
			b := graph.NewBuilder()
			must := mustOf(t)
			u := graph.Unknown
			a := b.Input(graph.NewType(dt, u, u), "A")  // (m, k)
			bm := b.Input(graph.NewType(dt, u, u), "B") // (k, n)
			c := b.Input(graph.NewType(dt, u, u), "C")  // (n, k)
			d := b.Input(graph.NewType(dt, u, u), "D")  // (k, m)
			v := b.Input(graph.NewType(dt, u), "v")     // (k,)
			w := b.Input(graph.NewType(dt, u), "w")     // (m,)
			ai := b.Input(graph.NewType(dtype.Int16, u, u), "Ai")
			e := ops.NewExpr(b)
			tr := func(x *graph.Variable) *graph.Variable { return e.DimShuffle(x, []int{1, 0}) }
			dot := func(x, y *graph.Variable) *graph.Variable { return must(ops.Dot(b, x, y)) }
			outs := []*graph.Variable{
				dot(a, bm), dot(a, v), dot(w, a), dot(v, v), // every rank pair
				dot(a, tr(c)), dot(tr(d), bm), dot(tr(d), tr(c)), // transposed views
				dot(slice(t, b, a, 0, 2), bm),                      // every other row
				dot(slice(t, b, a, 1, 2), slice(t, b, bm, 0, 2)),   // every other column and row
				dot(slice(t, b, a, 1, -1), slice(t, b, bm, 0, -1)), // reversed
				dot(slice(t, b, v, 0, -2), slice(t, b, bm, 0, -2)), // reversed, strided vector
				dot(ai, bm), // mixed dtypes: converted to the promoted one
			}
			if e.Err != nil {
				t.Fatal(e.Err)
			}
			fn := compileBlasCxx(t, b, []*graph.Variable{a, bm, c, d, v, w, ai}, outs)
			r := rand.New(rand.NewPCG(1, uint64(dt)))
			for it := range 30 {
				m, k, n := r.IntN(9), r.IntN(9), r.IntN(9)
				if it%10 == 9 && bigShapes {
					m, k, n = 60+r.IntN(70), 100+r.IntN(200), 50+r.IntN(80)
				}
				vals := []*tensor.Array{smallIntArray(r, dt, m, k), smallIntArray(r, dt, k, n), smallIntArray(r, dt, n, k),
					smallIntArray(r, dt, k, m), smallIntArray(r, dt, k), smallIntArray(r, dt, m), smallIntArray(r, dtype.Int16, m, k)}
				fn.check(t, fmt.Sprintf("m %d k %d n %d", m, k, n), vals)
			}
			// misaligned shapes: the evaluator's ValueError
			vals := []*tensor.Array{smallIntArray(r, dt, 2, 3), smallIntArray(r, dt, 4, 5), smallIntArray(r, dt, 5, 4),
				smallIntArray(r, dt, 4, 2), smallIntArray(r, dt, 4), smallIntArray(r, dt, 2), smallIntArray(r, dtype.Int16, 2, 3)}
			fn.check(t, "misaligned", vals)
		})
	}
}

func TestCxxGemmGemvGer(t *testing.T) {
	for _, dt := range []dtype.DType{dtype.Float32, dtype.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			b := graph.NewBuilder()
			must := mustOf(t)
			u := graph.Unknown
			z := b.Input(graph.NewType(dt, u, u), "Z")  // (m, n)
			a := b.Input(graph.NewType(dt, u, u), "A")  // (m, k)
			bm := b.Input(graph.NewType(dt, u, u), "B") // (k, n)
			c := b.Input(graph.NewType(dt, u, u), "C")  // (n, k)
			d := b.Input(graph.NewType(dt, u, u), "D")  // (k, m)
			v := b.Input(graph.NewType(dt, u), "v")     // (k,)
			y := b.Input(graph.NewType(dt, u), "y")     // (m,)
			x := b.Input(graph.NewType(dt, u), "x")     // (n,)
			alpha := b.Input(graph.NewType(dt), "alpha")
			beta := b.Input(graph.NewType(dt), "beta")
			e := ops.NewExpr(b)
			tr := func(x *graph.Variable) *graph.Variable { return e.DimShuffle(x, []int{1, 0}) }
			outs := []*graph.Variable{
				must(ops.Gemm(b, z, alpha, a, bm, beta)),
				must(ops.Gemm(b, z, alpha, tr(d), tr(c), beta)),
				must(ops.Gemm(b, tr(tr(z)), alpha, slice(t, b, a, 1, -1), slice(t, b, bm, 0, -1), beta)),
				must(ops.Gemv(b, y, alpha, a, v, beta)),
				must(ops.Gemv(b, y, alpha, tr(d), slice(t, b, v, 0, -1), beta)),
				must(ops.Ger(b, z, alpha, y, x)),
				must(ops.Ger(b, z, alpha, slice(t, b, y, 0, -1), x)),
			}
			if e.Err != nil {
				t.Fatal(e.Err)
			}
			fn := compileBlasCxx(t, b, []*graph.Variable{z, a, bm, c, d, v, y, x, alpha, beta}, outs)
			r := rand.New(rand.NewPCG(2, uint64(dt)))
			for it := range 30 {
				m, k, n := r.IntN(9), r.IntN(9), r.IntN(9)
				if it%10 == 9 && bigShapes {
					m, k, n = 60+r.IntN(70), 100+r.IntN(200), 50+r.IntN(80)
				}
				al, be := float64(r.IntN(5)-2), float64(r.IntN(5)-2)
				zv := smallIntArray(r, dt, m, n)
				if be == 0 && m*n > 0 { // b = 0 does not read Z: a NaN there does not propagate
					zv = tensor.FromFloat64s(dt, []int{m, n}, nanSlice(m*n))
				}
				vals := []*tensor.Array{zv, smallIntArray(r, dt, m, k), smallIntArray(r, dt, k, n), smallIntArray(r, dt, n, k),
					smallIntArray(r, dt, k, m), smallIntArray(r, dt, k), smallIntArray(r, dt, m), smallIntArray(r, dt, n),
					tensor.Scalar(dt, al), tensor.Scalar(dt, be)}
				fn.check(t, fmt.Sprintf("m %d k %d n %d alpha %v beta %v", m, k, n, al, be), vals)
			}
		})
	}
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}
