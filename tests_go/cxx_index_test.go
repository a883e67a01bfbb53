package testsgo

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"

	"theanogo/codegen/cxx"
	"theanogo/codegen/driver"
	"theanogo/codegen/loader"
	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// The graph-level indexing tests compile small functions with the C++
// backend (Generate, the driver, the loader) and with the Go evaluator,
// run both on the same random arguments and compare results and errors.
// Each function's index ops must be lowered (not left to the evaluator
// fallback) and appear in the generated source.

// indexOpTypes are the ops this area lowers.
var indexOpTypes = map[reflect.Type]string{
	reflect.TypeOf(ops.IncSubtensorOp{}):         "tg_inc_subtensor",
	reflect.TypeOf(ops.AdvancedSubtensorOp{}):    "tg_advanced_subtensor",
	reflect.TypeOf(ops.AdvancedIncSubtensorOp{}): "tg_advanced_inc_subtensor",
	reflect.TypeOf(ops.ARangeOp{}):               "tg_arange",
}

// cxxIndexBackend is a compile.Backend running generated C++ through the
// loader, failing when an indexing node falls back to the evaluator.
type cxxIndexBackend struct{ source *string }

func (cxxIndexBackend) Name() string { return "cxx-index-test" }

var runtimeOnce struct {
	sync.Once
	cfg driver.Config
	err error
}

// loadRuntime builds and loads libtgrt once per test process.
func loadRuntime() (driver.Config, error) {
	runtimeOnce.Do(func() {
		cfg, err := driver.Default()
		if err == nil {
			var lib string
			if lib, err = cfg.RuntimeLibrary(); err == nil {
				err = loader.LoadRuntime(lib, cfg.BLAS, 2)
			}
		}
		runtimeOnce.cfg, runtimeOnce.err = cfg, err
	})
	return runtimeOnce.cfg, runtimeOnce.err
}

func (be cxxIndexBackend) Prepare(fg *compile.FunctionGraph) (compile.Callable, error) {
	cfg, err := loadRuntime()
	if err != nil {
		return nil, err
	}
	k, err := cxx.Generate(fg, cxx.Options{})
	if err != nil {
		return nil, err
	}
	for i, n := range k.Fallback {
		if _, ok := indexOpTypes[reflect.TypeOf(n.Op)]; ok {
			return nil, fmt.Errorf("%s fell back to the evaluator: %s", graph.OpString(n.Op), k.FallbackErrors[i])
		}
	}
	if be.source != nil {
		*be.source = k.Source
	}
	so, err := cfg.Compile(k.Source, "index_test")
	if err != nil {
		return nil, err
	}
	m, err := loader.Open(so)
	if err != nil {
		return nil, err
	}
	kernel, err := m.Kernel(k.Symbol)
	if err != nil {
		return nil, err
	}
	st, err := loader.NewState(k.NumSlots, len(k.Nodes), false)
	if err != nil {
		return nil, err
	}
	if len(k.Fallback) > 0 {
		h := loader.RegisterNodes(func(node int, in []*tensor.Array) ([]*tensor.Array, error) {
			n := k.Fallback[node]
			return n.Op.(graph.Evaluator).Evaluate(n, in)
		})
		loader.SetEvaluator(st, h)
	}
	types := make([]dtype.DType, len(fg.Results))
	for i, r := range fg.Results {
		types[i] = r.Type.DType
	}
	return &cxxIndexCallable{kernel: kernel, state: st, types: types}, nil
}

type cxxIndexCallable struct {
	kernel, state uintptr
	types         []dtype.DType
}

func (c *cxxIndexCallable) Run(args []*tensor.Array) ([]*tensor.Array, error) {
	return loader.Call(c.kernel, c.state, args, c.types)
}

// indexFunction is one function to compile both ways and the arguments
// to call it with.
type indexFunction struct {
	label   string
	b       *graph.Builder
	spec    compile.FunctionSpec
	args    [][]*tensor.Array // calls (explicit arguments, then shared values)
	lowered []string          // runtime functions the source must call
}

