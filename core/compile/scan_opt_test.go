package compile_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"theanogo/core/compile"
	"theanogo/core/control"
	"theanogo/core/dtype"
	"theanogo/core/grad"
	"theanogo/core/graph"
	"theanogo/core/ops"
	"theanogo/core/opstest"
	"theanogo/core/tensor"
)

// scanRNN is h_t = tanh(dot(h_{t-1}, dot(W, W.T)) + x_t * (b * 2)) over
// the rows of x: dot(W, W.T) and b * 2 are the same at every step.
func scanRNN(t *testing.T, b *graph.Builder, x, h0, w, bias *graph.Variable) *graph.Variable {
	t.Helper()
	e := ops.NewExpr(b)
	xt := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "x_t")
	hp := b.Input(h0.Type, "h_tm1")
	step := e.Call("tanh", e.Add(e.Dot(hp, e.Dot(w, e.DimShuffle(w, []int{1, 0}))), e.Mul(xt, e.Mul(bias, e.Const(2, bias)))))
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	res, err := control.BuildScan(b, control.ScanSpec{
		Sequences: []control.SequenceSpec{{Outer: x, Taps: []int{0}, Inner: []*graph.Variable{xt}}},
		Outputs:   []control.OutputSpec{{Initial: h0, Taps: []int{-1}, Inner: []*graph.Variable{hp}, Step: step}},
		Truncate:  -1, Name: "rnn",
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.Outputs[0]
}

// scanNodes lists the scan nodes of the compiled graph.
func scanNodes(f *compile.Function) []*graph.Apply {
	var out []*graph.Apply
	for _, n := range f.Graph.Toposort() {
		if _, ok := n.Op.(control.Scan); ok {
			out = append(out, n)
		}
	}
	return out
}

type rnnCase struct {
	b               *graph.Builder
	x, h0, w, bias  *graph.Variable
	xv, h0v, wv, bv *tensor.Array
	inputs          []*graph.Variable
	values          []*tensor.Array
}

func newRNNCase(t *testing.T, steps int) rnnCase {
	rng := rand.New(rand.NewPCG(3, 4))
	b := graph.NewBuilder()
	c := rnnCase{b: b,
		x: b.Input(graph.NewType(dtype.Float64, graph.Unknown, graph.Unknown), "x"), h0: b.Input(graph.NewType(dtype.Float64, graph.Unknown), "h0"),
		w: b.Input(graph.NewType(dtype.Float64, graph.Unknown, graph.Unknown), "W"), bias: b.Input(graph.NewType(dtype.Float64, graph.Unknown), "b"),
		xv: opstest.Rand(rng, steps, 3), h0v: opstest.Rand(rng, 3), wv: opstest.Rand(rng, 3, 3), bv: opstest.Rand(rng, 3),
	}
	c.inputs = []*graph.Variable{c.x, c.h0, c.w, c.bias}
	c.values = []*tensor.Array{c.xv, c.h0v, c.wv, c.bv}
	return c
}

// compileBoth compiles outputs with FAST_RUN (the scan rewrites) and
// FAST_COMPILE (none), checks that they agree on values and returns the
// FAST_RUN function.
func compileBoth(t *testing.T, c rnnCase, outputs ...*graph.Variable) *compile.Function {
	t.Helper()
	fast, err := compile.Compile(c.b, compile.FunctionSpec{Inputs: c.inputs, Outputs: outputs, Mode: "FAST_RUN"})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := compile.Compile(c.b, compile.FunctionSpec{Inputs: c.inputs, Outputs: outputs, Mode: "FAST_COMPILE"})
	if err != nil {
		t.Fatal(err)
	}
	got, errGot := fast.Call(nil, c.values...)
	want, errWant := ref.Call(nil, c.values...)
	if (errGot == nil) != (errWant == nil) {
		t.Fatalf("FAST_RUN error %v, FAST_COMPILE error %v", errGot, errWant)
	}
	for i := range want {
		if d := compile.CompareValues(want[i], got[i]); d != "" {
			t.Errorf("output %d: FAST_RUN differs from FAST_COMPILE: %s", i, d)
		}
	}
	return fast
}

// invariantWork lists the step's nodes that compute from non-sequences
// and constants alone (views of them excepted: they cost no work).
func invariantWork(n *graph.Apply) []*graph.Apply {
	info := n.Op.(control.Scan).Info
	inv := map[*graph.Variable]bool{}
	for _, p := range info.Inner.Inputs[info.StepNonSeqStart():] {
		inv[p] = true
	}
	var out []*graph.Apply
	for _, m := range graph.Toposort(info.Inner.Outputs) {
		all := true
		for _, in := range m.Inputs {
			all = all && (inv[in] || in.IsConstant())
		}
		if !all {
			continue
		}
		for _, o := range m.Outputs {
			inv[o] = true
		}
		if name := m.Op.Name(); name != "dimshuffle" && name != "subtensor" {
			out = append(out, m)
		}
	}
	return out
}

// The step's dot(W, W.T) and b * 2 are computed once outside the loop:
// the step keeps the product with h, the multiplication by x_t and the
// tanh.
func TestScanHoistMovesInvariantsOut(t *testing.T) {
	c := newRNNCase(t, 5)
	h := scanRNN(t, c.b, c.x, c.h0, c.w, c.bias)
	f := compileBoth(t, c, h)
	scans := scanNodes(f)
	if len(scans) != 1 {
		t.Fatalf("%d scans in\n%s", len(scans), f.Graph)
	}
	if work := invariantWork(scans[0]); len(work) != 0 {
		t.Errorf("the step still computes %d invariant nodes (%s first)\n%s", len(work), graph.OpString(work[0].Op), scans[0].Op.(control.Scan).Info.Inner)
	}
	outer := map[string]int{}
	for _, in := range scans[0].Inputs {
		if in.Owner != nil {
			outer[in.Owner.Op.Name()]++
		}
	}
	if outer["dot"]+outer["gemm"] != 1 || outer["mul"] != 1 {
		t.Errorf("want the loop to read dot(W, W.T) and b * 2, its inputs' ops are %v\n%s", outer, f.Graph)
	}
	if info := scans[0].Op.(control.Scan).Info; info.NNonSeqs != 2 {
		t.Errorf("want W and b dropped from the loop (only the hoisted values read): %s", graph.OpString(scans[0].Op))
	}
	// FAST_COMPILE does not hoist: the step keeps both
	slow, err := compile.Compile(c.b, compile.FunctionSpec{Inputs: c.inputs, Outputs: []*graph.Variable{h}, Mode: "FAST_COMPILE"})
	if err != nil {
		t.Fatal(err)
	}
	if work := invariantWork(scanNodes(slow)[0]); len(work) != 2 {
		t.Errorf("FAST_COMPILE's step should keep dot(W, W.T) and b * 2: %d nodes", len(work))
	}
}

// A step whose every node reads the state has nothing to hoist: the loop
// is left as it is.
func TestScanHoistLeavesVaryingWork(t *testing.T) {
	b := graph.NewBuilder()
	e := ops.NewExpr(b)
	x := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "x")
	w := b.Input(graph.NewType(dtype.Float64), "w")
	xt := b.Input(graph.NewType(dtype.Float64), "x_t")
	acc := b.Input(graph.NewType(dtype.Float64), "acc")
	res, err := control.BuildScan(b, control.ScanSpec{
		Sequences: []control.SequenceSpec{{Outer: x, Taps: []int{0}, Inner: []*graph.Variable{xt}}},
		Outputs:   []control.OutputSpec{{Initial: e.Const(0, acc), Taps: []int{-1}, Inner: []*graph.Variable{acc}, Step: e.Add(e.Mul(acc, w), xt)}},
		Truncate:  -1,
	})
	if err != nil || e.Err != nil {
		t.Fatal(err, e.Err)
	}
	f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x, w}, Outputs: []*graph.Variable{res.Outputs[0]}})
	if err != nil {
		t.Fatal(err)
	}
	s := scanNodes(f)[0]
	if info := s.Op.(control.Scan).Info; info.NNonSeqs != 1 || s.Inputs[info.NonSeqStart()] != w {
		t.Errorf("the loop's non-sequences changed: %s\n%s", graph.OpString(s.Op), f.Graph)
	}
}

