package compile_test

import (
	"math"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/grad"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

func scalar(v float64) *tensor.Array { return tensor.Scalar(dtype.Float64, v) }

// countOps counts the nodes of the compiled graph by op name.
func countOps(f *compile.Function) map[string]int {
	counts := map[string]int{}
	for _, n := range f.Graph.Toposort() {
		counts[n.Op.Name()]++
	}
	return counts
}

// Equal subexpressions built separately are two variables in the user's
// graph and one node in the function graph.
func TestMergeComputesEqualSubexpressionsOnce(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	e := ops.NewExpr(b)
	a1 := e.Exp(e.Add(x, e.Const(1, x)))
	a2 := e.Exp(e.Add(x, e.Const(1, x)))
	out := e.Mul(a1, a2)
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	if a1 == a2 {
		t.Fatal("the builder merged two separately built expressions")
	}
	f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{out}, Mode: "FAST_COMPILE"})
	if err != nil {
		t.Fatal(err)
	}
	if c := countOps(f); c["exp"] != 1 || c["add"] != 1 || c["mul"] != 1 {
		t.Errorf("after merge: %v, want one exp, one add, one mul\n%s", c, f.Graph)
	}
	got, err := f.Call(nil, vec(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if v := got[0].Float64s(); math.Abs(v[0]-math.Exp(2)) > 1e-12 || math.Abs(v[1]-math.Exp(4)) > 1e-12 {
		t.Errorf("exp(x+1)**2 at [0 1]: %v", v)
	}
}

// Constant folding computes nodes of constants at compile time; the
// results are unchanged.
func TestConstantFolding(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	e := ops.NewExpr(b)
	two := e.ConstOf(2, dtype.Float64)
	k := e.Exp(e.Mul(e.Log(two), e.ConstOf(3, dtype.Float64))) // 8
	out := e.Add(x, k)
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	fast, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{out}})
	if err != nil {
		t.Fatal(err)
	}
	if c := countOps(fast); len(c) != 1 || c["add"] != 1 {
		t.Errorf("FAST_RUN graph has %v, want only the add\n%s", c, fast.Graph)
	}
	slow, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{out}, Mode: "FAST_COMPILE"})
	if err != nil {
		t.Fatal(err)
	}
	if c := countOps(slow); c["exp"] != 1 {
		t.Errorf("FAST_COMPILE folded constants: %v", c)
	}
	for _, f := range []*compile.Function{fast, slow} {
		got, err := f.Call(nil, vec(1, -8))
		if err != nil {
			t.Fatal(err)
		}
		if v := got[0].Float64s(); math.Abs(v[0]-9) > 1e-12 || math.Abs(v[1]) > 1e-12 {
			t.Errorf("%s: x + 8 at [1 -8] = %v", f.Mode.Name, v)
		}
	}
}

// A constant index out of range is not folded away: the error is raised
// when the function runs.
func TestFoldingKeepsFailingNodes(t *testing.T) {
	b := graph.NewBuilder()
	c := b.Constant(tensor.FromFloat64s(dtype.Float64, []int{3}, []float64{1, 2, 3}))
	i := b.Constant(tensor.Scalar(dtype.Int64, 7))
	sub, err := ops.AdvancedSubtensor(b, c, i)
	if err != nil {
		t.Fatal(err)
	}
	f, err := compile.Compile(b, compile.FunctionSpec{Outputs: []*graph.Variable{sub}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Call(nil); err == nil {
		t.Error("indexing a length-3 constant at 7 succeeded")
	}
}

// consider_constant works by identity: freezing h = x*y built separately
// does not freeze the x*y inside c. With c = x*y + x**2 and h = x*y,
// d(c + h)/dx at x=2, y=3 is y + 2x = 7 (it was 4 when the builder merged
// the two x*y).
func TestConsiderConstantIsByIdentity(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64), "x")
	y := b.Input(graph.NewType(dtype.Float64), "y")
	e := ops.NewExpr(b)
	c := e.Add(e.Mul(x, y), e.Call("pow", x, e.ConstOf(2, dtype.Int8)))
	h := e.Mul(x, y)
	cost := e.Add(c, h)
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	gs, _, err := grad.Grad(b, cost, []*graph.Variable{x}, grad.Options{ConsiderConstant: []*graph.Variable{h}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x, y}, Outputs: gs})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Call(nil, scalar(2), scalar(3))
	if err != nil {
		t.Fatal(err)
	}
	if v := got[0].Float64s()[0]; v != 7 {
		t.Errorf("d(c+h)/dx with h constant = %v, want 7", v)
	}
}

// Update targets that the results do not read are still passed, so the
// caller commits by index; the function graph lists shared variables in a
// fixed order.
func TestSharedOrderAndUnreadTargets(t *testing.T) {
	b := graph.NewBuilder()
	w := b.Shared(graph.NewType(dtype.Float64, -1), "w")
	v := b.Shared(graph.NewType(dtype.Float64, -1), "v")
	x := b.Input(graph.NewType(dtype.Float64, -1), "x")
	f, err := compile.Compile(b, compile.FunctionSpec{
		Inputs:  []*graph.Variable{x},
		Outputs: []*graph.Variable{build(t, b, "mul", w, x)},
		Updates: [][2]*graph.Variable{{v, x}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Graph.Shared) != 2 || f.Graph.Shared[0] != w || f.Graph.Shared[1] != v {
		t.Fatalf("shared inputs %v, want [w v]", f.Graph.Shared)
	}
	if idx := f.Graph.SharedIndex(); len(idx) != 1 || idx[0] != 1 {
		t.Errorf("SharedIndex %v, want [1]", idx)
	}
	store := map[*graph.Variable]*tensor.Array{w: vec(2, 2), v: vec(0, 0)}
	if _, err := f.Call(store, vec(1, 5)); err != nil {
		t.Fatal(err)
	}
	if got := store[v].Float64s(); got[1] != 5 {
		t.Errorf("v after the call: %v", got)
	}
}
