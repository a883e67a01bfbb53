package cuda

import (
	"fmt"

	"theanogo/core/dtype"
	"theanogo/core/kir"
)

// A reduction (kir.Reduce) prints in up to four shapes, and the kernel
// picks one when it runs, from the sizes: outputs (the product of the kept
// extents), count (the elements folded into each output) and the grid's
// threads T = gridDim.x·blockDim.x, which every thread sees alike, so the
// choice is uniform and every thread of a block reaches its barriers.
//
//   - thread per output: a grid-stride loop over the outputs; each thread
//     folds its output's count elements in C order of the reduced axes
//     (the evaluator's order, bit for bit);
//   - warp per output: a grid-stride loop over the outputs, one per warp;
//     lane l folds elements l, l+32, l+64, ... and the 32 partial folds
//     combine in a tree by warp shuffles (tg_shfl_down, tg_cuda.h);
//   - block per output: a grid-stride loop over the outputs, one per
//     block; thread t folds elements t, t+blockDim.x, ... (a block-stride
//     loop, so any count fits), each warp combines by shuffles, the warps'
//     partial folds meet in shared memory and the first warp combines them;
//   - blocks per output (split): each output's elements are spread over
//     per = min(gridDim.x / outputs, count / blockDim.x) blocks, a
//     grid-stride loop (block b folds part b % per of output b / per:
//     elements part·blockDim.x + t, stepping per·blockDim.x), each block
//     combines as above and writes its partial fold to the workspace
//     (tg_work); the block that finishes last for an output (an atomic
//     count per output, after __threadfence) combines the per partial
//     folds and writes the output, and sets the count back to zero.
//
// The rule. A Sequential fold always takes a thread per output: only that
// order is the evaluator's. A Pairwise fold (any tree order is within
// ops.ReduceTolerance) takes
//
//	count < 32 or outputs >= T        a thread per output (a warp would idle
//	                                  lanes, or every thread has an output)
//	outputs >= T/32 or count <= 1024  a warp per output (every warp has an
//	                                  output, or 32 elements a lane at most)
//	2·outputs <= gridDim.x and        blocks per output (one long fold, such
//	count >= 2·blockDim.x             as x.sum(): the whole grid folds it)
//	otherwise                         a block per output (few, long folds)
//
// A parallel fold combines partial folds with the step's own row (acc =
// acc + x combines partials as a + b), so only a step of the form
// row(acc, element) with row in regroupable and the element not reading
// acc folds in parallel; any other step keeps a thread per output. The
// accumulator has Identity's dtype (float64 for a float32 sum, as the
// evaluator folds), converted to the output's once, after a mean's
// division. NonEmpty is the caller's check: a kernel cannot raise, and
// folds no elements into the identity.
//
// Launch: the block's threads must be a multiple of 32, at most 1024 (the
// warps' partial folds fill one warp); any grid. A kernel that folds in
// parallel takes the workspace of Program.NeedsWorkspace: a partial fold
// (8 bytes at most) and a count (4 bytes) per block of the grid.

// regroupable are the rows whose folds may combine partial folds in any
// tree order: associative and commutative, exactly or up to the rounding
// that ops.ReduceTolerance allows.
var regroupable = map[string]bool{
	"add":     true, // (a + b) + c = a + (b + c), up to rounding
	"mul":     true, // (a · b) · c = a · (b · c), up to rounding
	"maximum": true, // max(max(a, b), c) = max(a, max(b, c)), NaN from either side
	"minimum": true, // min(min(a, b), c) = min(a, min(b, c)), NaN from either side
}

// combineOf is the expression that combines two partial folds (Input(0)
// and Input(1), both of the accumulator's dtype acc) for a step
// row(acc, element) with row regroupable (kir.Reduce.Combine), or nil.
//
//	step acc + exp(in0)  ->  combine i0 + i1
func combineOf(b *kir.Reduce, acc dtype.DType) *kir.Expr {
	row, _, ok := b.Combine()
	if !ok || !regroupable[row.RowName()] {
		return nil
	}
	e, err := kir.Apply(row, kir.Input(0, acc), kir.Input(1, acc))
	if err != nil || e.DType() != acc {
		return nil
	}
	return e
}

// reduceWriter prints one reduction: the writer, the body, the kept and
// reduced axes of the space.
type reduceWriter struct {
	*writer
	b         *kir.Reduce
	kept, red []int
	storage   string // the accumulator's C type (its dtype is Identity's)
	identity  string
}

