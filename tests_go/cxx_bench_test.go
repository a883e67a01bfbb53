package testsgo

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"theanogo/codegen/cxx"
	"theanogo/codegen/cxx/native"
	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// BenchmarkCxxAddOne calls the kernel of x + 1 on 10⁷ float64 through
// loader.Call (which copies the result into a Go array).
func BenchmarkCxxAddOne(bm *testing.B) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	e := ops.NewExpr(b)
	c := compileCxxB(bm, b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{e.Add(x, e.Const(1, x))}})
	arg := randomArray(rand.New(rand.NewPCG(1, 1)), dtype.Float64, 10_000_000)
	for bm.Loop() {
		if _, err := c.Run([]*tensor.Array{arg}); err != nil {
			bm.Fatal(err)
		}
	}
}

func compileCxxB(bm *testing.B, b *graph.Builder, spec compile.FunctionSpec) *cxx.Callable {
	spec.Backend = cxxBackend(bm)
	f, err := compile.Compile(b, spec)
	if err != nil {
		bm.Fatal(err)
	}
	return cxxCallable(f)
}

// mlpTrainingSpec builds the MLP training step (784-500-10 tanh, softmax
// NLL, SGD updates; the graph of core/compile's benchmarks) in float32
// and returns its spec (no backend) and parameters.
func mlpTrainingSpec(t testing.TB, b *graph.Builder) (compile.FunctionSpec, []*graph.Variable) {
	return mlpTrainingSpecOf(t, b, dtype.Float32)
}

// mlpTrainingSpecOf is mlpTrainingSpec in dtype f32 (float32 or float64).
func mlpTrainingSpecOf(t testing.TB, b *graph.Builder, f32 dtype.DType) (compile.FunctionSpec, []*graph.Variable) {
	m := opstest.MLPTrainingStep(t, b, f32)
	return compile.FunctionSpec{Inputs: m.Inputs, Outputs: []*graph.Variable{m.Cost}, Updates: m.Updates}, m.Params
}

// TestCxxMLPCompileTime compiles the MLP training step with the C++
// backend, with a fresh cache directory, and logs the time (no assertion
// on it).
func TestCxxMLPCompileTime(t *testing.T) {
	b := graph.NewBuilder()
	f32 := dtype.Float32
	spec, params := mlpTrainingSpec(t, b)
	be := *cxxBackend(t)
	be.Config.CacheDir = t.TempDir()
	spec.Backend = &be
	start := time.Now()
	f, err := compile.Compile(b, spec)
	if err != nil {
		t.Fatal(err)
	}
	c := cxxCallable(f)
	t.Logf("MLP training step: C++ compile %v (fresh cache, runtime library included); %d nodes, %d in the evaluator: %v; %d bytes of C++ in %d part(s)",
		time.Since(start), len(c.Kernel.Nodes), len(c.Kernel.Fallback), c.EvaluatorNodes(), len(c.Kernel.Source), len(c.Kernel.Parts))
	if len(c.Kernel.Parts) != 2 {
		t.Errorf("the MLP kernel compiles as %d part(s), want 2 (codegen/cxx/split.go)", len(c.Kernel.Parts))
	}
	start = time.Now()
	if _, err := compile.Compile(b, spec); err != nil {
		t.Fatal(err)
	}
	t.Logf("MLP training step: second compile (cached) %v", time.Since(start))
	rng := rand.New(rand.NewPCG(3, 4))
	shared := map[*graph.Variable]*tensor.Array{params[0]: randomArray(rng, f32, 784, 500), params[1]: randomArray(rng, f32, 500),
		params[2]: randomArray(rng, f32, 500, 10), params[3]: randomArray(rng, f32, 10)}
	spec.Backend = nil
	for _, batch := range []int{1, 60} {
		checkCxxSpec(t, b, spec, []*tensor.Array{randomArray(rng, f32, batch, 784), randomArray(rng, f32, batch, 10)}, shared)
	}
}

// BenchmarkCxxMLPColdCompile compiles the MLP training step's kernel as a
// cold cache would (the runtime library and the precompiled header
// already built): each iteration salts the source so that the compiler
// runs. cpu-s/op is the compilers' CPU time (user + system), the number
// that does not depend on how busy the machine is.
func BenchmarkCxxMLPColdCompile(bm *testing.B) {
	b := graph.NewBuilder()
	spec, _ := mlpTrainingSpec(bm, b)
	be := cxxBackend(bm)
	spec.Backend = be
	f, err := compile.Compile(b, spec)
	if err != nil {
		bm.Fatal(err)
	}
	fg := cxxCallable(f).Graph
	var cpu time.Duration
	i := 0
	for bm.Loop() {
		i++
		k, err := cxx.Generate(fg, cxx.Options{})
		if err != nil {
			bm.Fatal(err)
		}
		salt := fmt.Sprintf("// cold compile %d %d\n", time.Now().UnixNano(), i)
		parts := make([]string, len(k.Parts))
		for j, p := range k.Parts {
			parts[j] = salt + p
			if dir := os.Getenv("THEANOGO_TEST_KEEP_SOURCE"); dir != "" {
				_ = os.WriteFile(fmt.Sprintf("%s/mlp_part%d.cpp", dir, j), []byte(p), 0o644)
			}
		}
		before := childCPU()
		if _, err := be.Config.CompileParts(parts, k.Symbol); err != nil {
			bm.Fatal(err)
		}
		cpu += childCPU() - before
	}
	bm.ReportMetric(cpu.Seconds()/float64(i), "cpu-s/op")
}

