// Package native reads what Go cannot reach without cgo in a compiled
// function's tg_state (the profile counters), and calls kernels with
// result buffers the caller controls: poisoned before the run, guarded by
// canary bytes after their end, or aliasing an input (an in-place update,
// as theanogo._rt may hand a kernel). The tests of codegen/cxx use the
// latter; codegen/loader.Call is the ordinary way to call a kernel.
package native

/*
// (tg_rt.h: tg_state holds its regions' child states, tg_state_child)
#cgo CFLAGS: -I${SRCDIR}/../../runtime
#include <stdlib.h>
#include <string.h>
#include "tg_rt.h"

typedef struct tgn_results {
    int32_t n;
    const int64_t *elem_size;
    void **data;         // the buffer handed out, or the aliased input
    const int64_t *alias;// per result: input index whose memory to hand out, or -1
    const tg_buffer *inputs;
    int32_t *ndim;
    int64_t *shape;      // n * TG_MAXDIM
    int64_t *bytes;      // the size handed out
    int32_t poison;      // fill byte (0x7f...)
    int32_t guard;       // canary bytes after each buffer
    int32_t fail_alloc;  // result index whose alloc returns NULL, or -1
} tgn_results;

static void *tgn_alloc(void *vctx, int32_t index, int32_t ndim, const int64_t *shape) {
    tgn_results *r = (tgn_results *)vctx;
    if (index < 0 || index >= r->n || r->data[index] || ndim < 0 || ndim > TG_MAXDIM) return NULL;
    if (index == r->fail_alloc) return NULL;
    int64_t n = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0 || __builtin_mul_overflow(n, shape[d], &n)) return NULL;
        r->shape[index * TG_MAXDIM + d] = shape[d];
    }
    r->ndim[index] = ndim;
    int64_t bytes;
    if (__builtin_mul_overflow(n, r->elem_size[index], &bytes)) return NULL;
    r->bytes[index] = bytes;
    if (r->alias[index] >= 0) {
        r->data[index] = r->inputs[r->alias[index]].data;
        return r->data[index];
    }
    char *p = (char *)malloc((size_t)bytes + (size_t)r->guard + 1);
    if (!p) return NULL;
    memset(p, r->poison, (size_t)bytes + (size_t)r->guard + 1);
    r->data[index] = p;
    return p;
}

static int tgn_call(uintptr_t kernel, tg_args *args) { return ((tg_kernel_fn)kernel)(args); }
static tg_alloc_fn tgn_alloc_fn(void) { return tgn_alloc; }
static int64_t tgn_prof(uintptr_t st, int i, int calls) {
    tg_state *s = (tg_state *)st;
    if (i < 0 || i >= s->n_nodes || !s->prof_ns) return 0;
    return calls ? s->prof_calls[i] : s->prof_ns[i];
}
static int32_t tgn_nodes(uintptr_t st) { return ((tg_state *)st)->n_nodes; }
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unsafe"

	"theanogo/core/dtype"
	"theanogo/core/graph"
	"theanogo/core/tensor"
)

// cgoHeadersDigest is runtime.HeaderDigest("tg_rt.h"): the runtime headers
// this package's C preamble includes from codegen/runtime. Go's build
// cache hashes a cgo package's own files, not headers included from
// another directory, so an edit there (a field added to tg_args) would
// otherwise reuse an object compiled against the old layout. The
// package's test fails until this constant matches, and changing it
// rebuilds the package.
const cgoHeadersDigest = "74eba6a73e180456"

// Profile returns the state's per-node nanoseconds and calls.
func Profile(state uintptr) (ns, calls []int64) {
	if state == 0 {
		return nil, nil
	}
	n := int(C.tgn_nodes(C.uintptr_t(state)))
	ns, calls = make([]int64, n), make([]int64, n)
	for i := range n {
		ns[i] = int64(C.tgn_prof(C.uintptr_t(state), C.int(i), 0))
		calls[i] = int64(C.tgn_prof(C.uintptr_t(state), C.int(i), 1))
	}
	return ns, calls
}

// CallOptions shape the result buffers of Call.
type CallOptions struct {
	Poison byte // every result byte starts as this
	Guard  int  // canary bytes after each result, checked after the run
	// Alias maps a result index to the input whose memory it gets (an
	// in-place update).
	Alias map[int]int
	// FailAlloc makes the alloc of this result return NULL (-1: none).
	FailAlloc int
}

// Call runs kernel on inputs (their memory borrowed, and written by an
// aliased result) and returns the results as new arrays; an error when
// the kernel fails, or when it wrote into a guard.
func Call(kernel, state uintptr, inputs []*tensor.Array, resultTypes []dtype.DType, opt CallOptions) ([]*tensor.Array, error) {
	var pin runtime.Pinner
	defer pin.Unpin()
	nIn, nOut := len(inputs), len(resultTypes)
	alloc := func(n int) unsafe.Pointer { return C.calloc(C.size_t(max(n, 1)), 1) }
	bufs := unsafe.Slice((*C.tg_buffer)(alloc(nIn*C.sizeof_tg_buffer)), max(nIn, 1))
	defer C.free(unsafe.Pointer(&bufs[0]))
	shapes := unsafe.Slice((*C.int64_t)(alloc(nIn*C.TG_MAXDIM*8)), max(nIn, 1)*C.TG_MAXDIM)
	defer C.free(unsafe.Pointer(&shapes[0]))
	for i, a := range inputs {
		b := &bufs[i]
		b.ndim, b.dtype = C.int32_t(a.Ndim()), C.int32_t(a.DType)
		b.shape = &shapes[i*C.TG_MAXDIM]
		for d, n := range a.Shape {
			shapes[i*C.TG_MAXDIM+d] = C.int64_t(n)
		}
		if raw := a.Bytes(); len(raw) > 0 {
			pin.Pin(&raw[0])
			b.data = unsafe.Pointer(&raw[0])
		}
	}
	res := (*C.tgn_results)(alloc(C.sizeof_tgn_results))
	defer C.free(unsafe.Pointer(res))
	sizes := unsafe.Slice((*C.int64_t)(alloc(nOut*8)), max(nOut, 1))
	aliases := unsafe.Slice((*C.int64_t)(alloc(nOut*8)), max(nOut, 1))
	data := unsafe.Slice((*unsafe.Pointer)(alloc(nOut*8)), max(nOut, 1))
	ndims := unsafe.Slice((*C.int32_t)(alloc(nOut*4)), max(nOut, 1))
	rshapes := unsafe.Slice((*C.int64_t)(alloc(nOut*C.TG_MAXDIM*8)), max(nOut, 1)*C.TG_MAXDIM)
	bytes := unsafe.Slice((*C.int64_t)(alloc(nOut*8)), max(nOut, 1))
	for _, p := range []unsafe.Pointer{unsafe.Pointer(&sizes[0]), unsafe.Pointer(&aliases[0]), unsafe.Pointer(&data[0]), unsafe.Pointer(&ndims[0]), unsafe.Pointer(&rshapes[0]), unsafe.Pointer(&bytes[0])} {
		defer C.free(p)
	}
	for i, t := range resultTypes {
		sizes[i] = C.int64_t(t.Size())
		aliases[i] = -1
		if in, ok := opt.Alias[i]; ok {
			aliases[i] = C.int64_t(in)
		}
	}
	defer func() {
		for i := range nOut {
			if aliases[i] < 0 && data[i] != nil {
				C.free(data[i])
			}
		}
	}()
	*res = C.tgn_results{n: C.int32_t(nOut), elem_size: &sizes[0], data: &data[0], alias: &aliases[0], inputs: &bufs[0],
		ndim: &ndims[0], shape: &rshapes[0], bytes: &bytes[0], poison: C.int32_t(opt.Poison), guard: C.int32_t(opt.Guard), fail_alloc: C.int32_t(opt.FailAlloc)}
	args := (*C.tg_args)(alloc(C.sizeof_tg_args))
	defer C.free(unsafe.Pointer(args))
	// work (tg_kernel.h) stays NULL. Go's build cache does not see changes
	// to tg_kernel.h (outside this package): a change of tg_args must change
	// this file too.
	*args = C.tg_args{function: C.int64_t(state), n_inputs: C.int32_t(nIn), inputs: &bufs[0], n_results: C.int32_t(nOut),
		alloc: C.tgn_alloc_fn(), alloc_ctx: unsafe.Pointer(res)}
	if C.tgn_call(C.uintptr_t(kernel), args) != 0 {
		msg := "RuntimeError: the kernel failed without a message"
		if args.error != nil {
			msg = C.GoString(args.error)
			C.free(unsafe.Pointer(args.error))
		}
		return nil, kernelError(msg)
	}
	out := make([]*tensor.Array, nOut)
	for i, t := range resultTypes {
		shape := make([]int, int(ndims[i]))
		for d := range shape {
			shape[d] = int(rshapes[i*C.TG_MAXDIM+d])
		}
		a := tensor.New(t, shape)
		n := int(bytes[i])
		if n > 0 || data[i] != nil {
			if data[i] == nil {
				return nil, fmt.Errorf("result %d was never allocated", i)
			}
			raw := unsafe.Slice((*byte)(data[i]), n+opt.Guard)
			copy(a.Bytes(), raw[:n])
			if aliases[i] < 0 {
				for k := n; k < n+opt.Guard; k++ {
					if raw[k] != opt.Poison {
						return nil, fmt.Errorf("result %d: the kernel wrote %d bytes past its end", i, k-n+1)
					}
				}
			}
		}
		out[i] = a
	}
	return out, nil
}

// kernelError turns "Class: message" into the graph error of that kind.
func kernelError(s string) error {
	kinds := map[string]func(string, ...any) error{
		"ValueError": graph.ValueErrorf, "TypeError": graph.TypeErrorf, "IndexError": graph.IndexErrorf, "MemoryError": graph.MemoryErrorf,
	}
	if class, msg, ok := strings.Cut(s, ": "); ok {
		if f, ok := kinds[class]; ok {
			return f("%s", msg)
		}
	}
	return errors.New(s)
}
