package cuda_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/ops"
	"theanogo/cuda"
)

// The printed CUDA compiles to PTX with NVRTC (from the nvidia-cuda-nvrtc-cu12
// wheel that make install puts in .venv): every scalar-table row in float32
// and float64, sum and max reductions, cumsum and cumprod lowered from their
// op, and random fused elementwise expressions. No GPU runs anything here.
// A missing NVRTC fails the test: `make install` brings it.

// arch is the virtual architecture the PTX targets (Turing and later).
const arch = "compute_75"

func loadNVRTC(t *testing.T) *cuda.NVRTC {
	t.Helper()
	path := cuda.FindNVRTC()
	if path == "" {
		t.Fatalf("no NVRTC library: run make install (requirements-dev.txt brings nvidia-cuda-nvrtc-cu12), or set %s", cuda.NVRTCEnv)
	}
	n, err := cuda.LoadNVRTC(path)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// compile compiles the program and checks that the PTX defines every entry.
func compile(t *testing.T, n *cuda.NVRTC, p *cuda.Program) {
	t.Helper()
	ptx, _, err := n.CompilePTX(p.Source(), "kernels.cu", cuda.Headers(), cuda.Options(arch))
	if err != nil {
		t.Fatalf("%v\nsource:\n%s", err, numbered(p.Source()))
	}
	for _, e := range p.Entries() {
		if !strings.Contains(ptx, ".entry "+e+"(") {
			t.Errorf("the PTX has no entry %s", e)
		}
	}
}

func numbered(src string) string {
	lines := strings.Split(src, "\n")
	for i := range lines {
		lines[i] = fmt.Sprintf("%4d  %s", i+1, lines[i])
	}
	return strings.Join(lines, "\n")
}

// mapKernel is the map out0 = e over matrices of the given dtypes, as
// the C++ generator gets it: the kernel of a fused node (ops.FusedOp's
// Lower), named name. A fused node has the inputs its expression reads.
func mapKernel(name string, e *kir.Expr, in []dtype.DType) *kir.Kernel {
	b := graph.NewBuilder()
	inputs := make([]*graph.Variable, e.NumInputs())
	for i, dt := range in[:len(inputs)] {
		inputs[i] = b.Input(graph.NewType(dt, -1, -1), fmt.Sprintf("x%d", i))
	}
	v, err := b.Apply1(ops.FusedOp{Expr: e, Ndim: 2}, inputs...)
	if err != nil {
		panic(err)
	}
	k, err := v.Owner.Op.(kir.Lowerable).Lower(v.Owner)
	if err != nil {
		panic(err)
	}
	k.Name = name
	return k
}

func TestNVRTCScalarRows(t *testing.T) {
	n := loadNVRTC(t)
	if major, _ := n.Version(); major < 12 {
		t.Errorf("NVRTC version %d, want 12 or later", major)
	}
	var p cuda.Program
	count := 0
	for _, dt := range []dtype.DType{dtype.Float32, dtype.Float64} {
		for _, row := range ops.ScalarOps() {
			args := make([]*kir.Expr, row.Arity)
			dts := make([]dtype.DType, row.Arity)
			for i := range args {
				dts[i] = dt
				if row.Name == "switch" && i == 0 {
					dts[i] = dtype.Bool
				}
				args[i] = kir.Input(i, dts[i])
			}
			e, err := kir.Apply(row, args...)
			if err != nil {
				continue // the row does not take floats (bitwise rows)
			}
			if err := p.Add(mapKernel(row.Name, e, dts), fmt.Sprintf("tg_%s_%v", row.Name, dt)); err != nil {
				t.Fatal(err)
			}
			count++
		}
	}
	if count < 60 {
		t.Fatalf("only %d row kernels printed", count)
	}
	compile(t, n, &p)
}

// reductionKind is the row of ops' reduction table called name.
func reductionKind(t *testing.T, name string) *ops.Reduction {
	t.Helper()
	for _, k := range ops.Reductions() {
		if k.Name == name {
			return k
		}
	}
	t.Fatalf("no reduction %s", name)
	return nil
}

// reduceKernel is the kernel of a reduction node, as the C++ generator
// gets it: ops.Reduce of an input when e is one (Input(0)), else the
// fusion pass's composite_reduce of e (ops.FusedReduceOp), over rank-3
// inputs of dtypes in, lowered by the op; fold overrides the policy the
// lowering chose (pairwise only for float sums), so that the printer's
// parallel shapes meet every reduction and dtype.
func reduceKernel(t *testing.T, name string, kind *ops.Reduction, e *kir.Expr, in []dtype.DType, axes []int, fold kir.FoldPolicy) *kir.Kernel {
	t.Helper()
	b := graph.NewBuilder()
	var op graph.Op = ops.Reduce{Kind: kind, Axes: graph.NewAxisSet(axes...)}
	if e != kir.Input(0, e.DType()) {
		op = ops.FusedReduceOp{Expr: e, Ndim: 3, Kind: kind.Name, Axes: graph.NewAxisSet(axes...)}
	}
	inputs := make([]*graph.Variable, max(e.NumInputs(), 1)) // a fused node has the inputs its expression reads
	for i := range inputs {
		inputs[i] = b.Input(graph.NewType(in[i], -1, -1, -1), fmt.Sprintf("x%d", i))
	}
	v, err := b.Apply1(op, inputs...)
	if err != nil {
		t.Fatal(err)
	}
	k, err := v.Owner.Op.(kir.Lowerable).Lower(v.Owner)
	if err != nil {
		t.Fatal(err)
	}
	k.Name = name
	k.Body.(*kir.Reduce).Fold = fold
	return k
}

// The reductions of the table (mean too: divided at the end) over six
// dtypes and three axis sets, in both fold policies, and cumsum/cumprod.
func TestNVRTCReductionsAndScans(t *testing.T) {
	n := loadNVRTC(t)
	var p cuda.Program
	for _, dt := range []dtype.DType{dtype.Float32, dtype.Float64, dtype.Int32, dtype.Float16, dtype.Bool, dtype.Uint8} {
		for _, r := range []string{"sum", "max", "prod", "min", "mean"} {
			kind := reductionKind(t, r)
			for a, axes := range [][]int{{1}, {0, 1, 2}, {0}} {
				for _, fold := range []kir.FoldPolicy{kir.Sequential, kir.Pairwise} {
					if fold == kir.Sequential && a > 0 {
						continue // one loop nest whatever the axes: {1} shows it
					}
					k := reduceKernel(t, r, kind, kir.Input(0, dt), []dtype.DType{dt}, axes, fold)
					if err := p.Add(k, fmt.Sprintf("tg_%s_%v_%d_%d", r, dt, a, fold)); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
	// cumsum and cumprod, lowered by their op (the kernel C++ prints too)
	b := graph.NewBuilder()
	for _, dt := range []dtype.DType{dtype.Float32, dtype.Float64, dtype.Int8, dtype.Float16} {
		x := b.Input(graph.NewType(dt, -1, -1), "x")
		for _, f := range []func(*graph.Builder, *graph.Variable, *int) (*graph.Variable, error){ops.CumSum, ops.CumProd} {
			axis := 1
			v, err := f(b, x, &axis)
			if err != nil {
				t.Fatal(err)
			}
			k, err := v.Owner.Op.(kir.Lowerable).Lower(v.Owner)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Add(k, fmt.Sprintf("tg_%s_%v", v.Owner.Op.Name(), dt)); err != nil {
				t.Fatal(err)
			}
		}
	}
	compile(t, n, &p)
}

// randomExpr builds a random fused elementwise expression over nin inputs
// of the given dtypes: rows of the scalar table, constants, casts and the
// flat index, with values reused (a DAG, not a tree), as fusion builds.
func randomExpr(rng *rand.Rand, in []dtype.DType, size int) *kir.Expr {
	var pool []*kir.Expr
	for i, dt := range in {
		pool = append(pool, kir.Input(i, dt))
	}
	pool = append(pool, kir.Constant(kir.FloatConst(dtype.Float32, 0.5)), kir.Constant(kir.IntConst(dtype.Int8, 3)))
	rows := ops.ScalarOps()
	for len(pool) < size+len(in)+2 {
		switch rng.IntN(8) {
		case 0:
			pool = append(pool, kir.Cast(pool[rng.IntN(len(pool))], []dtype.DType{dtype.Float32, dtype.Float64, dtype.Int64, dtype.Bool}[rng.IntN(4)]))
		case 1:
			if rng.IntN(4) == 0 {
				pool = append(pool, kir.Index())
			}
		default:
			row := rows[rng.IntN(len(rows))]
			args := make([]*kir.Expr, row.Arity)
			for i := range args {
				args[i] = pool[len(pool)-1-rng.IntN(min(len(pool), 4))] // recent values: deep chains
			}
			if e, err := kir.Apply(row, args...); err == nil && !row.ChecksIntegers(dtypesOf(args)) && !e.DType().IsComplex() {
				pool = append(pool, e)
			}
		}
	}
	return pool[len(pool)-1]
}

func dtypesOf(es []*kir.Expr) []dtype.DType {
	out := make([]dtype.DType, len(es))
	for i, e := range es {
		out[i] = e.DType()
	}
	return out
}

func TestNVRTCRandomFusedExpressions(t *testing.T) {
	n := loadNVRTC(t)
	rng := rand.New(rand.NewPCG(2026, 12))
	var p cuda.Program
	choices := []dtype.DType{dtype.Float32, dtype.Float64, dtype.Int32, dtype.Int64, dtype.Bool, dtype.Uint8, dtype.Float16}
	for i := 0; len(p.Entries()) < 40; i++ {
		in := make([]dtype.DType, 1+rng.IntN(3))
		for j := range in {
			in[j] = choices[rng.IntN(len(choices))]
		}
		e := randomExpr(rng, in, 4+rng.IntN(20))
		if e.Op() != kir.OpApply && e.Op() != kir.OpCast {
			continue // a leaf (the flat index last drawn) computes nothing: no fused node
		}
		if err := p.Add(mapKernel(fmt.Sprintf("fused%d", i), e, in), fmt.Sprintf("tg_fused_%d", i)); err != nil {
			t.Fatalf("fused %d (%v): %v", i, e, err)
		}
	}
	compile(t, n, &p)
}

// The fuzzer's reductions of fused maps (composite_reduce): random
// expressions folded by sum, prod, max and min over random axes, in both
// fold policies, so the parallel shapes print any step the fusion pass
// can build.
func TestNVRTCRandomFusedReductions(t *testing.T) {
	n := loadNVRTC(t)
	rng := rand.New(rand.NewPCG(2026, 13))
	var p cuda.Program
	choices := []dtype.DType{dtype.Float32, dtype.Float64, dtype.Int32, dtype.Int64, dtype.Bool, dtype.Uint8, dtype.Float16}
	kinds := []string{"sum", "prod", "max", "min"}
	axesChoices := [][]int{{0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1, 2}}
	for i := 0; len(p.Entries()) < 40; i++ {
		in := make([]dtype.DType, 1+rng.IntN(3))
		for j := range in {
			in[j] = choices[rng.IntN(len(choices))]
		}
		e := randomExpr(rng, in, 2+rng.IntN(12))
		if readsIndex(e) || e.NumInputs() == 0 {
			continue // the flat index is a map's; a constant is folded, not reduced
		}
		kind := reductionKind(t, kinds[rng.IntN(len(kinds))])
		k := reduceKernel(t, fmt.Sprintf("fused_reduce%d", i), kind, e, in, axesChoices[rng.IntN(len(axesChoices))], kir.FoldPolicy(i%2))
		if err := p.Add(k, fmt.Sprintf("tg_fused_reduce_%d", i)); err != nil {
			t.Fatalf("fused reduce %d (%v): %v", i, k, err)
		}
	}
	compile(t, n, &p)
}

func readsIndex(e *kir.Expr) bool {
	for _, n := range e.Schedule() {
		if n.Op() == kir.OpIndex {
			return true
		}
	}
	return false
}

// A Pairwise fold prints the four shapes and the run-time rule; a
// Sequential one, or a step that is not row(acc, element), prints a
// thread per output only.
func TestPrinterReductionShapes(t *testing.T) {
	kind := reductionKind(t, "sum")
	source := func(k *kir.Kernel) string {
		var p cuda.Program
		if err := p.Add(k, "tg_k"); err != nil {
			t.Fatal(err)
		}
		return p.Source()
	}
	x := kir.Input(0, dtype.Float64)
	parallel := source(reduceKernel(t, "sum", kind, x, []dtype.DType{dtype.Float64}, []int{1}, kir.Pairwise))
	for _, want := range []string{"if (count < 32 || outputs >= threads) {", "} else if (outputs >= threads / 32 || count <= 32 * 32) {",
		"} else if (2 * outputs <= gridDim.x && count >= 2LL * blockDim.x) {", "last = atomicAdd(&done[f], 1u) == per - 1;",
		"tg_shfl_down(acc, d)", "__shared__ double partial[32];", "__syncthreads();", "for (long long r = threadIdx.x; r < count; r += blockDim.x) {",
		"unsigned char *__restrict__ tg_work)"} {
		if !strings.Contains(parallel, want) {
			t.Errorf("a pairwise sum lacks %q:\n%s", want, parallel)
		}
	}
	sequential := source(reduceKernel(t, "sum", kind, x, []dtype.DType{dtype.Float64}, []int{1}, kir.Sequential))
	var p cuda.Program
	if p.Add(reduceKernel(t, "sum", kind, x, []dtype.DType{dtype.Float64}, []int{1}, kir.Pairwise), "tg_p") != nil ||
		p.Add(reduceKernel(t, "sum", kind, x, []dtype.DType{dtype.Float64}, []int{1}, kir.Sequential), "tg_s") != nil ||
		!p.NeedsWorkspace("tg_p") || p.NeedsWorkspace("tg_s") {
		t.Errorf("only the pairwise fold takes a workspace")
	}
	// acc = acc * 2 + x: the element is not separate from the accumulator
	two := kir.Constant(kir.FloatConst(dtype.Float64, 2))
	mul, _ := kir.Apply(ops.ScalarByName("mul"), kir.Input(0, dtype.Float64), two)
	step, _ := kir.Apply(ops.ScalarByName("add"), mul, kir.Input(1, dtype.Float64))
	k := reduceKernel(t, "sum", kind, x, []dtype.DType{dtype.Float64}, []int{1}, kir.Pairwise)
	k.Body.(*kir.Reduce).Step = step
	horner := source(k)
	for name, src := range map[string]string{"sequential": sequential, "acc*2+x": horner} {
		if strings.Contains(src, "tg_shfl_down(acc") || strings.Contains(src, "__syncthreads") || strings.Contains(src, "tg_work") ||
			!strings.Contains(src, "for (long long r = 0; r < count; r += 1) {") {
			t.Errorf("%s fold is not a thread per output:\n%s", name, src)
		}
	}
}

// CompileCUBIN gives machine code for a real architecture: an ELF image
// with the kernel's symbol (what the GPU test loads on the device).
func TestNVRTCCubin(t *testing.T) {
	n := loadNVRTC(t)
	var p cuda.Program
	x := kir.Input(0, dtype.Float64)
	if err := p.Add(reduceKernel(t, "sum", reductionKind(t, "sum"), x, []dtype.DType{dtype.Float64}, []int{1}, kir.Pairwise), "tg_sum"); err != nil {
		t.Fatal(err)
	}
	cubin, _, err := n.CompileCUBIN(p.Source(), "kernels.cu", cuda.Headers(), cuda.Options("sm_90"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(cubin), "\x7fELF") || !strings.Contains(string(cubin), "tg_sum") {
		t.Errorf("not an ELF image with tg_sum: %q...", cubin[:min(len(cubin), 16)])
	}
}

// A program NVRTC rejects returns its log, naming the line.
func TestNVRTCErrorLog(t *testing.T) {
	n := loadNVRTC(t)
	_, log, err := n.CompilePTX("extern \"C\" __global__ void k() { undefined_thing(); }", "bad.cu", nil, cuda.Options(arch))
	if err == nil || !strings.Contains(log, "undefined_thing") || !strings.Contains(err.Error(), "bad.cu") {
		t.Errorf("error %v, log %q", err, log)
	}
}

// Complex kernels and a second kernel of the same name are refused,
// naming the kernel.
func TestPrinterRefuses(t *testing.T) {
	var p cuda.Program
	neg := func(dt dtype.DType) *kir.Expr {
		e, err := kir.Apply(ops.ScalarByName("neg"), kir.Input(0, dt))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	if err := p.Add(mapKernel("neg", neg(dtype.Float64), []dtype.DType{dtype.Float64}), "tg_neg"); err != nil {
		t.Fatal(err)
	}
	if err := p.Add(mapKernel("neg", neg(dtype.Float64), []dtype.DType{dtype.Float64}), "tg_neg"); err == nil || !strings.Contains(err.Error(), "tg_neg") {
		t.Errorf("a second tg_neg: %v", err)
	}
	err := p.Add(mapKernel("neg", neg(dtype.Complex128), []dtype.DType{dtype.Complex128}), "tg_cneg")
	if err == nil || !strings.Contains(err.Error(), "complex") || !strings.Contains(err.Error(), "neg") {
		t.Errorf("complex kernel: %v", err)
	}
}
