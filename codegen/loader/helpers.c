#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "_cgo_export.h"

void *tgl_alloc(void *ctx, int32_t index, int32_t ndim, const int64_t *shape) {
    tgl_results *r = (tgl_results *)ctx;
    if (index < 0 || index >= r->n || r->data[index] != NULL || ndim < 0 || ndim > TG_MAXDIM) {
        return NULL;
    }
    uint64_t bytes = (uint64_t)r->elem_size[index];
    for (int32_t d = 0; d < ndim; d++) {
        if (shape[d] < 0 || __builtin_mul_overflow(bytes, (uint64_t)shape[d], &bytes)) {
            return NULL;
        }
    }
    if (bytes > (uint64_t)INT64_MAX) {
        return NULL;
    }
    void *p = malloc(bytes > 0 ? (size_t)bytes : 1);
    if (p == NULL) {
        return NULL;
    }
    r->data[index] = p;
    r->ndim[index] = ndim;
    if (ndim > 0) {
        memcpy(r->shape + (int64_t)index * TG_MAXDIM, shape, (size_t)ndim * sizeof(int64_t));
    }
    return p;
}

/* dl_error copies dlerror's message into a malloc'ed string. */
static void dl_error(char **err) {
    const char *msg = dlerror();
    *err = strdup(msg != NULL ? msg : "unknown dynamic loader error");
}

void *tgl_dlopen(const char *path, int global, char **err) {
    void *h = dlopen(path, RTLD_NOW | (global ? RTLD_GLOBAL : RTLD_LOCAL));
    if (h == NULL) {
        dl_error(err);
    }
    return h;
}

void *tgl_dlsym(void *handle, const char *symbol, char **err) {
    dlerror();
    void *p = dlsym(handle, symbol);
    if (p == NULL) {
        dl_error(err);
    }
    return p;
}

int tgl_dlclose(void *handle, char **err) {
    int rc = dlclose(handle);
    if (rc != 0) {
        dl_error(err);
    }
    return rc;
}

int tgl_call_kernel(uintptr_t kernel, tg_args *args) {
    return ((tg_kernel_fn)kernel)(args);
}

void *tgl_call_alloc(tg_alloc_fn alloc, void *ctx, int32_t index, int32_t ndim, const int64_t *shape) {
    return alloc(ctx, index, ndim, shape);
}

typedef int (*tgl_rt_init_fn)(const char *, int, char **);
typedef tg_state *(*tgl_state_new_fn)(int32_t, int32_t, int32_t);
typedef void (*tgl_state_free_fn)(tg_state *);

int tgl_call_rt_init(void *fn, const char *blas, int n_threads, char **err) {
    return ((tgl_rt_init_fn)fn)(blas, n_threads, err);
}

void *tgl_call_state_new(void *fn, int32_t n_slots, int32_t n_nodes, int32_t profile) {
    return ((tgl_state_new_fn)fn)(n_slots, n_nodes, profile);
}

void tgl_call_state_free(void *fn, uintptr_t state) {
    ((tgl_state_free_fn)fn)((tg_state *)state);
}

void tgl_state_set_eval(uintptr_t state, int64_t handle) {
    tg_state *s = (tg_state *)state;
    s->go_handle = handle;
    s->eval_node = (tg_eval_node_fn)tg_eval_node;
}

int tgl_state_set_consts(uintptr_t state, int32_t n) {
    tg_state *s = (tg_state *)state;
    const void **p = (const void **)calloc(n > 0 ? (size_t)n : 1, sizeof *p);
    if (p == NULL) {
        return 1;
    }
    free((void *)s->consts);
    s->consts = p;
    s->n_consts = n;
    return 0;
}

void tgl_state_set_const(uintptr_t state, int32_t i, const void *data) {
    tg_state *s = (tg_state *)state;
    if (i >= 0 && i < s->n_consts) {
        ((const void **)s->consts)[i] = data;
    }
}

void tgl_state_free_consts(uintptr_t state) {
    tg_state *s = (tg_state *)state;
    free((void *)s->consts);
    s->consts = NULL;
    s->n_consts = 0;
}
