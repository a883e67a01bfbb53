package testsgo

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"theanogo/codegen/cxx"
	"theanogo/codegen/cxx/native"
	"theanogo/core/compile"
	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/tensor"
)

// The graph-level indexing tests run small functions through cxx-core's
// differential harness (checkCxxSpec: both backends, poisoned and guarded
// result buffers, the same error class), then check what the harness does
// not: the index ops are lowered (not left to the evaluator fallback), the
// kernel calls the runtime function, and an error's message is the
// evaluator's word for word.

// indexOpTypes are the ops this area lowers.
var indexOpTypes = map[reflect.Type]bool{
	reflect.TypeOf(ops.IncSubtensorOp{}):         true,
	reflect.TypeOf(ops.AdvancedSubtensorOp{}):    true,
	reflect.TypeOf(ops.AdvancedIncSubtensorOp{}): true,
	reflect.TypeOf(ops.ARangeOp{}):               true,
}

// indexFunction is one function to compile both ways and the calls to
// make (explicit arguments; shared values in shared).
type indexFunction struct {
	label   string
	b       *graph.Builder
	spec    compile.FunctionSpec
	calls   [][]*tensor.Array
	shared  map[*graph.Variable]*tensor.Array
	lowered []string // runtime functions the source must call
}

// checkBoth runs every call of f through the harness and compares error messages.
func checkBoth(t *testing.T, f indexFunction) {
	t.Helper()
	ref, err := compile.Compile(f.b, f.spec)
	if err != nil {
		t.Fatalf("%s: evaluator compile: %v", f.label, err)
	}
	for i, values := range f.calls {
		c := checkCxxSpec(t, f.b, f.spec, values, f.shared)
		if i == 0 {
			for j, n := range c.Kernel.Fallback {
				if indexOpTypes[reflect.TypeOf(n.Op)] {
					t.Errorf("%s: %s runs in the evaluator: %s", f.label, graph.OpString(n.Op), c.Kernel.FallbackErrors[j])
				}
			}
			for _, fn := range f.lowered {
				if !strings.Contains(c.Kernel.Source, fn+"(") {
					t.Errorf("%s: the kernel does not call %s:\n%s", f.label, fn, c.Kernel.Source)
				}
			}
		}
		args := func(fg *compile.FunctionGraph) []*tensor.Array {
			out := append([]*tensor.Array{}, values...)
			for _, s := range fg.Shared {
				out = append(out, f.shared[s].Clone())
			}
			return out
		}
		_, werr := ref.Run(args(ref.Graph))
		// native.Call, not c.Run: loader.Call stores pointers into
		// uninitialized C memory, whose stale contents Go's write barrier
		// then shades ("found pointer to free object"; reported to cxx-core).
		_, herr := callNative(c, args(c.Graph), resultTypes(c.Graph), native.CallOptions{FailAlloc: -1})
		if (werr != nil || herr != nil) && (werr == nil || herr == nil || errorText(werr) != errorText(herr)) {
			t.Errorf("%s call %d:\n got error %v\nwant error %v", f.label, i, herr, werr)
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
			calls = append(calls, []*tensor.Array{indexArray(r, dtype.Float32, []int{rows, 10}, 0, 0),
				indexArray(r, ydt, []int{rows}, 0, 9), indexArray(r, dtype.Float32, []int{rows}, 0, 0)})
		}
		bad := indexArray(r, ydt, []int{5}, 0, 9)
		v := bad.Int64s()
		v[3] = 10
		calls = append(calls, []*tensor.Array{indexArray(r, dtype.Float32, []int{5, 10}, 0, 0), tensor.FromInt64s(ydt, []int{5}, v),
			indexArray(r, dtype.Float32, []int{5}, 0, 0)})
		checkBoth(t, indexFunction{label: fmt.Sprintf("mlp y %v", ydt), b: b,
			spec:    compile.FunctionSpec{Inputs: []*graph.Variable{x, y, g}, Outputs: []*graph.Variable{picked, grad}},
			calls:   calls,
			lowered: []string{"tg_arange", "tg_advanced_subtensor", "tg_advanced_inc_subtensor"}})
	}
}