func (w *writer) printReduce(b *kir.Reduce) error {
	r := &reduceWriter{writer: w, b: b}
	reduced := map[int]bool{}
	for _, a := range b.Axes {
		reduced[a] = true
	}
	for d := 0; d < w.k.Rank(); d++ {
		if reduced[d] {
			r.red = append(r.red, d)
		} else {
			r.kept = append(r.kept, d)
		}
	}
	acc := b.Identity.DType()
	r.storage = cudaTarget{}.Storage(acc)
	r.identity = cudaTarget{}.Literal(b.Identity)
	w.line("const long long outputs = %s;", w.product(r.kept))
	w.line("const long long count = %s;", w.product(r.red))
	combine := combineOf(b, acc)
	if b.Fold == kir.Sequential || combine == nil {
		return r.threadPerOutput()
	}
	w.line("const long long threads = (long long)gridDim.x * blockDim.x;")
	w.line("if (count < 32 || outputs >= threads) {")
	if err := r.threadPerOutput(); err != nil {
		return err
	}
	w.line("} else if (outputs >= threads / 32 || count <= 32 * 32) {")
	if err := r.warpPerOutput(combine); err != nil {
		return err
	}
	w.line("} else if (2 * outputs <= gridDim.x && count >= 2LL * blockDim.x) {")
	if err := r.blocksPerOutput(combine); err != nil {
		return err
	}
	w.line("} else {")
	if err := r.blockPerOutput(combine); err != nil {
		return err
	}
	w.line("}")
	w.workspace = true
	return nil
}

// outStride is operand i's stride along space axis d: the inputs' (zero
// where they broadcast), and output 0's own axis for a kept axis d (the
// output has all the space's axes, or only the kept ones).
func (r *reduceWriter) outStride(i, d int) string {
	nin := len(r.k.Inputs)
	if i < nin {
		return r.stride(i, d)
	}
	if r.k.Outputs[0].Rank == r.k.Rank() {
		return fmt.Sprintf("out0_v.strides[%d]", d)
	}
	j := 0
	for _, k := range r.kept {
		if k == d {
			break
		}
		j++
	}
	return fmt.Sprintf("out0_v.strides[%d]", j)
}

// output opens the loop over output positions f (from first by step) and
// computes every operand's offset o<i> at output f.
func (r *reduceWriter) output(first, step string) {
	r.line("for (long long f = %s; f < outputs; f += %s) {", first, step)
	r.declareOffsets(r.operands())
	r.unravel("f", "o", r.kept, r.operands(), r.outStride)
	r.line("%s acc = %s;", r.storage, r.identity)
}

// fold folds elements first, first+step, ... of the current output into
// acc, in that order.
func (r *reduceWriter) fold(first, step string) error {
	ins := make([]int, len(r.k.Inputs))
	for i := range ins {
		ins[i] = i
	}
	r.line("for (long long r = %s; r < count; r += %s) {", first, step)
	r.declareOffsetsAt("p", ins)
	r.unravel("r", "p", r.red, ins, r.stride)
	res, err := r.render(r.b.Step, func(i int) string {
		if i == 0 {
			return "acc"
		}
		return fmt.Sprintf("in%d[o%d + p%d]", i-1, i-1, i-1)
	}, false)
	if err != nil {
		return err
	}
	r.line("acc = %s;", res)
	r.line("}")
	return nil
}

// store writes acc to the current output: divided by count for a mean,
// converted once to the output's dtype.
func (r *reduceWriter) store() {
	result := "acc"
	if r.b.Mean {
		result = "acc / (double)count"
	}
	t, out := cudaTarget{}, r.k.Outputs[0].DType
	r.line("out0[o%d] = %s;", len(r.k.Inputs), t.Store(out, "tg_convert<"+t.Compute(out)+">("+result+")"))
}

// warpTree combines the warp's 32 values of acc into lane 0's, halving
// the distance: lane l takes lane l+16's, then l+8's, ... l+1's.
func (r *reduceWriter) warpTree(combine *kir.Expr) error {
	r.line("for (int d = 16; d > 0; d /= 2) {")
	r.line("const %s other = tg_shfl_down(acc, d);", r.storage)
	res, err := r.render(combine, func(i int) string { return []string{"acc", "other"}[i] }, false)
	if err != nil {
		return err
	}
	r.line("acc = %s;", res)
	r.line("}")
	return nil
}

