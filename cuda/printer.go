// Package cuda renders kernel IR (core/kir) as CUDA C, compiles it to PTX
// or a CUBIN with NVRTC (nvrtc.go), and runs it through the CUDA driver API
// (driver.go); both libraries are opened with dlopen at run time, so no
// CUDA toolkit and no GPU are needed to build, to print or to compile.
//
// The printer is the CUDA twin of the C++ generator: the element
// expressions are kir.Render with cudaTarget (the same statements as on
// the CPU, the same scalar header codegen/runtime/tg_scalar.h compiled by
// NVRTC), and the loops are CUDA's: a grid-stride loop over the points of
// a map and over the lines of a scan; a reduction folds a thread, a warp
// or a block per output, as its fold policy and the sizes decide when it
// runs (reduce.go has the rule).
//
// Tests. go test ./cuda/ compiles every printed kernel to PTX (the NVRTC
// of make install's .venv, or $THEANOGO_NVRTC) and never skips that. On a
// machine with a GPU, one command runs the printed kernels on it and
// compares them with the Go evaluator:
//
//	go test ./cuda/ -run GPU -v
//
// (libcuda.so.1 from the loader's path, or $THEANOGO_LIBCUDA); it skips
// only when there is no CUDA driver or the driver sees no device. A GPU
// machine without NVRTC (the wheel is 100 MB, more than a device run
// carries) runs a CUBIN compiled here, in the repository (so that the
// file travels with the working tree):
//
//	THEANOGO_CUDA_IMAGE_OUT=cuda/testdata/gpu.cubin go test -count=1 ./cuda/ -run GPU   # here
//	THEANOGO_CUDA_IMAGE=cuda/testdata/gpu.cubin go test -count=1 ./cuda/ -run GPU -v    # on the GPU
//
// (sm_90, an H100's or H200's; $THEANOGO_CUDA_ARCH names another).
package cuda

import (
	"fmt"
	"strings"

	"theanogo/core/kir"
)

// MaxBlock is the most threads a block of a printed kernel may have.
const MaxBlock = 1024

// Program collects printed kernels into one CUDA translation unit, so
// that NVRTC compiles many kernels at once:
//
//	var p cuda.Program
//	err := p.Add(k, "tg_exp_mul")
//	ptx, log, err := nvrtc.CompilePTX(p.Source(), "kernels.cu", cuda.Headers(), cuda.Options("compute_75"))
type Program struct {
	functions []string
	entries   []string
	ranks     map[int]bool
	workspace map[string]bool
}

// Add prints k as the __global__ function entry. Each operand is passed as
// its data pointer and its shape and strides (in elements) by value:
//
//	extern "C" __global__ void __launch_bounds__(1024) tg_exp_mul(
//	    const double *__restrict__ in0, const tg_dims2 in0_v,
//	    double *__restrict__ out0, const tg_dims2 out0_v)
//
// A launch may use any grid (every loop strides over the whole work) and
// blocks of any multiple of 32 threads up to MaxBlock (a parallel fold's
// warps shuffle whole; __launch_bounds__ keeps the registers of a block
// of MaxBlock within an SM's, so no block size fails to launch).
func (p *Program) Add(k *kir.Kernel, entry string) error {
	if err := k.Check(); err != nil {
		return err
	}
	for _, e := range p.entries {
		if e == entry {
			return fmt.Errorf("cuda: kernel %s: the program already has a kernel named %s", k.Name, entry)
		}
	}
	for i := 0; i < len(k.Inputs)+len(k.Outputs); i++ {
		if dt := k.Operand(i).DType; dt.IsComplex() {
			return fmt.Errorf("cuda: kernel %s: %s is %v: complex dtypes are not printed for CUDA", k.Name, k.OperandName(i), dt)
		}
	}
	w := &writer{k: k}
	var err error
	switch b := k.Body.(type) {
	case *kir.Map:
		err = w.printMap(b)
	case *kir.Reduce:
		err = w.printReduce(b)
	case *kir.Scan:
		err = w.printScan(b)
	default:
		err = fmt.Errorf("cuda: kernel %s: a %T body is not printed for CUDA", k.Name, k.Body)
	}
	if err != nil {
		return err
	}
	if p.ranks == nil {
		p.ranks = map[int]bool{}
	}
	var params []string
	for i := 0; i < len(k.Inputs)+len(k.Outputs); i++ {
		o := k.Operand(i)
		r := max(o.Rank, 1)
		p.ranks[r] = true
		cnst := ""
		if i < len(k.Inputs) {
			cnst = "const "
		}
		name := k.OperandName(i)
		params = append(params, fmt.Sprintf("%s%s *__restrict__ %s, const tg_dims%d %s_v", cnst, cudaTarget{}.Storage(o.DType), name, r, name))
	}
	if w.workspace {
		params = append(params, "unsigned char *__restrict__ tg_work")
		if p.workspace == nil {
			p.workspace = map[string]bool{}
		}
		p.workspace[entry] = true
	}
	var sb strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(k.String()), "\n") {
		sb.WriteString("// " + line + "\n")
	}
	fmt.Fprintf(&sb, "extern \"C\" __global__ void __launch_bounds__(%d) %s(%s) {\n", MaxBlock, entry, strings.Join(params, ", "))
	for _, line := range w.lines {
		sb.WriteString(line + "\n")
	}
	sb.WriteString("}\n")
	p.functions = append(p.functions, sb.String())
	p.entries = append(p.entries, entry)
	return nil
}

