/*
 * tg_rt.h: the runtime library that generated kernels call (DESIGN.md
 * decision 11). It is plain C (callable from C++), includes no Python or
 * numpy header and no heavy C++ header, so a kernel that includes it
 * compiles fast.
 *
 * The library (libtgrt.so) is built once per machine into the compile
 * cache from every .c file of codegen/runtime, and loaded with
 * RTLD_GLOBAL before any kernel module, so kernels resolve these symbols
 * at load time.
 *
 * Conventions:
 *   - tg_view describes an array in memory: a data pointer and, per
 *     dimension, a length and a stride counted in ELEMENTS (not bytes). A
 *     stride may be 0 (a broadcast dimension) or negative (a reversed
 *     slice). Views (transpose, dimshuffle, basic slicing, broadcasting)
 *     are index maps over another array's memory, never copies.
 *   - A runtime function that can fail returns 0 on success and nonzero on
 *     failure, after setting *err to a malloc'ed "ExceptionClass: message"
 *     (tg_set_error): "IndexError: index 7 is out of bounds for axis 0 with
 *     size 5". The kernel hands that string back through tg_args.error.
 *   - Nothing here keeps a pointer to a view after it returns.
 */
#ifndef TG_RT_H
#define TG_RT_H

#include <stddef.h>
#include <stdint.h>

#include "tg_kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TG_MAXDIM 32

/* An array in memory; strides in elements. */
typedef struct tg_view {
    char *data;                 /* the element at index (0, ..., 0) */
    int64_t shape[TG_MAXDIM];
    int64_t strides[TG_MAXDIM]; /* elements, may be 0 or negative */
    int32_t ndim;
    int32_t dtype;              /* enum tg_dtype */
} tg_view;

/* Initializes the runtime once per process (the loader calls it right
 * after loading libtgrt.so, before any kernel runs): starts the thread pool
 * with n_threads threads in all, the caller included (n_threads <= 0: the
 * number of online CPUs), and loads the CBLAS library at blas_library
 * (NULL or "": none; tg_sgemm/tg_dgemm then use portable blocked loops,
 * correct but several times slower). Calling it again is a no-op returning
 * 0. Returns 0, or 1 with *err set (an unloadable library, no cblas_sgemm
 * in it, a thread that could not start). */
int tg_rt_init(const char *blas_library, int n_threads, char **err);

/* Bytes per element of a dtype (enum tg_dtype); 0 for an unknown code. */
static inline int64_t tg_dtype_size(int32_t dt)
{
    switch (dt) {
    case TG_BOOL: case TG_INT8: case TG_UINT8: return 1;
    case TG_INT16: case TG_UINT16: case TG_FLOAT16: return 2;
    case TG_INT32: case TG_UINT32: case TG_FLOAT32: return 4;
    case TG_INT64: case TG_UINT64: case TG_FLOAT64: case TG_COMPLEX64: return 8;
    case TG_COMPLEX128: return 16;
    default: return 0;
    }
}

/* Sets *err to a malloc'ed message built with printf's format; returns 1,
 * so that `return tg_set_error(err, "IndexError: ...", ...);` fails. */
int tg_set_error(char **err, const char *fmt, ...);

/* --- threads ----------------------------------------------------------- */

/* The body of a parallel loop: runs indices [begin, end) of the range. */
typedef void (*tg_range_fn)(void *ctx, int64_t begin, int64_t end);

/* Runs body over [0, n) split into contiguous chunks of at least grain
 * indices, on the pool's threads and the caller's; returns when all are
 * done. Runs body(ctx, 0, n) on the caller alone when n < 2*grain or the
 * pool has one thread. Workers sleep (they do not spin) between loops, so
 * BLAS threads and the pool share the cores without oversubscription. */
void tg_parallel_for(int64_t n, int64_t grain, tg_range_fn body, void *ctx);

/* The number of threads parallel loops use (the caller included). */
int tg_num_threads(void);

/* --- BLAS (CBLAS row-major semantics) ------------------------------------ */

/* C = alpha * op(A) @ op(B) + beta * C, row-major, op = transpose when
 * trans_x is nonzero. When beta is 0, C is not read (may hold garbage). */
void tg_sgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
              const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);
void tg_dgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, double alpha,
              const double *a, int64_t lda, const double *b, int64_t ldb, double beta, double *c, int64_t ldc);

/* --- per-function state: workspace and profile --------------------------- */

/* Each compiled function has one state (tg_args.function points at it).
 * Its workspace slots keep intermediate buffers across calls; a call that
 * finds the state busy (another thread runs the same function) uses a
 * private workspace for that call. */
typedef struct tg_slot {
    void *data;
    size_t bytes;
} tg_slot;

/* The Go evaluator's entry for one node that has no C++ lowering: computes
 * node `node` of function `go_handle` from its input buffers and returns
 * each output through alloc (which the kernel implements with its
 * workspace). 0 on success, else *err is set. */
typedef int (*tg_eval_node_fn)(int64_t go_handle, int32_t node, const tg_buffer *inputs, int32_t n_inputs,
                               tg_alloc_fn alloc, void *alloc_ctx, char **err);

typedef struct tg_state {
    int64_t go_handle;          /* the evaluator fallback's handle for this function */
    tg_eval_node_fn eval_node;  /* NULL when every node is lowered */
    int32_t n_slots;
    tg_slot *slots;
    volatile int32_t busy;      /* taken with an atomic exchange */
    int32_t n_nodes;            /* profile counters, one per scheduled node */
    int64_t *prof_ns;
    int64_t *prof_calls;
    int32_t profile;            /* nonzero: kernels time their nodes */
    /* Large constants of the graph, not written into the source: the
     * function's owner (Go) keeps their memory alive and unmoved for the
     * state's lifetime; the kernel reads consts[k]. Not owned. */
    int32_t n_consts;
    const void *const *consts;
    /* The states of the kernel's regions (an ifelse branch, a scan step:
     * inner graphs compiled as functions of the kernel, each with its own
     * workspace), allocated on first use by tg_state_child and freed with
     * this state. A private copy of a busy state starts with none, so each
     * calling thread's regions have private workspaces too. */
    int32_t n_children;
    struct tg_state **children;
} tg_state;

/* Allocates a state with n_slots empty slots and n_nodes profile counters. */
tg_state *tg_state_new(int32_t n_slots, int32_t n_nodes, int32_t profile);
void tg_state_free(tg_state *s);

/* Takes the state for one call; returns a private copy (n_slots empty
 * slots, the same handles) when it is busy. tg_state_release gives it
 * back (and frees a private copy). */
tg_state *tg_state_acquire(tg_state *s);
void tg_state_release(tg_state *shared, tg_state *taken);

/* Returns child state i of s (a region's), allocating it with n_slots
 * empty slots on first use; it shares s's evaluator handles and
 * constants. NULL when memory is exhausted. */
tg_state *tg_state_child(tg_state *s, int32_t i, int32_t n_slots);

/* Returns slot i's buffer grown to at least bytes (contents not kept when
 * it grows), 64-byte aligned, or NULL when memory is exhausted. */
void *tg_slot_get(tg_state *s, int32_t i, size_t bytes);

/* Monotonic nanoseconds, for the profile. */
int64_t tg_now_ns(void);

#ifdef __cplusplus
}
#endif

#endif /* TG_RT_H */