func (r *reduceWriter) threadPerOutput() error {
	r.output("blockIdx.x * (long long)blockDim.x + threadIdx.x", "(long long)gridDim.x * blockDim.x")
	if err := r.fold("0", "1"); err != nil {
		return err
	}
	r.store()
	r.line("}")
	return nil
}

func (r *reduceWriter) warpPerOutput(combine *kir.Expr) error {
	r.line("const int lane = threadIdx.x %% 32;")
	r.output("(blockIdx.x * (long long)blockDim.x + threadIdx.x) / 32", "threads / 32")
	if err := r.fold("lane", "32"); err != nil {
		return err
	}
	if err := r.warpTree(combine); err != nil {
		return err
	}
	r.line("if (lane == 0) {")
	r.store()
	r.line("}")
	r.line("}")
	return nil
}

func (r *reduceWriter) blockPerOutput(combine *kir.Expr) error {
	r.line("__shared__ %s partial[32];", r.storage)
	r.line("const int lane = threadIdx.x %% 32, warp = threadIdx.x / 32;")
	r.output("blockIdx.x", "gridDim.x")
	if err := r.fold("threadIdx.x", "blockDim.x"); err != nil {
		return err
	}
	if err := r.blockTree(combine); err != nil {
		return err
	}
	r.line("if (threadIdx.x == 0) {")
	r.store()
	r.line("}")
	r.line("__syncthreads(); // partial is reused by the next output")
	r.line("}")
	return nil
}

// blockTree combines the block's values of acc into thread 0's: each
// warp's by shuffles, then the warps' in shared memory (partial) by the
// first warp. Every thread of the block must reach it.
func (r *reduceWriter) blockTree(combine *kir.Expr) error {
	if err := r.warpTree(combine); err != nil {
		return err
	}
	r.line("if (lane == 0) {")
	r.line("partial[warp] = acc;")
	r.line("}")
	r.line("__syncthreads();")
	r.line("if (warp == 0) {")
	r.line("acc = lane < blockDim.x / 32 ? partial[lane] : %s;", r.identity)
	if err := r.warpTree(combine); err != nil {
		return err
	}
	r.line("}")
	return nil
}

// blocksPerOutput is the split shape: per blocks fold parts of one output,
// and the last of them to finish combines their partial folds from the
// workspace (tg_work: gridDim.x partial folds of 8 bytes, then gridDim.x
// counts).
func (r *reduceWriter) blocksPerOutput(combine *kir.Expr) error {
	r.line("__shared__ %s partial[32];", r.storage)
	r.line("__shared__ bool last;")
	r.line("const int lane = threadIdx.x %% 32, warp = threadIdx.x / 32;")
	r.line("const long long per = min((long long)gridDim.x / outputs, count / blockDim.x);")
	r.line("%s *parts = reinterpret_cast<%s *>(tg_work);", r.storage, r.storage)
	r.line("unsigned int *done = reinterpret_cast<unsigned int *>(tg_work + 8LL * gridDim.x);")
	r.line("const long long part = blockIdx.x %% per;")
	r.output("blockIdx.x / per", "outputs") // one output per block at most: the loop runs once
	if err := r.fold("part * blockDim.x + threadIdx.x", "per * blockDim.x"); err != nil {
		return err
	}
	if err := r.blockTree(combine); err != nil {
		return err
	}
	r.line("if (threadIdx.x == 0) {")
	r.line("parts[f * per + part] = acc;")
	r.line("__threadfence(); // the partial fold is visible before the count")
	r.line("last = atomicAdd(&done[f], 1u) == per - 1;")
	r.line("}")
	r.line("__syncthreads();")
	r.line("if (last && warp == 0) {")
	r.line("acc = %s;", r.identity)
	r.line("for (long long j = lane; j < per; j += 32) {")
	r.line("const %s other = *reinterpret_cast<volatile %s *>(&parts[f * per + j]);", r.storage, r.storage)
	res, err := r.render(combine, func(i int) string { return []string{"acc", "other"}[i] }, false)
	if err != nil {
		return err
	}
	r.line("acc = %s;", res)
	r.line("}")
	if err := r.warpTree(combine); err != nil {
		return err
	}
	r.line("if (lane == 0) {")
	r.store()
	r.line("done[f] = 0; // the workspace is zero again for the next launch")
	r.line("}")
	r.line("}")
	r.line("}")
	return nil
}
