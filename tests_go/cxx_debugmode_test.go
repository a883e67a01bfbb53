package testsgo

import (
	"math/rand/v2"
	"strings"
	"testing"

	"theanogo/codegen/cxx"
	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// skewedBackend is the C++ backend with one wrong element in its first
// result: DebugMode must catch it.
type skewedBackend struct{ inner *cxx.Backend }

func (s skewedBackend) Name() string { return "cxx" }

func (s skewedBackend) Prepare(fg *compile.FunctionGraph) (compile.Callable, error) {
	c, err := s.inner.Prepare(fg)
	if err != nil {
		return nil, err
	}
	return skewedCallable{c}, nil
}

type skewedCallable struct{ inner compile.Callable }

func (s skewedCallable) Run(args []*tensor.Array) ([]*tensor.Array, error) {
	out, err := s.inner.Run(args)
	if err == nil && out[0].Size() > 0 {
		out[0].Data.([]float64)[0] += 1
	}
	return out, err
}

// TestCxxDebugMode: DebugMode runs the C++ kernel and the evaluator on
// every call and compares them; a kernel that computes one element wrong
// fails the call, naming the backend and the result.
func TestCxxDebugMode(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	b := graph.NewBuilder()
	x := b.Input(graph.NewType(dtype.Float64, -1, -1), "x")
	e := ops.NewExpr(b)
	y := e.Sum(e.Mul(e.Call("tanh", x), x), []int{1}, false)
	args := []*tensor.Array{randomArray(rng, dtype.Float64, 6, 5)}
	for _, tc := range []struct {
		backend compile.Backend
		wantErr string
	}{
		{cxxBackend(t), ""},
		{skewedBackend{cxxBackend(t)}, "backend cxx computes"},
	} {
		f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{y}, Mode: "DebugMode", Backend: tc.backend})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.Run(args)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Fatalf("DebugMode on the C++ kernel: %v", err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Fatalf("DebugMode on a wrong kernel: error %v, want %q", err, tc.wantErr)
		}
	}
}
