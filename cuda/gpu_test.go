package cuda_test

import (
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"theanogo/core/dtype"
	"theanogo/core/eval"
	"theanogo/core/graph"
	"theanogo/core/kir"
	"theanogo/core/ops"
	"theanogo/core/tensor"
	"theanogo/cuda"
)

// TestGPUKernelsAgainstEvaluator runs printed kernels on a GPU and
// compares them with the Go evaluator: fused maps (broadcast input, the
// flat index), reductions that take each of the four shapes of
// cuda/reduce.go (thread, warp, block, blocks per output) in both fold policies,
// a Fortran-ordered input, and cumsum; every kernel under three launches
// (grid x block: 4x256, 1x64, 2·SMs x 1024), so grid-stride and
// block-stride loops wrap. Building the cases, the evaluator's results
// and the PTX never skip; only running does (on the device's CUBIN), when
// the machine has no CUDA driver (cuda.ErrNoDriver).
//
// Folds are compared as the fold policy allows: integer folds, max and
// min, and a Sequential float sum (the evaluator's order, in double)
// exactly; a Pairwise float sum within ops.ReduceTolerance·Σ|x|; maps
// within 4 ulps of their terms (CUDA's libdevice and
// Go's math round differently in the last bits).
//
// A GPU machine without NVRTC (its wheel is 100 MB) runs a CUBIN compiled
// elsewhere: $THEANOGO_CUDA_IMAGE_OUT=path writes this program's CUBIN
// for $THEANOGO_CUDA_ARCH (default sm_90: H100, H200) to path, with the
// source's digest in path.sha256, and $THEANOGO_CUDA_IMAGE=path runs that
// image (refused when the printed source has changed since).
func TestGPUKernelsAgainstEvaluator(t *testing.T) {
	cases := gpuCases(t)
	var p cuda.Program
	for _, c := range cases {
		if err := p.Add(c.kernel, c.entry); err != nil {
			t.Fatalf("%s: %v", c.entry, err)
		}
	}
	digest := fmt.Sprintf("%x\n", sha256.Sum256([]byte(p.Source())))
	var n *cuda.NVRTC
	var cubin []byte
	done := "compiled %d kernels to PTX"
	if image := os.Getenv("THEANOGO_CUDA_IMAGE"); image != "" {
		want, err := os.ReadFile(image + ".sha256")
		if err != nil || string(want) != digest {
			t.Fatalf("%s is not this program's image (%v): write it again with THEANOGO_CUDA_IMAGE_OUT", image, err)
		}
		if cubin, err = os.ReadFile(image); err != nil {
			t.Fatal(err)
		}
		done = "printed %d kernels, their CUBIN read from " + image
	} else {
		n = loadNVRTC(t)
		compile(t, n, &p)
	}
	if out := os.Getenv("THEANOGO_CUDA_IMAGE_OUT"); out != "" {
		arch := cmp.Or(os.Getenv("THEANOGO_CUDA_ARCH"), "sm_90")
		cubin, _, err := n.CompileCUBIN(p.Source(), "kernels.cu", cuda.Headers(), cuda.Options(arch))
		if err != nil {
			t.Fatal(err)
		}
		if err := errors.Join(os.WriteFile(out, cubin, 0o644), os.WriteFile(out+".sha256", []byte(digest), 0o644)); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote the %s CUBIN of %d kernels to %s", arch, len(cases), out)
	}
	d, err := cuda.OpenDevice()
	if errors.Is(err, cuda.ErrNoDriver) {
		t.Skipf(done+"; not run: %v", len(cases), err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if cubin == nil {
		if cubin, _, err = n.CompileCUBIN(p.Source(), "kernels.cu", cuda.Headers(), cuda.Options(d.Arch())); err != nil {
			t.Fatal(err)
		}
	}
	m, err := d.Load(cubin)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Unload()
	t.Logf("device sm_%d%d, %d SMs", d.Major, d.Minor, d.SMs)
	for _, launch := range [][2]int{{4, 256}, {1, 64}, {2 * d.SMs, 1024}} {
		for _, c := range cases {
			got, err := runOnDevice(d, m, c, p.NeedsWorkspace(c.entry), launch[0], launch[1])
			if err != nil {
				t.Fatalf("%s (grid %d x %d): %v", c.entry, launch[0], launch[1], err)
			}
			if msg := c.compare(got); msg != "" {
				t.Errorf("%s (grid %d x %d): %s\n%v", c.entry, launch[0], launch[1], msg, c.kernel)
			}
		}
	}
}

// gpuCase is a kernel, its inputs (the bytes the device reads, with the
// shape and strides it reads them by) and the evaluator's result.
type gpuCase struct {
	entry  string
	kernel *kir.Kernel
	inputs []deviceArray
	want   *tensor.Array
	// tol is the absolute tolerance of output element i (0: exact).
	tol func(i int) float64
}

// deviceArray is an operand's bytes and the view the kernel reads.
type deviceArray struct {
	data           []byte
	shape, strides []int
}

func contiguous(a *tensor.Array) deviceArray {
	return deviceArray{data: a.Bytes(), shape: a.Shape, strides: tensor.Strides(a.Shape)}
}

// fortran lays a out in Fortran order (first axis fastest): the same
// logical array through other strides.
func fortran(a *tensor.Array) deviceArray {
	es := a.DType.Size()
	src := a.Bytes()
	out := make([]byte, len(src))
	strides := make([]int, len(a.Shape))
	s := 1
	for d := range a.Shape {
		strides[d] = s
		s *= a.Shape[d]
	}
	idx := make([]int, len(a.Shape))
	for c := 0; c < a.Size(); c++ {
		f := 0
		for d := range idx {
			f += idx[d] * strides[d]
		}
		copy(out[f*es:(f+1)*es], src[c*es:(c+1)*es])
		for d := len(idx) - 1; d >= 0; d-- { // next C-order index
			if idx[d]++; idx[d] < a.Shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return deviceArray{data: out, shape: a.Shape, strides: strides}
}

// dims is a view's tg_dims parameter (rank 0 passes as one element).
func dims(shape, strides []int) cuda.Arg {
	if len(shape) == 0 {
		return cuda.Dims([]int{1}, []int{1})
	}
	return cuda.Dims(shape, strides)
}

func runOnDevice(d *cuda.Device, m *cuda.Module, c gpuCase, workspace bool, grid, block int) (*tensor.Array, error) {
	var args []cuda.Arg
	var bufs []cuda.Buffer
	defer func() {
		for _, b := range bufs {
			d.Free(b)
		}
	}()
	alloc := func(n int) (cuda.Buffer, error) {
		b, err := d.Alloc(n)
		if err == nil {
			bufs = append(bufs, b)
		}
		return b, err
	}
	for _, in := range c.inputs {
		b, err := alloc(len(in.data))
		if err != nil {
			return nil, err
		}
		if err := d.CopyIn(b, in.data); err != nil {
			return nil, err
		}
		args = append(args, cuda.Ptr(b), dims(in.shape, in.strides))
	}
	got := tensor.New(c.want.DType, c.want.Shape)
	out, err := alloc(len(got.Bytes()))
	if err != nil {
		return nil, err
	}
	if err := d.CopyIn(out, make([]byte, len(got.Bytes()))); err != nil {
		return nil, err
	}
	args = append(args, cuda.Ptr(out), dims(got.Shape, tensor.Strides(got.Shape)))
	var work cuda.Buffer
	if workspace {
		var err error
		work, err = alloc(grid * cuda.WorkspacePerBlock)
		if err != nil {
			return nil, err
		}
		if err := d.CopyIn(work, make([]byte, work.Size)); err != nil {
			return nil, err
		}
		args = append(args, cuda.Ptr(work))
	}
	if err := m.Launch(c.entry, grid, block, args...); err != nil {
		return nil, err
	}
	if workspace { // the counts are zero again (Program.NeedsWorkspace)
		back := make([]byte, work.Size)
		if err := d.CopyOut(back, work); err != nil {
			return nil, err
		}
		for i := 8 * grid; i < 12*grid; i++ {
			if back[i] != 0 {
				return nil, fmt.Errorf("the workspace's counts are not zero after the launch (byte %d)", i)
			}
		}
	}
	return got, d.CopyOut(got.Bytes(), out)
}

// compare returns "" when got matches the evaluator's result.
func (c gpuCase) compare(got *tensor.Array) string {
	if c.want.DType.IsDiscrete() {
		g, w := got.Int64s(), c.want.Int64s()
		for i := range w {
			if g[i] != w[i] {
				return fmt.Sprintf("element %d: got %d, the evaluator %d", i, g[i], w[i])
			}
		}
		return ""
	}
	g, w := got.ReadFloat64s(), c.want.ReadFloat64s()
	for i := range w {
		tol := 0.0
		if c.tol != nil {
			tol = c.tol(i)
		}
		same := g[i] == w[i] || (math.IsNaN(g[i]) && math.IsNaN(w[i]))
		if !same && !(math.Abs(g[i]-w[i]) <= tol) {
			return fmt.Sprintf("element %d: got %v, the evaluator %v (tolerance %g)", i, g[i], w[i], tol)
		}
	}
	return ""
}

// random is an array of dtype dt: floats in [-1, 1), integers in
// [-20, 20) ([0, 40) unsigned), bools.
func random(rng *rand.Rand, dt dtype.DType, shape ...int) *tensor.Array {
	size := tensor.Size(shape)
	switch {
	case dt == dtype.Bool:
		v := make([]bool, size)
		for i := range v {
			v[i] = rng.IntN(2) == 1
		}
		return tensor.FromBools(shape, v)
	case dt.IsDiscrete():
		v := make([]int64, size)
		for i := range v {
			v[i] = rng.Int64N(40)
			if dt.Kind() == dtype.KindInt {
				v[i] -= 20
			}
		}
		return tensor.FromInt64s(dt, shape, v)
	}
	v := make([]float64, size)
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return tensor.FromFloat64s(dt, shape, v)
}

// evaluate runs op on the arrays with the Go evaluator (inputs of unknown
// lengths, 1 where an array's is, so that they broadcast).
func evaluate(t *testing.T, op graph.Op, in ...*tensor.Array) *tensor.Array {
	t.Helper()
	b := graph.NewBuilder()
	values := map[*graph.Variable]*tensor.Array{}
	var vars []*graph.Variable
	for _, a := range in {
		shape := make([]int, len(a.Shape))
		for d, l := range a.Shape {
			shape[d] = graph.Unknown
			if l == 1 {
				shape[d] = 1
			}
		}
		v := b.Input(graph.NewType(a.DType, shape...), "")
		values[v] = a
		vars = append(vars, v)
	}
	out, err := b.Apply1(op, vars...)
	if err != nil {
		t.Fatal(err)
	}
	res, err := eval.Run([]*graph.Variable{out}, values)
	if err != nil {
		t.Fatal(err)
	}
	return res[0]
}

func apply(t *testing.T, name string, args ...*kir.Expr) *kir.Expr {
	t.Helper()
	e, err := kir.Apply(ops.ScalarByName(name), args...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// absSums is Σ|x| of each output position of a fold of x over axes.
func absSums(x *tensor.Array, axes []int) []float64 {
	reduced := map[int]bool{}
	for _, a := range axes {
		reduced[a] = true
	}
	var kept []int
	for d, l := range x.Shape {
		if !reduced[d] {
			kept = append(kept, l)
		}
	}
	sums := make([]float64, tensor.Size(kept))
	idx := make([]int, len(x.Shape))
	for _, v := range x.ReadFloat64s() {
		o := 0
		for d, l := range x.Shape {
			if !reduced[d] {
				o = o*l + idx[d]
			}
		}
		sums[o] += math.Abs(v)
		for d := len(idx) - 1; d >= 0; d-- {
			if idx[d]++; idx[d] < x.Shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return sums
}

func gpuCases(t *testing.T) []gpuCase {
	rng := rand.New(rand.NewPCG(12, 2026))
	var cases []gpuCase
	f64, f32, f16 := dtype.Float64, dtype.Float32, dtype.Float16

	// maps over (37, 129), input 1 broadcast from (1, 129)
	// 4 ulps of the terms' magnitude (|exp(x)·y| <= e, |tanh x| <= 1):
	// exp(x)·y + tanh(x) may cancel
	ulps := func(want *tensor.Array) func(int) float64 {
		w := want.ReadFloat64s()
		return func(i int) float64 { return 4 * ops.Epsilon(want.DType) * (math.Abs(w[i]) + 4) }
	}
	for _, dt := range []dtype.DType{f64, f32, f16} {
		x, y := random(rng, dt, 37, 129), random(rng, dt, 1, 129)
		e := apply(t, "add", apply(t, "mul", apply(t, "exp", kir.Input(0, dt)), kir.Input(1, dt)), apply(t, "tanh", kir.Input(0, dt)))
		want := evaluate(t, ops.FusedOp{Expr: e, Ndim: 2}, x, y)
		cases = append(cases, gpuCase{entry: fmt.Sprintf("tg_map_%v", dt), kernel: mapKernel("map", e, []dtype.DType{dt, dt}),
			inputs: []deviceArray{contiguous(x), contiguous(y)}, want: want, tol: ulps(want)})
	}
	{
		x := random(rng, dtype.Int32, 37, 129)
		e := apply(t, "add", apply(t, "mul", kir.Input(0, dtype.Int32), kir.Cast(kir.Index(), dtype.Int32)), kir.Constant(kir.IntConst(dtype.Int32, 7)))
		cases = append(cases, gpuCase{entry: "tg_map_index", kernel: mapKernel("map_index", e, []dtype.DType{dtype.Int32}),
			inputs: []deviceArray{contiguous(x)}, want: evaluate(t, ops.FusedOp{Expr: e, Ndim: 2}, x)})
	}

	// reductions: with 4 blocks of 256 threads (1,024 threads, 32 warps),
	// the shapes take a thread (many outputs, or short folds), a warp, a
	// block per output, and 4 blocks for the one output of "all"
	// (cuda/reduce.go's rule); with 2·SMs blocks "block" is split too, and
	// with 1 block of 64 threads nothing is.
	shapes := []struct {
		name  string
		shape []int
		axes  []int
	}{
		{"thread", []int{64, 8, 33}, []int{1}},
		{"warp", []int{8, 700, 5}, []int{1}},
		{"block", []int{2, 30000, 3}, []int{1}},
		{"all", []int{50, 200, 100}, []int{0, 1, 2}},
		{"outer", []int{300, 40, 7}, []int{0, 2}},
	}
	for _, s := range shapes {
		for _, r := range []struct {
			kind string
			dt   dtype.DType
			fold kir.FoldPolicy
			expr bool // fold exp(x) * y rather than x
		}{
			{"sum", f64, kir.Pairwise, false}, {"sum", f64, kir.Sequential, false}, {"sum", f32, kir.Pairwise, false},
			{"sum", f64, kir.Pairwise, true}, {"sum", dtype.Int32, kir.Pairwise, false}, {"max", f32, kir.Pairwise, false},
			{"min", f16, kir.Pairwise, false}, {"prod", dtype.Int64, kir.Pairwise, false}, {"max", dtype.Uint8, kir.Pairwise, false},
			{"mean", f32, kir.Pairwise, false},
		} {
			kind := reductionKind(t, r.kind)
			x := random(rng, r.dt, s.shape...)
			in := []*tensor.Array{x}
			e := kir.Input(0, r.dt)
			if r.expr {
				in = append(in, random(rng, r.dt, s.shape...))
				e = apply(t, "mul", apply(t, "exp", e), kir.Input(1, r.dt))
			}
			dts := make([]dtype.DType, len(in))
			for i, a := range in {
				dts[i] = a.DType
			}
			var op graph.Op = ops.Reduce{Kind: kind, Axes: graph.NewAxisSet(s.axes...)}
			mapped := x
			if r.expr {
				op = ops.FusedReduceOp{Expr: e, Ndim: 3, Kind: r.kind, Axes: graph.NewAxisSet(s.axes...)}
				mapped = evaluate(t, ops.FusedOp{Expr: e, Ndim: 3}, in...)
			}
			want := evaluate(t, op, in...)
			c := gpuCase{entry: fmt.Sprintf("tg_%s_%s_%v_%d_%t", s.name, r.kind, r.dt, r.fold, r.expr),
				kernel: reduceKernel(t, r.kind, kind, e, dts, s.axes, r.fold), want: want}
			for i, a := range in {
				if i == 0 && s.name == "outer" {
					c.inputs = append(c.inputs, fortran(a)) // strided reads
				} else {
					c.inputs = append(c.inputs, contiguous(a))
				}
			}
			if (r.kind == "sum" || r.kind == "mean") && want.DType.IsFloat() && r.fold == kir.Pairwise {
				sums := absSums(mapped, s.axes)
				count := x.Size() / max(want.Size(), 1)
				rel := ops.ReduceTolerance(want.DType, count)
				if r.kind == "mean" {
					rel /= float64(count)
				}
				c.tol = func(i int) float64 { return rel * sums[i] }
			}
			cases = append(cases, c)
		}
	}

	// cumsum, lowered by its op
	for _, dt := range []dtype.DType{f64, dtype.Int8} {
		b := graph.NewBuilder()
		xv := b.Input(graph.NewType(dt, -1, -1), "x")
		axis := 1
		v, err := ops.CumSum(b, xv, &axis)
		if err != nil {
			t.Fatal(err)
		}
		k, err := v.Owner.Op.(kir.Lowerable).Lower(v.Owner)
		if err != nil {
			t.Fatal(err)
		}
		x := random(rng, dt, 33, 517)
		res, err := eval.Run([]*graph.Variable{v}, map[*graph.Variable]*tensor.Array{xv: x})
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, gpuCase{entry: fmt.Sprintf("tg_cumsum_%v", dt), kernel: k, inputs: []deviceArray{contiguous(x)}, want: res[0]})
	}
	return cases
}