// WorkspacePerBlock is the bytes of workspace a kernel that NeedsWorkspace
// takes per block of its grid.
const WorkspacePerBlock = 16

// NeedsWorkspace says whether entry takes a last parameter tg_work: device
// memory of WorkspacePerBlock·gridDim.x bytes, zeroed before its first
// launch (every launch leaves it zeroed again, so it may be reused by any
// launch of that grid or a smaller one, one launch at a time). Pairwise
// reductions whose step is row(acc, element) take one (reduce.go's split
// shape).
func (p *Program) NeedsWorkspace(entry string) bool { return p.workspace[entry] }

// Entries are the names of the kernels added, in order.
func (p *Program) Entries() []string { return p.entries }

// Source is the translation unit: the scalar header, the shape-and-strides
// structs of the ranks used, and every kernel.
func (p *Program) Source() string {
	var sb strings.Builder
	sb.WriteString("// theanogo CUDA kernels, printed from the kernel IR (cuda/printer.go)\n")
	sb.WriteString("#include \"tg_scalar.h\"\n#include \"tg_cuda.h\"\n\n")
	for r := 1; r <= 64; r++ {
		if p.ranks[r] {
			fmt.Fprintf(&sb, "struct tg_dims%d { long long shape[%d]; long long strides[%d]; };\n", r, r, r)
		}
	}
	for _, f := range p.functions {
		sb.WriteString("\n" + f)
	}
	return sb.String()
}

// writer prints one kernel's body.
type writer struct {
	k         *kir.Kernel
	lines     []string
	depth     int
	workspace bool // the kernel takes tg_work
}

func (w *writer) line(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if strings.HasPrefix(s, "}") {
		w.depth--
	}
	w.lines = append(w.lines, strings.Repeat("    ", w.depth+1)+s)
	if strings.HasSuffix(s, "{") {
		w.depth++
	}
}

// extent is the C expression of the space's axis d.
func (w *writer) extent(d int) string {
	e := w.k.Extents[d]
	return fmt.Sprintf("%s_v.shape[%d]", w.k.OperandName(e.Operand), e.Axis)
}

// stride is operand i's stride along axis d of the space, 0 where the
// operand broadcasts (length 1 against a longer axis).
func (w *writer) stride(i, d int) string {
	n := w.k.OperandName(i)
	return fmt.Sprintf("(%s_v.shape[%d] == 1 ? 0 : %s_v.strides[%d])", n, d, n, d)
}

// gridLoop opens the grid-stride loop of variable v over [0, total).
func (w *writer) gridLoop(v, total string) {
	w.line("const long long total = %s;", total)
	w.line("for (long long %s = blockIdx.x * (long long)blockDim.x + threadIdx.x; %s < total; %s += (long long)gridDim.x * blockDim.x) {", v, v, v)
}

// product is the C product of the extents of axes (1 when none).
func (w *writer) product(axes []int) string {
	terms := []string{"1LL"}
	for _, d := range axes {
		terms = append(terms, w.extent(d))
	}
	return strings.Join(terms, " * ")
}

