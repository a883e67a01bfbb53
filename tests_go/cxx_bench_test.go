package testsgo

import (
	"math/rand/v2"
	"testing"
	"time"

	"theanogo/codegen/loader"
	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/grad"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// BenchmarkCxxAddOne calls the kernel of x + 1 on 10⁷ float64 through
// loader.Call (which copies the result into a Go array).
func BenchmarkCxxAddOne(bm *testing.B) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	e := ops.NewExpr(b)
	k, st := compileCxxB(bm, b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{e.Add(x, e.Const(1, x))}})
	arg := randomArray(rand.New(rand.NewPCG(1, 1)), dtype.Float64, 10_000_000)
	for bm.Loop() {
		if _, err := loader.Call(k, st, []*tensor.Array{arg}, []dtype.DType{dtype.Float64}); err != nil {
			bm.Fatal(err)
		}
	}
}

func compileCxxB(bm *testing.B, b *graph.Builder, spec compile.FunctionSpec) (kernel, state uintptr) {
	spec.Backend = cxxBackend(bm)
	f, err := compile.Compile(b, spec)
	if err != nil {
		bm.Fatal(err)
	}
	cc := cxxCallable(f)
	return cc.Address, cc.State
}

// TestCxxMLPCompileTime compiles the MLP training step (784-500-10, the
// graph of core/compile's benchmarks) with the C++ backend, with a fresh
// cache directory, and logs the time (no assertion on it).
func TestCxxMLPCompileTime(t *testing.T) {
	b := graph.NewBuilder()
	f32 := dtype.Float32
	params := []*graph.Variable{
		b.Shared(graph.NewType(f32, -1, -1), "W1"), b.Shared(graph.NewType(f32, -1), "b1"),
		b.Shared(graph.NewType(f32, -1, -1), "W2"), b.Shared(graph.NewType(f32, -1), "b2"),
	}
	x := b.Input(graph.NewType(f32, -1, -1), "x")
	tg := b.Input(graph.NewType(f32, -1, -1), "t")
	e := ops.NewExpr(b)
	h := e.Call("tanh", e.Add(e.Dot(x, params[0]), params[1]))
	z := e.Add(e.Dot(h, params[2]), params[3])
	p, err := ops.Softmax(b, z)
	if err != nil {
		t.Fatal(err)
	}
	cost := e.Neg(e.Sum(e.Sum(e.Mul(tg, e.Log(p)), []int{1}, false), nil, false))
	grads, _, err := grad.Grad(b, cost, params, grad.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var updates [][2]*graph.Variable
	for i, v := range params {
		updates = append(updates, [2]*graph.Variable{v, e.Sub(v, e.Mul(e.ConstOf(0.01, f32), grads[i]))})
	}
	spec := compile.FunctionSpec{Inputs: []*graph.Variable{x, tg}, Outputs: []*graph.Variable{cost}, Updates: updates}
	be := *cxxBackend(t)
	be.Config.CacheDir = t.TempDir()
	spec.Backend = &be
	start := time.Now()
	f, err := compile.Compile(b, spec)
	if err != nil {
		t.Fatal(err)
	}
	c := cxxCallable(f)
	t.Logf("MLP training step: C++ compile %v (fresh cache, runtime library included); %d nodes, %d in the evaluator: %v",
		time.Since(start), len(c.Kernel.Nodes), len(c.Kernel.Fallback), c.EvaluatorNodes())
	start = time.Now()
	if _, err := compile.Compile(b, spec); err != nil {
		t.Fatal(err)
	}
	t.Logf("MLP training step: second compile (cached) %v", time.Since(start))
	rng := rand.New(rand.NewPCG(3, 4))
	shared := map[*graph.Variable]*tensor.Array{params[0]: randomArray(rng, f32, 784, 500), params[1]: randomArray(rng, f32, 500),
		params[2]: randomArray(rng, f32, 500, 10), params[3]: randomArray(rng, f32, 10)}
	spec.Backend = nil
	checkCxxSpec(t, b, spec, []*tensor.Array{randomArray(rng, f32, 60, 784), randomArray(rng, f32, 60, 10)}, shared)
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