// checkBoth compiles f with the evaluator and with C++ and compares every call.
func checkBoth(t *testing.T, f indexFunction) {
	t.Helper()
	ref, err := compile.Compile(f.b, f.spec)
	if err != nil {
		t.Fatalf("%s: evaluator compile: %v", f.label, err)
	}
	var source string
	spec := f.spec
	spec.Backend = cxxIndexBackend{source: &source}
	got, err := compile.Compile(f.b, spec)
	if err != nil {
		t.Fatalf("%s: C++ compile: %v", f.label, err)
	}
	for _, fn := range f.lowered {
		if !strings.Contains(source, fn+"(") {
			t.Errorf("%s: the kernel does not call %s:\n%s", f.label, fn, source)
		}
	}
	for i, args := range f.args {
		before := make([][]byte, len(args))
		for j, a := range args {
			before[j] = append([]byte{}, a.Bytes()...)
		}
		want, werr := ref.Run(args)
		have, herr := got.Run(args)
		for j, a := range args {
			if string(a.Bytes()) != string(before[j]) {
				t.Errorf("%s call %d: the kernel changed argument %d", f.label, i, j)
			}
		}
		if werr != nil || herr != nil {
			if werr == nil || herr == nil || errorText(werr) != errorText(herr) {
				t.Errorf("%s call %d:\n got error %v\nwant error %v", f.label, i, herr, werr)
			}
			continue
		}
		for j := range want {
			if msg := compareArrays(have[j], want[j]); msg != "" {
				t.Errorf("%s call %d result %d: %s\n got %v\nwant %v", f.label, i, j, msg, have[j], want[j])
			}
		}
	}
}

// TestCxxIndexMLP: the MLP's x[arange(n), y] (its negative log-likelihood)
// and its gradient advanced_inc_subtensor(zeros, g, arange(n), y), for both
// index dtypes, with an out-of-range label.
func TestCxxIndexMLP(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, ydt := range []dtype.DType{dtype.Int32, dtype.Int64} {
		b := graph.NewBuilder()
		e := ops.NewExpr(b)
		x := b.Input(graph.NewType(dtype.Float32, graph.Unknown, 10), "x")
		y := b.Input(graph.NewType(ydt, graph.Unknown), "y")
		g := b.Input(graph.NewType(dtype.Float32, graph.Unknown), "g")
		n := e.Index(e.Shape(y), 0)
		rows := e.ARange(e.ConstOf(0, dtype.Int64), n, e.ConstOf(1, dtype.Int64), dtype.Invalid)
		picked := e.AdvancedSubtensor(x, rows, y)
		zeros := e.ZerosLike(x)
		grad := e.Apply(ops.AdvancedIncSubtensorOp{}, zeros, g, rows, y)
		if e.Err != nil {
			t.Fatal(e.Err)
		}
		var calls [][]*tensor.Array
		for _, rows := range []int{600, 1, 0, 7} {
			calls = append(calls, []*tensor.Array{randomArray(r, dtype.Float32, []int{rows, 10}, 0, 0),
				randomArray(r, ydt, []int{rows}, 0, 9), randomArray(r, dtype.Float32, []int{rows}, 0, 0)})
		}
		bad := randomArray(r, ydt, []int{5}, 0, 9)
		v := bad.Int64s()
		v[3] = 10
		calls = append(calls, []*tensor.Array{randomArray(r, dtype.Float32, []int{5, 10}, 0, 0), tensor.FromInt64s(ydt, []int{5}, v),
			randomArray(r, dtype.Float32, []int{5}, 0, 0)})
		checkBoth(t, indexFunction{label: fmt.Sprintf("mlp y %v", ydt), b: b,
			spec:    compile.FunctionSpec{Inputs: []*graph.Variable{x, y, g}, Outputs: []*graph.Variable{picked, grad}},
			args:    calls,
			lowered: []string{"tg_arange", "tg_advanced_subtensor", "tg_advanced_inc_subtensor"}})
	}
}