// TestCxxIndexAdvanced: advanced (inc/set) subtensor on a transposed view
// of x (non-contiguous), with index arrays of every integer dtype, negative
// and repeated indices, a broadcasting increment, and out-of-range calls.
func TestCxxIndexAdvanced(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	xdts := []dtype.DType{dtype.Float32, dtype.Float64, dtype.Int32, dtype.Int64}
	for k, idt := range indexDTypes {
		xdt := xdts[k%len(xdts)] // every index dtype once, the x dtypes in turn
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
				idx := indexArray(r, idt, []int{c.n}, lo, c.cols-1)
				args := []*tensor.Array{indexArray(r, xdt, []int{c.rows, c.cols}, -20, 20), idx}
				if mode != "get" {
					args = append(args, indexArray(r, xdt, []int{1, c.rows}, -20, 20))
				}
				calls = append(calls, args)
			}
			// out of range: index 5 into x.T's 5 rows
			bad := []*tensor.Array{indexArray(r, xdt, []int{3, 5}, -20, 20), tensor.FromInt64s(idt, []int{3}, []int64{1, 5, 0})}
			if mode != "get" {
				bad = append(bad, indexArray(r, xdt, []int{1, 3}, -20, 20))
			}
			calls = append(calls, bad)
			want := "tg_advanced_subtensor"
			if mode != "get" {
				want = "tg_advanced_inc_subtensor"
			}
			checkBoth(t, indexFunction{label: fmt.Sprintf("%s x.T %v idx %v", mode, xdt, idt), b: b,
				spec:  compile.FunctionSpec{Inputs: append([]*graph.Variable{x, i}, extra...), Outputs: []*graph.Variable{out}},
				calls: calls, lowered: []string{want}})
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
				calls = append(calls, []*tensor.Array{indexArray(r, xdt, []int{c.rows, c.cols}, -20, 20),
					scalar(dtype.Int32, int64(c.start)), scalar(dtype.Int8, int64(c.step)), scalar(dtype.Uint16, int64(c.col)),
					indexArray(r, xdt, []int{c.ylen}, -20, 20)})
			}
			checkBoth(t, indexFunction{label: fmt.Sprintf("inc_subtensor set %v %v", set, xdt), b: b,
				spec:  compile.FunctionSpec{Inputs: []*graph.Variable{x, start, step, col, y}, Outputs: []*graph.Variable{out}},
				calls: calls, lowered: []string{"tg_inc_subtensor"}})
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
			spec: compile.FunctionSpec{Inputs: v, Outputs: []*graph.Variable{out}}, calls: calls, lowered: []string{"tg_arange"}})
	}
}

// TestCxxIndexSharedUpdate: the embedding-table update
// W <- advanced_inc_subtensor(W, g, idx) through the function layer. The
// kernel accepts the old W's memory for the new W (in place); called that
// way (native.Call aliasing the result to W's argument), a good call
// writes the evaluator's result into W, and a call with an out-of-range
// index fails with the evaluator's IndexError and leaves W unchanged.
func TestCxxIndexSharedUpdate(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, set := range []bool{false, true} {
		b := graph.NewBuilder()
		w := b.Shared(graph.NewType(dtype.Float32, graph.Unknown, 4), "W")
		idx := b.Input(graph.NewType(dtype.Int64, graph.Unknown), "idx")
		g := b.Input(graph.NewType(dtype.Float32, graph.Unknown, 4), "g")
		upd, err := b.Apply1(ops.AdvancedIncSubtensorOp{Set: set}, w, g, idx)
		if err != nil {
			t.Fatal(err)
		}
		spec := compile.FunctionSpec{Inputs: []*graph.Variable{idx, g}, Updates: [][2]*graph.Variable{{w, upd}}}
		shared := map[*graph.Variable]*tensor.Array{w: indexArray(r, dtype.Float32, []int{6, 4}, 0, 0)}
		good := []*tensor.Array{tensor.FromInt64s(dtype.Int64, []int{4}, []int64{1, 1, -1, 0}), indexArray(r, dtype.Float32, []int{4, 4}, 0, 0)}
		bad := []*tensor.Array{tensor.FromInt64s(dtype.Int64, []int{3}, []int64{0, 6, 1}), indexArray(r, dtype.Float32, []int{3, 4}, 0, 0)}
		checkBoth(t, indexFunction{label: fmt.Sprintf("W update set %v", set), b: b, spec: spec, calls: [][]*tensor.Array{good, bad},
			shared: shared, lowered: []string{"tg_advanced_inc_subtensor"}})

		ref, err := compile.Compile(b, spec)
		if err != nil {
			t.Fatal(err)
		}
		f, err := compile.Compile(b, compile.FunctionSpec{Inputs: spec.Inputs, Updates: spec.Updates, Backend: cxxBackend(t)})
		if err != nil {
			t.Fatal(err)
		}
		c := f.Callable().(*cxx.Callable)
		if len(f.InPlace) != 1 || !f.InPlace[0] {
			t.Fatalf("the update of W is not in place (%v); kernel: %v", f.InPlace, c.Kernel.InPlace)
		}
		for _, call := range [][]*tensor.Array{good, bad} {
			old := shared[w].Clone()
			args := append(append([]*tensor.Array{}, call...), old.Clone())
			want, werr := ref.Run(append(append([]*tensor.Array{}, call...), old.Clone()))
			_, herr := callNative(c, args, resultTypes(f.Graph),
				native.CallOptions{Poison: 0x7f, FailAlloc: -1, Alias: map[int]int{0: len(call)}})
			switch {
			case werr != nil:
				if herr == nil || errorText(herr) != errorText(werr) {
					t.Errorf("in place, set %v: got error %v, want %v", set, herr, werr)
				}
				if msg := compareArrays(args[len(call)], old); msg != "" {
					t.Errorf("in place, set %v: the failed call changed W: %s", set, msg)
				}
			case herr != nil:
				t.Errorf("in place, set %v: %v", set, herr)
			default:
				if msg := compareArrays(args[len(call)], want[0]); msg != "" {
					t.Errorf("in place, set %v: W holds %v, want %v: %s", set, args[len(call)], want[0], msg)
				}
			}
		}
	}
}
