package testsgo

import (
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"theanogo/codegen/cxx"
	"theanogo/codegen/cxx/native"
	"theanogo/codegen/driver"
	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// The C++ backend's differential harness: every check compiles one
// function twice, with the Go evaluator and with the C++ backend, runs
// both on the same arguments and compares. The kernel's result buffers are
// poisoned before each run (0x7f bytes, then 0xff: NaN for floats), with
// canary bytes after them: an element the kernel forgets, or a write past
// a result's end, fails the check. Other helpers' test files in this
// package use checkCxx and checkCxxSpec for their lowerings.

var cxxBackendOnce struct {
	sync.Once
	b   *cxx.Backend
	err error
}

// cxxBackend returns the C++ backend the tests share (the default
// compiler and cache); the test fails when there is no compiler.
func cxxBackend(t testing.TB) *cxx.Backend {
	t.Helper()
	cxxBackendOnce.Do(func() {
		cfg, err := driver.Default()
		cxxBackendOnce.b, cxxBackendOnce.err = &cxx.Backend{Config: cfg}, err
	})
	if cxxBackendOnce.err != nil {
		t.Fatalf("no C++ backend: %v", cxxBackendOnce.err)
	}
	return cxxBackendOnce.b
}

// checkCxx compiles outputs over inputs with both backends (FAST_RUN's
// passes) and compares the results on values (one per input).
func checkCxx(t *testing.T, b *graph.Builder, outputs, inputs []*graph.Variable, values []*tensor.Array) *cxx.Callable {
	t.Helper()
	return checkCxxSpec(t, b, compile.FunctionSpec{Inputs: inputs, Outputs: outputs, OnUnusedInput: "ignore"}, values, nil)
}

// checkCxxSpec is checkCxx for a whole spec (updates, givens, mode);
// shared holds the shared variables' values. An evaluator error must come
// back from the kernel with the same kind (ValueError, IndexError, ...).
func checkCxxSpec(t *testing.T, b *graph.Builder, spec compile.FunctionSpec, values []*tensor.Array, shared map[*graph.Variable]*tensor.Array) *cxx.Callable {
	t.Helper()
	ref, err := compile.Compile(b, spec)
	if err != nil {
		t.Fatalf("evaluator compile: %v", err)
	}
	if spec.Backend == nil {
		spec.Backend = cxxBackend(t)
	}
	f, err := compile.Compile(b, spec)
	if err != nil {
		t.Fatalf("C++ compile: %v", err)
	}
	c, ok := f.Callable().(*cxx.Callable)
	if !ok {
		t.Fatalf("the function's callable is %T, not the C++ kernel", f.Callable())
	}
	args := func(fg *compile.FunctionGraph) []*tensor.Array {
		out := append([]*tensor.Array{}, values...)
		for _, s := range fg.Shared {
			out = append(out, shared[s].Clone())
		}
		return out
	}
	want, wantErr := ref.Run(args(ref.Graph))
	for _, poison := range []byte{0x7f, 0xff} {
		got, gotErr := callNative(c, args(f.Graph), resultTypes(f.Graph), native.CallOptions{Poison: poison, Guard: 64, FailAlloc: -1})
		if wantErr != nil || gotErr != nil {
			if wantErr == nil || gotErr == nil || errorKind(wantErr) != errorKind(gotErr) {
				t.Fatalf("errors differ: evaluator %v, C++ %v\n%s", wantErr, gotErr, c.Kernel.Source)
			}
			return c
		}
		compareFolded(t, want, got, c, largestSize(args(f.Graph)))
	}
	return c
}

// largestSize is the most elements of any of the arrays: no fold of a
// function of them is longer (a bound for compareFolded).
func largestSize(arrays []*tensor.Array) int {
	n := 1
	for _, a := range arrays {
		n = max(n, tensor.Size(a.Shape))
	}
	return n
}

// callNative calls c's kernel through native.Call (poisoned, guarded or
// aliased result buffers) inside c.Raw, which keeps c alive: a test that
// read c.Address and c.State and then dropped c let the callable's
// finalizer unload the module during the call (a crash in CI).
func callNative(c *cxx.Callable, args []*tensor.Array, types []dtype.DType, opt native.CallOptions) ([]*tensor.Array, error) {
	var out []*tensor.Array
	err := c.Raw(func(kernel, state uintptr) error {
		var err error
		out, err = native.Call(kernel, state, args, types, opt)
		return err
	})
	return out, err
}

func resultTypes(fg *compile.FunctionGraph) []dtype.DType {
	out := make([]dtype.DType, len(fg.Results))
	for i, r := range fg.Results {
		out[i] = r.Type.DType
	}
	return out
}

// errorKind is the Python exception class of err (-1 when untyped).
func errorKind(err error) graph.ErrorKind {
	var ge *graph.Error
	if errors.As(err, &ge) {
		return ge.Kind
	}
	return -1
}

// compareResults compares exactly for bools and integers, within a
// tolerance for floats (NaN equals NaN): elementwise maps agree within a
// few ulps of the dtype (rtol; float32 maps round differently in C++ and
// Go), and reductions within ops.ReduceTolerance (DESIGN.md decision 13:
// compiled float sums fold pairwise, blocked and in parallel) for a fold
// as long as the largest argument, the largest result magnitude standing
// in for the sum of the folded magnitudes.
func compareResults(t *testing.T, want, got []*tensor.Array, c *cxx.Callable) {
	t.Helper()
	compareFolded(t, want, got, c, 1)
}

// compareFolded is compareResults for results of folds of at most n
// elements.
func compareFolded(t *testing.T, want, got []*tensor.Array, c *cxx.Callable, n int) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%d results, want %d", len(got), len(want))
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
					t.Fatalf("result %d at %d: %d, want %d\n%s", i, k, gi[k], wi[k], c.Kernel.Source)
				}
			}
			continue
		}
		rtol := 1e-11
		if w.DType != dtype.Float64 && w.DType != dtype.Complex128 {
			rtol = 2e-3
		}
		rtol = math.Max(rtol, ops.ReduceTolerance(w.DType, n))
		wc, gc := w.Complex128s(), g.Complex128s()
		// float32 sums round differently in C++ (float) and Go (float64,
		// then rounded): absolute error scaled to the result's magnitude
		scale := 0.0
		for _, v := range wc {
			if m := math.Max(math.Abs(real(v)), math.Abs(imag(v))); !math.IsInf(m, 0) && !math.IsNaN(m) {
				scale = math.Max(scale, m)
			}
		}
		for k := range wc {
			for _, p := range [][2]float64{{real(wc[k]), real(gc[k])}, {imag(wc[k]), imag(gc[k])}} {
				a, b := p[0], p[1]
				if math.IsNaN(a) && math.IsNaN(b) || a == b {
					continue
				}
				if math.Abs(a-b) > rtol*(math.Max(math.Abs(a), math.Abs(b))+scale*1e-2)+1e-300 {
					t.Fatalf("result %d at %d: %v, want %v\n%s", i, k, gc[k], wc[k], c.Kernel.Source)
				}
			}
		}
	}
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// randomArray returns an array of dtype d and the given shape: floats in
// [-3, 3) with a few zeros, integers in [-5, 5) (non-negative for
// unsigned dtypes), bools at random.
func randomArray(rng *rand.Rand, d dtype.DType, shape ...int) *tensor.Array {
	n := tensor.Size(shape)
	switch {
	case d.IsFloat() || d.IsComplex():
		v := make([]float64, n)
		for i := range v {
			if rng.IntN(10) > 0 {
				v[i] = 6*rng.Float64() - 3
			}
		}
		return tensor.FromFloat64s(d, shape, v)
	}
	v := make([]int64, n)
	for i := range v {
		switch {
		case d == dtype.Bool:
			v[i] = int64(rng.IntN(2))
		case d.Kind() == dtype.KindUint:
			v[i] = int64(rng.IntN(10))
		default:
			v[i] = int64(rng.IntN(10) - 5)
		}
	}
	return tensor.FromInt64s(d, shape, v)
}

// cxxCallable returns f's C++ kernel.
func cxxCallable(f *compile.Function) *cxx.Callable {
	return f.Callable().(*cxx.Callable)
}