// TestCxxIndexAdvanced: advanced (inc/set) subtensor on a transposed view
// of x (non-contiguous), with index arrays of every integer dtype, negative
// and repeated indices, a broadcasting increment, and out-of-range calls.
func TestCxxIndexAdvanced(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, xdt := range []dtype.DType{dtype.Float32, dtype.Float64, dtype.Int32, dtype.Int64} {
		for _, idt := range indexDTypes {
			for _, mode := range []string{"get", "inc", "set"} {
				b := graph.NewBuilder()
				e := ops.NewExpr(b)
				x := b.Input(graph.NewType(xdt, graph.Unknown, graph.Unknown), "x")
				i := b.Input(graph.NewType(idt, graph.Unknown), "i")
				xt := e.DimShuffle(x, []int{1, 0}) // x.T: strided
				var out *graph.Variable
				var extra []*graph.Variable
				switch mode {
				case "get":
					out = e.AdvancedSubtensor(xt, i)
				default:
					y := b.Input(graph.NewType(xdt, 1, graph.Unknown), "y") // broadcasts over the index
					extra = []*graph.Variable{y}
					out = e.Apply(ops.AdvancedIncSubtensorOp{Set: mode == "set"}, xt, y, i)
				}
				if e.Err != nil {
					t.Fatal(e.Err)
				}
				var calls [][]*tensor.Array
				for _, c := range []struct{ rows, cols, n int }{{4, 5, 7}, {3, 1, 3}, {6, 2, 0}, {2, 3, 4}} {
					lo := -c.cols
					if idt.Kind() == dtype.KindUint {
						lo = 0
					}
					idx := randomArray(r, idt, []int{c.n}, lo, c.cols-1)
					args := []*tensor.Array{randomArray(r, xdt, []int{c.rows, c.cols}, -20, 20), idx}
					if mode != "get" {
						args = append(args, randomArray(r, xdt, []int{1, c.rows}, -20, 20))
					}
					calls = append(calls, args)
				}
				// out of range: index 5 into x.T's 5 rows
				bad := []*tensor.Array{randomArray(r, xdt, []int{3, 5}, -20, 20), tensor.FromInt64s(idt, []int{3}, []int64{1, 5, 0})}
				if mode != "get" {
					bad = append(bad, randomArray(r, xdt, []int{1, 3}, -20, 20))
				}
				calls = append(calls, bad)
				want := "tg_advanced_subtensor"
				if mode != "get" {
					want = "tg_advanced_inc_subtensor"
				}
				checkBoth(t, indexFunction{label: fmt.Sprintf("%s x.T %v idx %v", mode, xdt, idt), b: b,
					spec: compile.FunctionSpec{Inputs: append([]*graph.Variable{x, i}, extra...), Outputs: []*graph.Variable{out}},
					args: calls, lowered: []string{want}})
			}
		}
	}
}

// TestCxxIndexIncSubtensor: basic inc/set_subtensor with symbolic entries
// (index scalars of several dtypes), negative steps, on a reversed view,
// with a broadcasting increment; and an out-of-range integer index.
func TestCxxIndexIncSubtensor(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, xdt := range []dtype.DType{dtype.Float32, dtype.Float64, dtype.Int32, dtype.Int64} {
		for _, set := range []bool{false, true} {
			b := graph.NewBuilder()
			e := ops.NewExpr(b)
			x := b.Input(graph.NewType(xdt, graph.Unknown, graph.Unknown), "x")
			start := b.Input(graph.NewType(dtype.Int32), "start")
			step := b.Input(graph.NewType(dtype.Int8), "step")
			col := b.Input(graph.NewType(dtype.Uint16), "col")
			y := b.Input(graph.NewType(xdt, graph.Unknown), "y")
			// x[::-1] (a reversed view), then [start::step, col] (+)= y
			rev, err := ops.Subtensor(b, x, []ops.IndexItem{{Slice: true, Entries: []ops.IndexEntry{{}, {}, {Kind: ops.EntryConst, Value: -1}}}})
			if err != nil {
				t.Fatal(err)
			}
			items := []ops.IndexItem{
				{Slice: true, Entries: []ops.IndexEntry{{Kind: ops.EntryInput}, {}, {Kind: ops.EntryInput}}},
				{Entries: []ops.IndexEntry{{Kind: ops.EntryInput}}},
			}
			build := ops.IncSubtensor
			if set {
				build = ops.SetSubtensor
			}
			out, err := build(b, rev, y, items, start, step, col)
			if err != nil || e.Err != nil {
				t.Fatal(err, e.Err)
			}
			scalar := func(dt dtype.DType, v int64) *tensor.Array { return tensor.FromInt64s(dt, []int{}, []int64{v}) }
			var calls [][]*tensor.Array
			for _, c := range []struct {
				rows, cols, start, step, col, ylen int
			}{{5, 3, 0, 1, 2, 5}, {5, 3, -2, -1, 0, 4}, {6, 4, 1, 2, 3, 3}, {4, 2, 10, 1, 1, 0}, {4, 2, 0, 1, 1, 1},
				{4, 2, 0, 1, 2, 4}, {4, 2, 0, 0, 0, 4}, {4, 2, 0, 1, 0, 3}} {
				calls = append(calls, []*tensor.Array{randomArray(r, xdt, []int{c.rows, c.cols}, -20, 20),
					scalar(dtype.Int32, int64(c.start)), scalar(dtype.Int8, int64(c.step)), scalar(dtype.Uint16, int64(c.col)),
					randomArray(r, xdt, []int{c.ylen}, -20, 20)})
			}
			checkBoth(t, indexFunction{label: fmt.Sprintf("inc_subtensor set %v %v", set, xdt), b: b,
				spec: compile.FunctionSpec{Inputs: []*graph.Variable{x, start, step, col, y}, Outputs: []*graph.Variable{out}},
				args: calls, lowered: []string{"tg_inc_subtensor"}})
		}
	}
}