// childCPU is the CPU time the process's finished children used.
func childCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestCxxMLPWarmCompile times, in a fresh process (this test binary run
// again), the compile of the MLP training step whose kernel is in the
// cache: optimizer, generation, hashing, the cache lookup and the loads.
// It logs the time (no assertion on it).
func TestCxxMLPWarmCompile(t *testing.T) {
	if os.Getenv("THEANOGO_WARM_CHILD") != "" {
		b := graph.NewBuilder()
		spec, _ := mlpTrainingSpec(t, b)
		spec.Backend = cxxBackend(t)
		start := time.Now()
		if _, err := compile.Compile(b, spec); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("warm compile: %v\n", time.Since(start))
		return
	}
	b := graph.NewBuilder()
	spec, _ := mlpTrainingSpec(t, b)
	spec.Backend = cxxBackend(t)
	if _, err := compile.Compile(b, spec); err != nil { // now in the cache
		t.Fatal(err)
	}
	for range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCxxMLPWarmCompile$", "-test.count=1")
		cmd.Env = append(os.Environ(), "THEANOGO_WARM_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		for _, l := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(l, "warm compile") {
				t.Logf("MLP training step, fresh process, %s", l)
			}
		}
	}
}

// TestCxxAddOneProfile logs the kernel's own time for x + 1 on 10⁷
// float64 (the node's profile counter; the call's copies excluded).
func TestCxxAddOneProfile(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	e := ops.NewExpr(b)
	be := *cxxBackend(t)
	be.Profile = true
	f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{e.Add(x, e.Const(1, x))}, Backend: &be})
	if err != nil {
		t.Fatal(err)
	}
	c := cxxCallable(f)
	arg := randomArray(rand.New(rand.NewPCG(1, 1)), dtype.Float64, 10_000_000)
	for range 10 {
		if _, err := f.Run([]*tensor.Array{arg}); err != nil {
			t.Fatal(err)
		}
	}
	p := c.Profile()
	if len(p) != 1 || p[0].Calls != 10 {
		t.Fatalf("profile %+v, want one node called 10 times", p)
	}
	t.Logf("x + 1, 1e7 float64: %.2f ms per call in the kernel (%d threads)", float64(p[0].Ns)/float64(p[0].Calls)/1e6, be.Config.Threads)
}

// BenchmarkCxxElementwise times the kernels of the paper's elementwise
// formulae on float64 and float32 vectors with an output buffer reused across calls
// (the result aliases a spare input, as an in-place update would), from
// the node's profile counter, and reports them against the
// memory-bandwidth floor: bytes read and written over the copy bandwidth
// measured here with copy() into a preallocated slice (numpy's copyto).
func BenchmarkCxxElementwise(bm *testing.B) {
	formulae := []struct {
		name string
		n    int // operands
		f    func(e *ops.Expr, a, b *graph.Variable) *graph.Variable
	}{
		{"a+1", 1, func(e *ops.Expr, a, _ *graph.Variable) *graph.Variable { return e.Add(a, e.Const(1, a)) }},
		{"2a+3b", 2, func(e *ops.Expr, a, b *graph.Variable) *graph.Variable {
			return e.Add(e.Mul(e.Const(2, a), a), e.Mul(e.Const(3, b), b))
		}},
		{"a2+b2+2ab", 2, func(e *ops.Expr, a, b *graph.Variable) *graph.Variable {
			two := e.Const(2, a)
			return e.Add(e.Add(e.Call("pow", a, two), e.Call("pow", b, two)), e.Mul(e.Mul(two, a), b))
		}},
		{"2a+b10", 2, func(e *ops.Expr, a, b *graph.Variable) *graph.Variable {
			return e.Add(e.Mul(e.Const(2, a), a), e.Call("pow", b, e.Const(10, b)))
		}},
	}
	for _, n := range []int{10_000, 100_000, 1_000_000, 10_000_000} {
		src, dst := make([]float64, n), make([]float64, n)
		for i := range src {
			src[i], dst[i] = float64(i), 1 // touch every page: untouched memory reads as the zero page
		}
		for _, dt := range []dtype.DType{dtype.Float64, dtype.Float32} {
			for _, fm := range formulae {
				bm.Run(fmt.Sprintf("%v/%s/N=%d", dt, fm.name, n), func(bm *testing.B) { benchElementwise(bm, dt, n, fm.n, fm.f, src, dst) })
			}
		}
	}
}

