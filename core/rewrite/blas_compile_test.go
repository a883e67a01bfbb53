package rewrite_test

import (
	"math/rand/v2"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// `Z + a*dot(X, Y)` compiled with FAST_RUN is one gemm node and nothing
// else: the add, the mul and the broadcast of a are gone.
func TestFastRunCompilesScaledAccumulationToOneGemm(t *testing.T) {
	for _, dt := range []dtype.DType{dtype.Float32, dtype.Float64} {
		b := graph.NewBuilder()
		z, x, y := b.Input(graph.NewType(dt, -1, -1), "Z"), b.Input(graph.NewType(dt, -1, -1), "X"), b.Input(graph.NewType(dt, -1, -1), "Y")
		a := b.Input(graph.NewType(dt), "a")
		e := ops.NewExpr(b)
		out := e.Add(z, e.Mul(a, e.Dot(x, y)))
		if e.Err != nil {
			t.Fatal(e.Err)
		}
		f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{z, a, x, y}, Outputs: []*graph.Variable{out}, Mode: "FAST_RUN", Strict: true})
		if err != nil {
			t.Fatal(err)
		}
		nodes := f.Graph.Toposort()
		if len(nodes) != 1 || nodes[0].Op != (ops.GemmOp{}) {
			t.Fatalf("%v: compiled graph\n%s", dt, f.Graph)
		}
		rng := rand.New(rand.NewPCG(2, 2))
		args := []*tensor.Array{opstest.Rand(rng, 4, 5).Astype(dt), tensor.Scalar(dt, -0.3), opstest.Rand(rng, 4, 6).Astype(dt), opstest.Rand(rng, 6, 5).Astype(dt)}
		got, err := f.Run(args)
		if err != nil {
			t.Fatal(err)
		}
		want, err := eval.Run([]*graph.Variable{out}, map[*graph.Variable]*tensor.Array{z: args[0], a: args[1], x: args[2], y: args[3]})
		if err != nil {
			t.Fatal(err)
		}
		sameValues(t, got[0], want[0])
	}
}

// mlpStep is the MLP training step in float32 (opstest.MLPTrainingStep),
// compiled strict.
func mlpStep(t testing.TB) (*graph.Builder, compile.FunctionSpec, []*graph.Variable) {
	b := graph.NewBuilder()
	m := opstest.MLPTrainingStep(t, b, dtype.Float32)
	return b, compile.FunctionSpec{Inputs: m.Inputs, Outputs: []*graph.Variable{m.Cost}, Updates: m.Updates, Strict: true}, m.Params
}

// After FAST_RUN the MLP step updates W1 and W2 with a gemm each (W
// accumulating -0.01*dot(h.T, delta)), and computes what the unoptimized
// step computes.
func TestMLPStepUpdatesWeightsWithGemm(t *testing.T) {
	b, spec, params := mlpStep(t)
	f, err := compile.Compile(b, spec)
	if err != nil {
		t.Fatal(err)
	}
	for i, target := range f.Graph.UpdateTargets {
		if target != params[0] && target != params[2] {
			continue
		}
		v := f.Graph.UpdateValues()[i]
		if v.Owner == nil || v.Owner.Op != (ops.GemmOp{}) || v.Owner.Inputs[0] != target {
			t.Errorf("update of %v is not a gemm accumulating into it:\n%s", target, graph.Debugprint([]*graph.Variable{v}))
		}
	}
	if f.RewriteHits["gemm"] != 2 {
		t.Errorf("gemm hits %d, want 2 (%v)", f.RewriteHits["gemm"], f.RewriteHits)
	}

	b2, spec2, params2 := mlpStep(t)
	spec2.Optimizer = "None"
	plain, err := compile.Compile(b2, spec2)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	r := func(shape ...int) *tensor.Array { return opstest.Rand(rng, shape...).Astype(dtype.Float32) }
	x, tgt := r(6, 784), r(6, 10)
	values := []*tensor.Array{r(784, 50), r(50), r(50, 10), r(10)}
	store, store2 := map[*graph.Variable]*tensor.Array{}, map[*graph.Variable]*tensor.Array{}
	for i, v := range values {
		store[params[i]], store2[params2[i]] = v, v
	}
	got, err := f.Call(store, x, tgt)
	if err != nil {
		t.Fatal(err)
	}
	want, err := plain.Call(store2, x, tgt)
	if err != nil {
		t.Fatal(err)
	}
	sameValues(t, got[0], want[0])
	for i := range params {
		sameValues(t, store[params[i]], store2[params2[i]])
	}
}
