package testsgo

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"theanogo/codegen/cxx"
	"theanogo/codegen/cxx/native"
	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// A callable used only through Raw stays loaded for the whole call even
// when nothing else references it: the garbage collector runs (twice, with
// time for finalizers) inside the call, and the kernel still runs and
// returns x + 1. Reading Address and State and dropping the callable, as
// tests once did, let its finalizer unload the module under a running
// call. Once closed, Raw refuses instead of calling freed code.
func TestCxxRawKeepsCallableAlive(t *testing.T) {
	c := compileAddOne(t) // nothing but c refers to the kernel
	arg := tensor.FromFloat64s(dtype.Float64, []int{3}, []float64{1, 2, 3})
	var got []*tensor.Array
	err := c.Raw(func(kernel, state uintptr) error {
		for range 2 {
			runtime.GC()
			time.Sleep(10 * time.Millisecond) // the finalizer goroutine's chance
		}
		var err error
		got, err = native.Call(kernel, state, []*tensor.Array{arg}, []dtype.DType{dtype.Float64}, native.CallOptions{FailAlloc: -1})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if v := got[0].Float64s(); v[0] != 2 || v[1] != 3 || v[2] != 4 {
		t.Errorf("x + 1 = %v, want [2 3 4]", v)
	}
	c.Close()
	called := false
	err = c.Raw(func(uintptr, uintptr) error { called = true; return nil })
	if err == nil || called || !strings.Contains(err.Error(), "released") {
		t.Errorf("Raw on a closed callable: err %v, fn called %v", err, called)
	}
}

// compileAddOne compiles x + 1 (a float64 vector) with the C++ backend and
// returns only its callable.
func compileAddOne(t *testing.T) *cxx.Callable {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	e := ops.NewExpr(b)
	f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{e.Add(x, e.Const(1, x))}, Backend: cxxBackend(t)})
	if err != nil {
		t.Fatal(err)
	}
	return cxxCallable(f)
}
