/* helpers.h: the C side of package loader: dlopen and dlsym with their
 * errors, calls through function pointers (Go cannot call one), and the
 * result allocator Call gives kernels. */
#ifndef TG_LOADER_HELPERS_H
#define TG_LOADER_HELPERS_H

#include <stdint.h>
#include "tg_rt.h"

/* The results of one Call: the kernel's alloc callback fills them. */
typedef struct tgl_results {
    int32_t n;
    const int64_t *elem_size; /* bytes per element, per result */
    void **data;              /* malloc'ed by tgl_alloc, NULL until then */
    int32_t *ndim;
    int64_t *shape;           /* n * TG_MAXDIM */
} tgl_results;

/* tg_alloc_fn for Call: mallocs result index (at least 1 byte); NULL when
 * the index is out of range or already allocated, the shape is invalid or
 * its size overflows, or memory is exhausted. */
void *tgl_alloc(void *ctx, int32_t index, int32_t ndim, const int64_t *shape);

void *tgl_dlopen(const char *path, int global, char **err);
void *tgl_dlsym(void *handle, const char *symbol, char **err);
int tgl_dlclose(void *handle, char **err);

int tgl_call_kernel(uintptr_t kernel, tg_args *args);
void *tgl_call_alloc(tg_alloc_fn alloc, void *ctx, int32_t index, int32_t ndim, const int64_t *shape);
int tgl_call_rt_init(void *fn, const char *blas, int n_threads, char **err);
void *tgl_call_state_new(void *fn, int32_t n_slots, int32_t n_nodes, int32_t profile);
void tgl_call_state_free(void *fn, uintptr_t state);

/* Points state's evaluator fallback at the Go evaluator (tg_eval_node)
 * with the registry handle. */
void tgl_state_set_eval(uintptr_t state, int64_t handle);

/* The state's table of large constants (tg_state.consts): allocate n
 * empty entries, set entry i, free the table. */
int tgl_state_set_consts(uintptr_t state, int32_t n);
void tgl_state_set_const(uintptr_t state, int32_t i, const void *data);
void tgl_state_free_consts(uintptr_t state);

#endif