// benchElementwise is one case of BenchmarkCxxElementwise: formula of
// nIn inputs on n elements of dt.
func benchElementwise(bm *testing.B, dt dtype.DType, n, nIn int, formula func(e *ops.Expr, a, b *graph.Variable) *graph.Variable, src, dst []float64) {
	b := graph.NewBuilder()
	a := b.Input(graph.NewType(dt, -1), "a")
	bb := b.Input(graph.NewType(dt, -1), "b")
	o := b.Input(graph.NewType(dt, -1), "o")
	e := ops.NewExpr(b)
	be := *cxxBackend(bm)
	be.Profile = true
	f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{a, bb, o}, Outputs: []*graph.Variable{formula(e, a, bb)}, OnUnusedInput: "ignore", Backend: &be})
	if err != nil {
		bm.Fatal(err)
	}
	c := cxxCallable(f)
	rng := rand.New(rand.NewPCG(1, 2))
	args := []*tensor.Array{randomArray(rng, dt, n), randomArray(rng, dt, n), randomArray(rng, dt, n)}
	// the result aliases o; an output of 0 elements is not copied back
	call := func() {
		if _, err := callNative(c, args, resultTypes(f.Graph), native.CallOptions{Alias: map[int]int{0: 2}, FailAlloc: -1}); err != nil {
			bm.Fatal(err)
		}
	}
	call()
	defer runtime.KeepAlive(c) // native.Profile reads its state
	ns0, calls0 := native.Profile(c.State)
	for bm.Loop() {
		call()
	}
	ns, calls := native.Profile(c.State)
	var kernel float64
	for i := range ns {
		if calls[i] > calls0[i] {
			kernel += float64(ns[i]-ns0[i]) / float64(calls[i]-calls0[i])
		}
	}
	best := time.Duration(1 << 62)
	for range 5 {
		start := time.Now()
		copy(dst, src)
		best = min(best, time.Since(start))
	}
	bw := float64(16*n) / best.Seconds() // bytes read + written per second
	floor := float64(dt.Size()*(nIn+1)*n) / bw * 1e9
	bm.ReportMetric(kernel/1e6, "kernel-ms")
	bm.ReportMetric(floor/1e6, "floor-ms")
	bm.ReportMetric(kernel/floor, "x-floor")
}

// BenchmarkCxxMLPStep runs the MLP training step's kernel (float32 and
// float64) with the updates in place (the new parameters written over the
// old, as theanogo._rt hands them), at batch 1, 60 and 600; -v logs each
// node's share of the kernel's time (the profile counters).
func BenchmarkCxxMLPStep(bm *testing.B) {
	for _, dt := range []dtype.DType{dtype.Float32, dtype.Float64} {
		for _, batch := range []int{1, 60, 600} {
			bm.Run(fmt.Sprintf("%v/batch=%d", dt, batch), func(bm *testing.B) { benchMLPStep(bm, dt, batch) })
		}
	}
}

func benchMLPStep(bm *testing.B, dt dtype.DType, batch int) {
	b := graph.NewBuilder()
	spec, _ := mlpTrainingSpecOf(bm, b, dt)
	be := *cxxBackend(bm)
	be.Profile = true
	spec.Backend = &be
	f, err := compile.Compile(b, spec)
	if err != nil {
		bm.Fatal(err)
	}
	c := cxxCallable(f)
	rng := rand.New(rand.NewPCG(5, 6))
	args := []*tensor.Array{randomArray(rng, dt, batch, 784), randomArray(rng, dt, batch, 10)}
	for _, s := range c.Graph.Shared {
		shape := []int{784, 500}
		switch s.Name {
		case "b1":
			shape = []int{500}
		case "W2":
			shape = []int{500, 10}
		case "b2":
			shape = []int{10}
		}
		v := make([]float64, tensor.Size(shape))
		for i := range v {
			v[i] = 0.1 * (rng.Float64() - 0.5)
		}
		args = append(args, tensor.FromFloat64s(dt, shape, v))
	}
	alias := map[int]int{}
	for i := range c.Graph.UpdateTargets {
		if c.Kernel.InPlace[i] {
			alias[c.Graph.NumOutputs+i] = 2 + c.Graph.SharedIndex()[i]
		}
	}
	call := func() {
		if _, err := callNative(c, args, resultTypes(c.Graph), native.CallOptions{Alias: alias, FailAlloc: -1}); err != nil {
			bm.Fatal(err)
		}
	}
	call()
	defer runtime.KeepAlive(c) // native.Profile reads its state
	ns0, calls0 := native.Profile(c.State)
	start := time.Now()
	for bm.Loop() {
		call()
	}
	wall := time.Since(start)
	ns, calls := native.Profile(c.State)
	var total float64
	per := make([]float64, len(ns))
	for i := range ns {
		if calls[i] > calls0[i] {
			per[i] = float64(ns[i]-ns0[i]) / float64(calls[i]-calls0[i])
			total += per[i]
		}
	}
	bm.ReportMetric(total/1e6, "nodes-ms")
	bm.ReportMetric(wall.Seconds()*1e3/float64(bm.N), "call-ms")
	if testing.Verbose() {
		var lines []string
		for i, n := range c.Kernel.Nodes {
			lines = append(lines, fmt.Sprintf("%8.1f µs  %s", per[i]/1e3, graph.OpString(n.Op)))
		}
		bm.Logf("%v batch %d, per node:\n%s", dt, batch, strings.Join(lines, "\n"))
	}
}