// TestCxxIndexARange: arange with integer, float and mixed bounds and
// several output dtypes, including empty ranges and negative steps.
func TestCxxIndexARange(t *testing.T) {
	for _, c := range []struct {
		in  [3]dtype.DType
		out dtype.DType
	}{
		{[3]dtype.DType{dtype.Int64, dtype.Int64, dtype.Int64}, dtype.Int64},
		{[3]dtype.DType{dtype.Int32, dtype.Int64, dtype.Int8}, dtype.Float32},
		{[3]dtype.DType{dtype.Float64, dtype.Float64, dtype.Float64}, dtype.Float64},
		{[3]dtype.DType{dtype.Float32, dtype.Int64, dtype.Float64}, dtype.Float32},
		{[3]dtype.DType{dtype.Float64, dtype.Float64, dtype.Float64}, dtype.Int32},
	} {
		b := graph.NewBuilder()
		e := ops.NewExpr(b)
		v := make([]*graph.Variable, 3)
		for i, dt := range c.in {
			v[i] = b.Input(graph.NewType(dt), fmt.Sprintf("s%d", i))
		}
		out := e.ARange(v[0], v[1], v[2], c.out)
		if e.Err != nil {
			t.Fatal(e.Err)
		}
		var calls [][]*tensor.Array
		for _, vals := range [][3]float64{{0, 10, 1}, {2, -7, -3}, {5, 5, 1}, {1, 0, 1}, {0.5, 3.2, 0.3}, {-1, 1, 0.1}} {
			args := make([]*tensor.Array, 3)
			for i, dt := range c.in {
				args[i] = tensor.FromFloat64s(dt, []int{}, []float64{vals[i]})
			}
			calls = append(calls, args)
		}
		checkBoth(t, indexFunction{label: fmt.Sprintf("arange %v -> %v", c.in, c.out), b: b,
			spec: compile.FunctionSpec{Inputs: v, Outputs: []*graph.Variable{out}}, args: calls, lowered: []string{"tg_arange"}})
	}
}

// TestCxxIndexSharedUpdate: the embedding-table update
// W <- inc_subtensor(W[idx], g) through the function layer: a call with an
// out-of-range index fails with the evaluator's IndexError and leaves W's
// value unchanged; a good call matches the evaluator.
func TestCxxIndexSharedUpdate(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	b := graph.NewBuilder()
	w := b.Shared(graph.NewType(dtype.Float32, graph.Unknown, 4), "W")
	idx := b.Input(graph.NewType(dtype.Int64, graph.Unknown), "idx")
	g := b.Input(graph.NewType(dtype.Float32, graph.Unknown, 4), "g")
	upd, err := ops.AdvancedIncSubtensor(b, w, g, idx)
	if err != nil {
		t.Fatal(err)
	}
	spec := compile.FunctionSpec{Inputs: []*graph.Variable{idx, g}, Updates: [][2]*graph.Variable{{w, upd}}}
	good := []*tensor.Array{tensor.FromInt64s(dtype.Int64, []int{4}, []int64{1, 1, -1, 0}), randomArray(r, dtype.Float32, []int{4, 4}, 0, 0),
		randomArray(r, dtype.Float32, []int{6, 4}, 0, 0)}
	bad := []*tensor.Array{tensor.FromInt64s(dtype.Int64, []int{3}, []int64{0, 6, 1}), randomArray(r, dtype.Float32, []int{3, 4}, 0, 0),
		randomArray(r, dtype.Float32, []int{6, 4}, 0, 0)}
	checkBoth(t, indexFunction{label: "W update", b: b, spec: spec, args: [][]*tensor.Array{good, bad},
		lowered: []string{"tg_advanced_inc_subtensor"}})
	// checkBoth checked that the failed call left W's value (its argument) unchanged.
}
