/*
 * tg_kernel.h: the calling convention between theanogo._rt (the C extension
 * that implements Function.__call__) and a backend's kernel: the Go
 * evaluator's exported entry or a generated C++ kernel.
 *
 * A call passes C-contiguous input buffers (the explicit arguments, then the
 * current values of the shared variables the function reads) and asks the
 * kernel to compute the results (the outputs, then the new value of each
 * updated shared variable). The kernel learns each result's shape as it
 * computes and asks the caller for its memory through `alloc`, which returns
 * the data pointer of a new C-contiguous array of the result's dtype (known
 * to both sides from the function's types), or NULL when it cannot (numpy
 * raised MemoryError: the kernel then fails with "MemoryError: ...").
 *
 * The kernel never keeps a pointer to an input or result after it returns,
 * and never writes into an input (an in-place update's result is the one
 * buffer that may be an input's: the caller hands it out through `alloc`
 * only when nothing else reads it). It may run without the GIL; `alloc`
 * takes it when needed.
 *
 * Work report (`work`, may be NULL): once the kernel knows its shapes and
 * has allocated its results, and before it computes any value, it may call
 * work(alloc_ctx, bytes) once, from the calling thread, with an estimate of
 * the bytes its values phase will go through (a generated kernel: each
 * node's loop space times its element size, and each result; a double, so
 * that the sum never overflows). The caller may release the GIL there when
 * the work is large even though the inputs are small (theanogo._rt does).
 * A kernel that never calls it (the Go evaluator's entry) is judged by its
 * inputs alone.
 *
 * No Python headers here: generated kernels include this file and compile
 * fast, and their cache entries do not depend on the Python version.
 */
#ifndef TG_KERNEL_H
#define TG_KERNEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Element types, numbered as Go's dtype.DType. */
enum tg_dtype {
    TG_BOOL = 1, TG_INT8, TG_INT16, TG_INT32, TG_INT64,
    TG_UINT8, TG_UINT16, TG_UINT32, TG_UINT64,
    TG_FLOAT16, TG_FLOAT32, TG_FLOAT64, TG_COMPLEX64, TG_COMPLEX128
};

/* One C-contiguous array, read-only to the kernel. */
typedef struct tg_buffer {
    void *data;
    const int64_t *shape; /* ndim lengths */
    int32_t ndim;
    int32_t dtype;        /* enum tg_dtype */
} tg_buffer;

/* Allocates result `index` with the given shape; returns its data pointer
 * or NULL. May be called once per result. */
typedef void *(*tg_alloc_fn)(void *alloc_ctx, int32_t index, int32_t ndim, const int64_t *shape);

/* Reports the bytes the values phase will go through (see above). */
typedef void (*tg_work_fn)(void *alloc_ctx, double bytes);

typedef struct tg_args {
    int64_t function;         /* the backend's handle for the compiled function */
    int32_t n_inputs;
    const tg_buffer *inputs;  /* explicit arguments, then shared values */
    int32_t n_results;        /* outputs, then update values */
    tg_alloc_fn alloc;
    void *alloc_ctx;
    char *error;              /* on failure: "ExceptionClass: message", malloc'ed; the caller frees it */
    tg_work_fn work;          /* NULL, or called once after the results are allocated */
} tg_args;

/* Returns 0 on success; on failure sets args->error and returns nonzero. */
typedef int (*tg_kernel_fn)(tg_args *args);

#ifdef __cplusplus
}
#endif

#endif /* TG_KERNEL_H */
