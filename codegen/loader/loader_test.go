package loader_test

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"theanogo/codegen/driver"
	"theanogo/codegen/driver/drivertest"
	"theanogo/codegen/loader"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// kernel is the add-one kernel (drivertest.AddOneSource), compiled and
// loaded once: a process loads one runtime.
var kernel uintptr

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "loader-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := setup(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

func setup(dir string) error {
	cfg, err := driver.Default()
	if err != nil {
		return err
	}
	cfg.CacheDir = dir // the real runtime (codegen/runtime), built into a fresh cache
	rt, err := cfg.RuntimeLibrary()
	if err != nil {
		return err
	}
	if err := loader.LoadRuntime(rt, cfg.BLAS, 2); err != nil {
		return err
	}
	if err := loader.LoadRuntime(rt, cfg.BLAS, 2); err != nil {
		return fmt.Errorf("loading the same runtime again: %v", err)
	}
	so, err := cfg.Compile(drivertest.AddOneSource, drivertest.AddOneName)
	if err != nil {
		return err
	}
	m, err := loader.Open(so)
	if err != nil {
		return err
	}
	kernel, err = m.Kernel(drivertest.AddOneName)
	return err
}

func newState(t *testing.T) uintptr {
	t.Helper()
	st, err := loader.NewState(2, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { loader.FreeState(st) })
	return st
}

var addOneTypes = []dtype.DType{dtype.Float64, dtype.Int64}

func TestCallAddsOne(t *testing.T) {
	st := newState(t)
	for _, shape := range [][]int{{2, 3}, {}, {0, 4}, {5}} {
		n := tensor.Size(shape)
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(i) * 1.5
		}
		in := tensor.FromFloat64s(dtype.Float64, shape, x)
		out, err := loader.Call(kernel, st, []*tensor.Array{in}, addOneTypes)
		if err != nil {
			t.Fatalf("shape %v: %v", shape, err)
		}
		if !slices.Equal(out[0].Shape, shape) || out[0].DType != dtype.Float64 {
			t.Fatalf("shape %v: result is %v %v", shape, out[0].DType, out[0].Shape)
		}
		for i, v := range out[0].Float64s() {
			if v != x[i]+1 {
				t.Fatalf("shape %v: y[%d] = %v, want %v", shape, i, v, x[i]+1)
			}
		}
		if len(out[1].Shape) != 0 || out[1].DType != dtype.Int64 {
			t.Fatalf("count result is %v %v", out[1].DType, out[1].Shape)
		}
	}
	// The state persists across calls: its counter counted them all.
	out, err := loader.Call(kernel, st, []*tensor.Array{tensor.Scalar(dtype.Float64, 1)}, addOneTypes)
	if err != nil {
		t.Fatal(err)
	}
	if got := out[1].Int64s()[0]; got != 5 {
		t.Errorf("the state counted %d calls, want 5", got)
	}
	// The input is not changed.
	in := tensor.FromFloat64s(dtype.Float64, []int{2}, []float64{3, 4})
	if _, err := loader.Call(kernel, st, []*tensor.Array{in}, addOneTypes); err != nil {
		t.Fatal(err)
	}
	if got := in.Float64s(); got[0] != 3 || got[1] != 4 {
		t.Errorf("the input changed to %v", got)
	}
}

func TestCallErrors(t *testing.T) {
	st := newState(t)
	neg := tensor.FromFloat64s(dtype.Float64, []int{2}, []float64{-1, 2})
	_, err := loader.Call(kernel, st, []*tensor.Array{neg}, addOneTypes)
	var ge *graph.Error
	if !errors.As(err, &ge) || ge.Kind != graph.KindIndex || !strings.Contains(ge.Msg, "out of bounds") {
		t.Errorf("negative input: got %v, want an IndexError", err)
	}
	f32 := tensor.FromFloat64s(dtype.Float32, []int{2}, []float64{1, 2})
	_, err = loader.Call(kernel, st, []*tensor.Array{f32}, addOneTypes)
	if !errors.As(err, &ge) || ge.Kind != graph.KindType {
		t.Errorf("float32 input: got %v, want a TypeError", err)
	}
	if _, err := loader.Call(0, st, nil, addOneTypes); err == nil {
		t.Error("a nil kernel: no error")
	}
	if _, err := loader.Call(kernel, st, []*tensor.Array{neg}, []dtype.DType{dtype.Invalid}); err == nil {
		t.Error("an invalid result dtype: no error")
	}
}

