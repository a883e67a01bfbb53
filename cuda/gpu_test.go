package cuda_test

import (
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"os"
	"testing"

	"theanogo/core/kir"
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