// keepOf is the compiled graph's only scan's Keep.
func keepOf(t *testing.T, f *compile.Function) []int {
	t.Helper()
	scans := scanNodes(f)
	if len(scans) == 0 {
		t.Fatalf("no scan in\n%s", f.Graph)
	}
	return scans[0].Op.(control.Scan).Info.Keep
}

// Outputs read only at their tail keep only those rows; the values and
// the errors stay those of the whole buffer.
func TestScanSaveMemKeepsOnlyTheTail(t *testing.T) {
	e := func(c rnnCase) *ops.Expr { return ops.NewExpr(c.b) }
	last := func(c rnnCase, h *graph.Variable, items ...ops.IndexItem) *graph.Variable {
		v, err := ops.Subtensor(c.b, h, items)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tailFrom := func(j int) ops.IndexItem {
		return ops.IndexItem{Slice: true, Entries: []ops.IndexEntry{{Kind: ops.EntryConst, Value: -j}, {}, {}}}
	}
	for _, steps := range []int{1, 2, 6} {
		c := newRNNCase(t, steps)
		h := scanRNN(t, c.b, c.x, c.h0, c.w, c.bias) // the steps: buffer[1:]
		if got := keepOf(t, compileBoth(t, c, last(c, h, ops.IndexAt(-1)))); len(got) != 1 || got[0] != 2 {
			t.Errorf("%d steps, h[-1]: keep %v, want [2] (the initial row and the last step)", steps, got)
		}
		if got := keepOf(t, compileBoth(t, c, last(c, h, tailFrom(3)), last(c, h, ops.IndexAt(-2)))); len(got) != 1 || got[0] != 4 {
			t.Errorf("%d steps, h[-3:] and h[-2]: keep %v, want [4]", steps, got)
		}
		if got := keepOf(t, compileBoth(t, c, last(c, h, ops.IndexAt(-1)), e(c).Sum(h, nil, false))); got != nil {
			t.Errorf("%d steps, h[-1] and h.sum(): keep %v, want the whole history", steps, got)
		}
		if got := keepOf(t, compileBoth(t, c, last(c, h, ops.IndexAt(0)))); got != nil {
			t.Errorf("%d steps, h[0]: keep %v, want the whole history", steps, got)
		}
		if got := keepOf(t, compileBoth(t, c, h)); got != nil {
			t.Errorf("%d steps, h itself: keep %v, want the whole history", steps, got)
		}
	}
	// more rows asked than steps ran: the same error from both
	c := newRNNCase(t, 2)
	h := scanRNN(t, c.b, c.x, c.h0, c.w, c.bias)
	f := compileBoth(t, c, last(c, h, ops.IndexAt(-3)))
	if got := keepOf(t, f); len(got) != 1 || got[0] != 4 {
		t.Errorf("h[-3]: keep %v, want [4]", got)
	}
	if _, err := f.Call(nil, c.values...); err == nil || !strings.Contains(err.Error(), "out of") {
		t.Errorf("h[-3] after 2 steps: %v, want an index error", err)
	}
}

// The gradient of a loss of the last state: the forward history is read
// by the backward loop (kept whole), the backward loop's carried
// gradients are read at their last row (kept short); the gradient agrees
// with finite differences.
func TestScanGradientThroughRewrittenScans(t *testing.T) {
	c := newRNNCase(t, 4)
	h := scanRNN(t, c.b, c.x, c.h0, c.w, c.bias)
	e := ops.NewExpr(c.b)
	v, err := ops.Subtensor(c.b, h, []ops.IndexItem{ops.IndexAt(-1)})
	if err != nil {
		t.Fatal(err)
	}
	loss := e.Sum(e.Mul(v, v), nil, false)
	gs, _, err := grad.Grad(c.b, loss, []*graph.Variable{c.w, c.bias}, grad.Options{})
	if err != nil || e.Err != nil {
		t.Fatal(err, e.Err)
	}
	f := compileBoth(t, c, append([]*graph.Variable{loss}, gs...)...)
	var kept, whole int
	for _, n := range scanNodes(f) {
		info := n.Op.(control.Scan).Info
		for o := range n.Outputs {
			if info.KeepRows(o) > 0 {
				kept++
			} else {
				whole++
			}
		}
		if work := invariantWork(n); len(work) != 0 {
			t.Errorf("%s's step still computes %d invariant nodes (%s first)", graph.OpString(n.Op), len(work), graph.OpString(work[0].Op))
		}
	}
	if kept == 0 || whole == 0 {
		t.Errorf("want some outputs kept short (the backward sums) and some whole (the forward history): %d kept, %d whole\n%s", kept, whole, f.Graph)
	}
	got, err := f.Call(nil, c.values...)
	if err != nil {
		t.Fatal(err)
	}
	lossOnly, err := compile.Compile(c.b, compile.FunctionSpec{Inputs: c.inputs, Outputs: []*graph.Variable{loss}})
	if err != nil {
		t.Fatal(err)
	}
	for k, at := range []int{2, 3} { // W, b
		base := c.values[at].Float64s()
		for i := range base {
			step := func(d float64) float64 {
				vals := append([]*tensor.Array{}, c.values...)
				p := append([]float64{}, base...)
				p[i] += d
				vals[at] = tensor.FromFloat64s(dtype.Float64, c.values[at].Shape, p)
				out, err := lossOnly.Call(nil, vals...)
				if err != nil {
					t.Fatal(err)
				}
				return out[0].Float64s()[0]
			}
			num := (step(1e-6) - step(-1e-6)) / 2e-6
			if g := got[1+k].Float64s()[i]; math.Abs(g-num) > 1e-6*(1+math.Abs(num)) {
				t.Errorf("d loss / d input %d [%d] = %g, finite differences %g", at, i, g, num)
			}
		}
	}
}

// One loop with an output read whole and one read at its last row: one
// loop runs (the new one, keeping the second output short), and DebugMode
// finds every rewrite value-preserving.
func TestScanSaveMemOneLoopForMixedOutputs(t *testing.T) {
	for _, mode := range []string{"FAST_RUN", "DebugMode"} {
		b := graph.NewBuilder()
		e := ops.NewExpr(b)
		x := b.Input(graph.NewType(dtype.Float64, graph.Unknown), "x")
		xt := b.Input(graph.NewType(dtype.Float64), "x_t")
		a := b.Input(graph.NewType(dtype.Float64), "a")
		m := b.Input(graph.NewType(dtype.Float64), "m")
		res, err := control.BuildScan(b, control.ScanSpec{
			Sequences: []control.SequenceSpec{{Outer: x, Taps: []int{0}, Inner: []*graph.Variable{xt}}},
			Outputs: []control.OutputSpec{
				{Initial: e.Const(0, a), Taps: []int{-1}, Inner: []*graph.Variable{a}, Step: e.Add(a, xt)},
				{Initial: e.Const(1, m), Taps: []int{-1}, Inner: []*graph.Variable{m}, Step: e.Mul(m, xt)},
			},
			Truncate: -1,
		})
		if err != nil || e.Err != nil {
			t.Fatal(err, e.Err)
		}
		prod := e.Index(res.Outputs[1], -1)
		f, err := compile.Compile(b, compile.FunctionSpec{Inputs: []*graph.Variable{x}, Outputs: []*graph.Variable{res.Outputs[0], prod}, Mode: mode})
		if err != nil {
			t.Fatal(err)
		}
		scans := scanNodes(f)
		if len(scans) != 1 {
			t.Fatalf("%s: %d loops run\n%s", mode, len(scans), f.Graph)
		}
		if keep := scans[0].Op.(control.Scan).Info.Keep; len(keep) != 2 || keep[0] != 0 || keep[1] != 2 {
			t.Errorf("%s: keep %v, want [0 2] (the initial row and the last step)", mode, keep)
		}
		got, err := f.Call(nil, tensor.FromFloat64s(dtype.Float64, []int{4}, []float64{1, 2, 3, 4}))
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if s, p := got[0].Float64s(), got[1].Float64s(); len(s) != 4 || s[3] != 10 || p[0] != 24 {
			t.Errorf("%s: cumsum %v, product %v", mode, s, p)
		}
	}
}