// unravel splits the position in v over axes (C order, last fastest) and
// adds, for each operand in ops, its offset along them to <offset><operand>
// (o0, o1: the element's offsets; p0: a reduced position's).
func (w *writer) unravel(v, offset string, axes []int, ops []int, stride func(i, d int) string) {
	if len(axes) == 0 {
		return
	}
	w.line("long long rest_%s = %s;", v, v)
	for j := len(axes) - 1; j >= 0; j-- {
		d := axes[j]
		w.line("const long long %s%d = rest_%s %% %s;", v, d, v, w.extent(d))
		w.line("rest_%s /= %s;", v, w.extent(d))
		for _, i := range ops {
			if s := stride(i, d); s != "" {
				w.line("%s%d += %s%d * %s;", offset, i, v, d, s)
			}
		}
	}
}

// render writes the statements of e; input(i) names the stored value of
// the expression's input i.
func (w *writer) render(e *kir.Expr, input func(int) string, index bool) (string, error) {
	t := cudaTarget{index: index}
	r, err := kir.Render(t, e, input)
	if err != nil {
		return "", fmt.Errorf("cuda: kernel %s: %v", w.k.Name, err)
	}
	for _, s := range r.Body {
		w.line("%s", s)
	}
	return r.Result, nil
}

func (w *writer) all() []int {
	axes := make([]int, w.k.Rank())
	for d := range axes {
		axes[d] = d
	}
	return axes
}

func (w *writer) operands() []int {
	ops := make([]int, len(w.k.Inputs)+len(w.k.Outputs))
	for i := range ops {
		ops[i] = i
	}
	return ops
}

// printMap: a thread per point, grid-stride; the flat index is the point's
// C-order position (kir.Index).
//
//	for (long long f = ...; f < total; f += ...) {
//	    long long o0 = 0, o1 = 0;  ... unravel f ...
//	    const double t0 = ...;
//	    out0[o1] = t0;
//	}
func (w *writer) printMap(b *kir.Map) error {
	nin := len(w.k.Inputs)
	w.gridLoop("f", w.product(w.all()))
	w.declareOffsets(w.operands())
	w.unravel("f", "o", w.all(), w.operands(), w.stride)
	for j, e := range b.Outputs {
		res, err := w.render(e, func(i int) string { return fmt.Sprintf("in%d[o%d]", i, i) }, true)
		if err != nil {
			return err
		}
		w.line("out%d[o%d] = %s;", j, nin+j, res)
	}
	w.line("}")
	return nil
}

func (w *writer) declareOffsets(ops []int) {
	decl := make([]string, len(ops))
	for j, i := range ops {
		decl[j] = fmt.Sprintf("o%d = 0", i)
	}
	w.line("long long %s;", strings.Join(decl, ", "))
}

func (w *writer) declareOffsetsAt(prefix string, ops []int) {
	if len(ops) == 0 {
		return
	}
	decl := make([]string, len(ops))
	for j, i := range ops {
		decl[j] = fmt.Sprintf("%s%d = 0", prefix, i)
	}
	w.line("long long %s;", strings.Join(decl, ", "))
}

// printScan: a thread per line along the axis carries the accumulator.
func (w *writer) printScan(b *kir.Scan) error {
	nin := len(w.k.Inputs)
	var others []int
	for d := 0; d < w.k.Rank(); d++ {
		if d != b.Axis {
			others = append(others, d)
		}
	}
	w.gridLoop("f", w.product(others))
	w.declareOffsets(w.operands())
	w.unravel("f", "o", others, w.operands(), w.stride)
	st := cudaTarget{}.Storage(w.k.Outputs[0].DType)
	w.line("%s acc = %s;", st, cudaTarget{}.Literal(b.Identity))
	w.line("const long long n = %s;", w.extent(b.Axis))
	w.line("for (long long s = 0; s < n; s++) {")
	if b.Reverse {
		w.line("const long long k = n - 1 - s;")
	} else {
		w.line("const long long k = s;")
	}
	res, err := w.render(b.Step, func(i int) string {
		if i == 0 {
			return "acc"
		}
		return fmt.Sprintf("in%d[o%d + k * %s]", i-1, i-1, w.stride(i-1, b.Axis))
	}, false)
	if err != nil {
		return err
	}
	w.line("acc = %s;", res)
	w.line("out0[o%d + k * %s] = acc;", nin, w.stride(nin, b.Axis))
	w.line("}")
	w.line("}")
	return nil
}