// The kernel sends an input whose first element is 1000 to the Go evaluator
// (tg_eval_node) as node 7: the registered function's result comes back,
// and its errors and panics come back as errors, never as a crash.
func TestEvaluatorFallback(t *testing.T) {
	st := newState(t)
	var gotNode int
	h := loader.RegisterNodes(func(node int, in []*tensor.Array) ([]*tensor.Array, error) {
		gotNode = node
		x := in[0].Float64s()
		switch x[1] {
		case 1:
			return nil, graph.ValueErrorf("node %d refuses", node)
		case 2:
			panic("boom")
		}
		y := make([]float64, len(x))
		for i := range x {
			y[i] = x[i] * 2
		}
		return []*tensor.Array{tensor.FromFloat64s(dtype.Float64, in[0].Shape, y)}, nil
	})
	defer loader.Unregister(h)
	loader.SetEvaluator(st, h)
	in := tensor.FromFloat64s(dtype.Float64, []int{3}, []float64{1000, 5, 6})
	out, err := loader.Call(kernel, st, []*tensor.Array{in}, addOneTypes)
	if err != nil {
		t.Fatal(err)
	}
	if gotNode != 7 || !slices.Equal(out[0].Float64s(), []float64{2000, 10, 12}) {
		t.Errorf("node %d gave %v", gotNode, out[0].Float64s())
	}
	var ge *graph.Error
	in = tensor.FromFloat64s(dtype.Float64, []int{2}, []float64{1000, 1})
	if _, err := loader.Call(kernel, st, []*tensor.Array{in}, addOneTypes); !errors.As(err, &ge) || ge.Kind != graph.KindValue || ge.Msg != "node 7 refuses" {
		t.Errorf("an evaluator error: got %v", err)
	}
	in = tensor.FromFloat64s(dtype.Float64, []int{2}, []float64{1000, 2})
	if _, err := loader.Call(kernel, st, []*tensor.Array{in}, addOneTypes); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("an evaluator panic: got %v", err)
	}
	loader.Unregister(h)
	in = tensor.FromFloat64s(dtype.Float64, []int{2}, []float64{1000, 0})
	if _, err := loader.Call(kernel, st, []*tensor.Array{in}, addOneTypes); err == nil || !strings.Contains(err.Error(), "unknown handle") {
		t.Errorf("an unregistered handle: got %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := loader.Open("/nonexistent/lib.so"); err == nil {
		t.Error("Open of a missing file: no error")
	}
	if err := loader.LoadRuntime("/nonexistent/other.so", "", 1); err == nil {
		t.Error("a second runtime: no error")
	}
}

// An input in memory Go does not own (a numpy buffer lent through the C
// ABI; here an mmap) is passed as is.
func TestCallForeignMemory(t *testing.T) {
	st := newState(t)
	mem, err := syscall.Mmap(-1, 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	in := tensor.View(dtype.Float64, []int{3}, unsafe.Pointer(&mem[0]))
	copy(in.Data.([]float64), []float64{1, 2, 3})
	out, err := loader.Call(kernel, st, []*tensor.Array{in}, addOneTypes)
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].Float64s(); !slices.Equal(got, []float64{2, 3, 4}) {
		t.Errorf("got %v", got)
	}
}

// mapped reports whether the process maps the file at path.
func mapped(t *testing.T, path string) bool {
	t.Helper()
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(string(maps), path)
}

// Each Open is one reference: the module stays mapped, and its kernels
// callable, until the last Open of it is closed.
func TestModuleClose(t *testing.T) {
	cfg, err := driver.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg.CacheDir = t.TempDir()
	so, err := cfg.Compile(drivertest.AddOneSource+"\n// TestModuleClose\n", drivertest.AddOneName)
	if err != nil {
		t.Fatal(err)
	}
	a, err := loader.Open(so)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loader.Open(so)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	k, err := b.Kernel(drivertest.AddOneName)
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.FromFloat64s(dtype.Float64, []int{2}, []float64{1, 2})
	if out, err := loader.Call(k, 0, []*tensor.Array{x}, []dtype.DType{dtype.Float64, dtype.Int64}); err != nil || out[0].Float64s()[1] != 3 {
		t.Fatalf("after one of two Closes: %v %v", out, err)
	}
	if !mapped(t, so) {
		t.Fatal("the module is not mapped while one Open is left")
	}
	if err := b.Close(); err != nil || b.Close() != nil {
		t.Fatal(err)
	}
	if mapped(t, so) {
		t.Error("the module is still mapped after its last Close")
	}
	if _, err := b.Kernel(drivertest.AddOneName); err == nil {
		t.Error("Kernel of a closed module succeeded")
	}
}
