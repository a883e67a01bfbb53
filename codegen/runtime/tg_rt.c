//go:build ignore

/*
 * tg_rt.c: the core of the runtime library (tg_rt.h): errors, one-time
 * initialization, per-function state and its workspace slots, the clock.
 * The thread pool lives in tg_pool.c and the BLAS binding in tg_blas.c.
 */
#define _POSIX_C_SOURCE 200809L

#include "tg_rt.h"
#include "tg_rt_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int tg_set_error(char **err, const char *fmt, ...)
{
    if (err == NULL) {
        return 1;
    }
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = NULL;
    if (n >= 0) {
        msg = (char *)malloc((size_t)n + 1);
        if (msg != NULL) {
            vsnprintf(msg, (size_t)n + 1, fmt, ap2);
        }
    }
    va_end(ap2);
    if (msg == NULL) {
        /* Out of memory (or a bad format): a fixed message still has to be
         * malloc'ed, since the caller frees it. */
        static const char oom[] = "MemoryError: out of memory while reporting an error";
        msg = (char *)malloc(sizeof oom);
        if (msg != NULL) {
            memcpy(msg, oom, sizeof oom);
        }
    }
    free(*err); /* a second error replaces the first */
    *err = msg;
    return 1;
}

/* --- initialization ------------------------------------------------------ */

static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;
static int init_done;
static int init_failed;

int tg_rt_init(const char *blas_library, int n_threads, char **err)
{
    int rc = 0;
    if (pthread_mutex_lock(&init_mu) != 0) {
        return tg_set_error(err, "RuntimeError: tg_rt_init: cannot lock");
    }
    if (init_done) {
        rc = init_failed;
        if (rc) {
            tg_set_error(err, "RuntimeError: tg_rt_init failed earlier in this process");
        }
        pthread_mutex_unlock(&init_mu);
        return rc;
    }
    if (n_threads <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n_threads = cpus > 0 ? (int)cpus : 1;
    }
    if (n_threads > TG_POOL_MAX_THREADS) {
        n_threads = TG_POOL_MAX_THREADS;
    }
    rc = tg_blas_load(blas_library, n_threads, err);
    if (rc == 0) {
        rc = tg_pool_start(n_threads, err);
    }
    init_done = 1;
    init_failed = rc;
    pthread_mutex_unlock(&init_mu);
    return rc;
}

/* --- per-function state -------------------------------------------------- */

static tg_state *state_alloc(int32_t n_slots, int32_t n_nodes, int32_t profile)
{
    if (n_slots < 0 || n_nodes < 0) {
        return NULL;
    }
    tg_state *s = (tg_state *)calloc(1, sizeof *s);
    if (s == NULL) {
        return NULL;
    }
    s->n_slots = n_slots;
    s->n_nodes = n_nodes;
    s->profile = profile;
    /* calloc(0) may return NULL; ask for at least one element. */
    s->slots = (tg_slot *)calloc(n_slots > 0 ? (size_t)n_slots : 1, sizeof *s->slots);
    s->prof_ns = (int64_t *)calloc(n_nodes > 0 ? (size_t)n_nodes : 1, sizeof *s->prof_ns);
    s->prof_calls = (int64_t *)calloc(n_nodes > 0 ? (size_t)n_nodes : 1, sizeof *s->prof_calls);
    if (s->slots == NULL || s->prof_ns == NULL || s->prof_calls == NULL) {
        tg_state_free(s);
        return NULL;
    }
    return s;
}

tg_state *tg_state_new(int32_t n_slots, int32_t n_nodes, int32_t profile)
{
    return state_alloc(n_slots, n_nodes, profile);
}

void tg_state_free(tg_state *s)
{
    if (s == NULL) {
        return;
    }
    if (s->slots != NULL) {
        for (int32_t i = 0; i < s->n_slots; i++) {
            free(s->slots[i].data);
        }
    }
    for (int32_t i = 0; i < s->n_children; i++) {
        tg_state_free(s->children[i]);
    }
    free(s->children);
    free(s->slots);
    free(s->prof_ns);
    free(s->prof_calls);
    free(s);
}

tg_state *tg_state_acquire(tg_state *s)
{
    if (s == NULL) {
        return NULL;
    }
    if (__atomic_exchange_n(&s->busy, 1, __ATOMIC_ACQUIRE) == 0) {
        return s;
    }
    /* Busy: this call gets a private workspace (and private profile
     * counters, added into the shared ones on release). */
    tg_state *p = state_alloc(s->n_slots, s->n_nodes, s->profile);
    if (p == NULL) {
        return NULL;
    }
    p->go_handle = s->go_handle;
    p->eval_node = s->eval_node;
    p->n_consts = s->n_consts;
    p->consts = s->consts;
    p->busy = 1;
    return p;
}

void tg_state_release(tg_state *shared, tg_state *taken)
{
    if (taken == NULL) {
        return;
    }
    if (taken == shared) {
        __atomic_store_n(&shared->busy, 0, __ATOMIC_RELEASE);
        return;
    }
    if (shared != NULL && shared->profile) {
        int32_t n = shared->n_nodes < taken->n_nodes ? shared->n_nodes : taken->n_nodes;
        for (int32_t i = 0; i < n; i++) {
            __atomic_fetch_add(&shared->prof_ns[i], taken->prof_ns[i], __ATOMIC_RELAXED);
            __atomic_fetch_add(&shared->prof_calls[i], taken->prof_calls[i], __ATOMIC_RELAXED);
        }
    }
    tg_state_free(taken);
}

tg_state *tg_state_child(tg_state *s, int32_t i, int32_t n_slots)
{
    if (s == NULL || i < 0) {
        return NULL;
    }
    if (i >= s->n_children) {
        tg_state **c = (tg_state **)realloc(s->children, (size_t)(i + 1) * sizeof *c);
        if (c == NULL) {
            return NULL;
        }
        for (int32_t k = s->n_children; k <= i; k++) {
            c[k] = NULL;
        }
        s->children = c;
        s->n_children = i + 1;
    }
    if (s->children[i] == NULL) {
        tg_state *c = state_alloc(n_slots, 0, 0);
        if (c == NULL) {
            return NULL;
        }
        c->go_handle = s->go_handle;
        c->eval_node = s->eval_node;
        c->n_consts = s->n_consts;
        c->consts = s->consts;
        c->busy = 1; /* held through its parent, never acquired */
        s->children[i] = c;
    }
    return s->children[i];
}

void *tg_slot_get(tg_state *s, int32_t i, size_t bytes)
{
    if (s == NULL || i < 0 || i >= s->n_slots) {
        return NULL;
    }
    tg_slot *slot = &s->slots[i];
    if (slot->data != NULL && slot->bytes >= bytes) {
        return slot->data;
    }
    /* Round up to a multiple of 64 (aligned_alloc requires it) and keep at
     * least 64 bytes, so a zero-size request still gets a valid pointer. */
    if (bytes > SIZE_MAX - 63) {
        return NULL;
    }
    size_t size = (bytes + 63) & ~(size_t)63;
    if (size == 0) {
        size = 64;
    }
    void *p = aligned_alloc(64, size);
    if (p == NULL) {
        return NULL;
    }
    free(slot->data);
    slot->data = p;
    slot->bytes = size;
    return p;
}

int64_t tg_now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
