package compile_test

import (
	"testing"

	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
)

// Two reductions built separately hold equal op values (ops are compared
// by value), so merge computes them once; a reduction over other axes is
// another op and stays.
func TestMergeEqualReductions(t *testing.T) {
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, 3), "x")
	s1, err1 := ops.Sum(b, x, []int{0}, false)
	s2, err2 := ops.Sum(b, x, []int{-2}, false)
	s3, err3 := ops.Sum(b, x, []int{1}, true)
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	e := ops.NewExpr(b)
	out := e.Add(e.Mul(s1, s2), e.Sum(s3, nil, false))
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{out}, Mode: "FAST_COMPILE"})
	if err != nil {
		t.Fatal(err)
	}
	// sum over axis 0 once, sum over axis 1 with keepdims, and the final sum
	if c := countOps(f); c["sum"] != 3 {
		t.Errorf("after merge: %v, want 3 sums (the two sums over axis 0 merged)\n%s", c, f.Graph)
	}
}
