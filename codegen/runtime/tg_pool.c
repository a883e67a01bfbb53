//go:build ignore

/*
 * tg_pool.c: the thread pool behind tg_parallel_for.
 *
 * The pool has n_threads-1 worker threads; the thread that calls
 * tg_parallel_for is the n-th and runs the first chunk itself. A loop over
 * [0, n) is split statically into nchunks = min(n_threads, n/grain)
 * contiguous chunks of nearly equal length: chunk i goes to worker i-1
 * (chunk 0 to the caller). Static chunks suit the loops kernels run
 * (elementwise bodies of equal cost per index) and need no shared counter.
 *
 * Spinning briefly, then sleeping: after a loop each worker watches for
 * the next one for about SPIN_NS (a kernel runs its loops back to back, so
 * the next one usually comes within that time and starts without a
 * wake-up), then waits on a condition variable, so that an idle pool
 * leaves its cores to whoever needs them (OpenBLAS's own threads, another
 * process). The caller likewise watches for the workers to finish before
 * it sleeps. A loop that finds the workers asleep pays the wake-up of a
 * condition variable (tens of microseconds), which is why loops below a
 * size threshold run serially.
 *
 * Reentrancy: one parallel loop runs at a time. A loop started while the
 * pool is busy (another caller thread is in a parallel loop) does not wait
 * for it: it runs serially on its caller, since the pool's cores are busy
 * anyway. A loop started from inside a loop body (a worker, or the caller
 * while it runs its chunk) also runs serially, so bodies may call anything
 * that itself uses tg_parallel_for.
 *
 * After fork() the child has no workers: a pthread_atfork handler turns the
 * child's pool into a serial one.
 */
#define _POSIX_C_SOURCE 200809L

#include "tg_rt_internal.h"

#include <stdlib.h>
#include <time.h>

typedef struct pool {
    int n_threads;            /* workers + 1; 1 means serial */
    pthread_t *workers;

    pthread_mutex_t mu;       /* guards gen and the job fields below */
    pthread_cond_t work_cv;   /* workers wait here for a new generation */
    pthread_cond_t done_cv;   /* the caller waits here for pending == 0 */
    uint64_t gen;             /* incremented for each loop handed to workers */

    /* The current loop (written under mu before gen is incremented). */
    tg_range_fn body;
    void *ctx;
    int64_t n;
    int64_t nchunks;
    int pending;              /* workers still running the loop (atomic) */
    int sleepers;             /* workers waiting on work_cv (under mu) */
    int caller_waits;         /* the caller waits on done_cv (under mu) */

    pthread_mutex_t call_mu;  /* held by the caller for the whole loop */
} pool;

/* Serial (one thread) until tg_pool_start; positional, in field order. */
static pool the_pool = {1, NULL, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
                        0, NULL, NULL, 0, 0, 0, 0, 0, PTHREAD_MUTEX_INITIALIZER};

/* How long a worker watches for the next loop, and the caller for the end
 * of one, before sleeping. */
#define SPIN_NS 50000

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static inline int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Spins until *word differs from old (generation) or is zero (pending),
 * for at most SPIN_NS; returns whether it happened. */
static int spin_until(const void *word, uint64_t old, int is_gen)
{
    int64_t deadline = 0;
    for (int i = 0;; i++) {
        int done = is_gen ? __atomic_load_n((const uint64_t *)word, __ATOMIC_ACQUIRE) != old
                          : __atomic_load_n((const int *)word, __ATOMIC_ACQUIRE) == 0;
        if (done) {
            return 1;
        }
        if ((i & 63) == 0) {
            int64_t t = now_ns();
            if (deadline == 0) {
                deadline = t + SPIN_NS;
            } else if (t > deadline) {
                return 0;
            }
        }
        cpu_relax();
    }
}

/* Nonzero on a thread that is running a loop body: a nested loop on it
 * runs serially. Workers set it once for good. */
static TG_THREAD_LOCAL int in_loop;

/* Chunk i of [0, n) split into nchunks near-equal contiguous pieces. */
static void chunk_bounds(int64_t n, int64_t nchunks, int64_t i, int64_t *begin, int64_t *end)
{
    int64_t q = n / nchunks;
    int64_t r = n % nchunks;
    *begin = i * q + (i < r ? i : r);
    *end = *begin + q + (i < r ? 1 : 0);
}

static void *worker_main(void *arg)
{
    int64_t index = (int64_t)(intptr_t)arg; /* this worker runs chunk index+1 */
    pool *p = &the_pool;
    in_loop = 1;
    uint64_t seen = 0;
    for (;;) {
        spin_until(&p->gen, seen, 1);
        pthread_mutex_lock(&p->mu);
        while (p->gen == seen) {
            p->sleepers++;
            pthread_cond_wait(&p->work_cv, &p->mu);
            p->sleepers--;
        }
        seen = p->gen;
        tg_range_fn body = p->body;
        void *ctx = p->ctx;
        int64_t n = p->n;
        int64_t nchunks = p->nchunks;
        pthread_mutex_unlock(&p->mu);

        int64_t chunk = index + 1;
        if (chunk >= nchunks) {
            continue; /* this loop has fewer chunks than threads */
        }
        int64_t begin, end;
        chunk_bounds(n, nchunks, chunk, &begin, &end);
        body(ctx, begin, end);
        if (__atomic_sub_fetch(&p->pending, 1, __ATOMIC_ACQ_REL) == 0) {
            /* The last one out wakes the caller if it sleeps; taking mu
             * orders this after the caller's check of pending. */
            pthread_mutex_lock(&p->mu);
            if (p->caller_waits) {
                pthread_cond_signal(&p->done_cv);
            }
            pthread_mutex_unlock(&p->mu);
        }
    }
    return NULL;
}

static void atfork_child(void)
{
    /* The child has only the forking thread: run every loop serially. The
     * locks may have been held by threads that no longer exist. */
    pool *p = &the_pool;
    p->n_threads = 1;
    p->workers = NULL;
    pthread_mutex_init(&p->mu, NULL);
    pthread_mutex_init(&p->call_mu, NULL);
    pthread_cond_init(&p->work_cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    p->pending = 0;
    p->sleepers = 0;
    p->caller_waits = 0;
}

int tg_pool_start(int n_threads, char **err)
{
    pool *p = &the_pool;
    if (n_threads <= 1 || p->n_threads > 1) {
        return 0;
    }
    int rc = pthread_atfork(NULL, NULL, atfork_child);
    if (rc != 0) {
        return tg_set_error(err, "RuntimeError: pthread_atfork failed (error %d)", rc);
    }
    p->workers = (pthread_t *)calloc((size_t)n_threads - 1, sizeof *p->workers);
    if (p->workers == NULL) {
        return tg_set_error(err, "MemoryError: cannot allocate the thread pool");
    }
    for (int i = 0; i < n_threads - 1; i++) {
        rc = pthread_create(&p->workers[i], NULL, worker_main, (void *)(intptr_t)i);
        if (rc != 0) {
            /* The started workers stay asleep forever (gen never changes
             * for them with n_threads left at 1): harmless. */
            return tg_set_error(err, "RuntimeError: cannot start thread %d of the pool (error %d)", i + 1, rc);
        }
    }
    p->n_threads = n_threads;
    return 0;
}

int tg_num_threads(void)
{
    return the_pool.n_threads;
}

void tg_parallel_for(int64_t n, int64_t grain, tg_range_fn body, void *ctx)
{
    pool *p = &the_pool;
    if (n <= 0) {
        return;
    }
    if (grain < 1) {
        grain = 1;
    }
    int64_t nchunks = n / grain;
    if (nchunks > p->n_threads) {
        nchunks = p->n_threads;
    }
    if (nchunks < 2 || in_loop || pthread_mutex_trylock(&p->call_mu) != 0) {
        int was = in_loop;
        in_loop = 1;
        body(ctx, 0, n);
        in_loop = was;
        return;
    }

    pthread_mutex_lock(&p->mu);
    p->body = body;
    p->ctx = ctx;
    p->n = n;
    p->nchunks = nchunks;
    __atomic_store_n(&p->pending, (int)nchunks - 1, __ATOMIC_RELAXED);
    __atomic_store_n(&p->gen, p->gen + 1, __ATOMIC_RELEASE); /* spinning workers see it */
    if (p->sleepers > 0) {
        pthread_cond_broadcast(&p->work_cv);
    }
    pthread_mutex_unlock(&p->mu);

    int64_t begin, end;
    chunk_bounds(n, nchunks, 0, &begin, &end);
    in_loop = 1;
    body(ctx, begin, end);
    in_loop = 0;

    if (!spin_until(&p->pending, 0, 0)) {
        pthread_mutex_lock(&p->mu);
        p->caller_waits = 1;
        while (__atomic_load_n(&p->pending, __ATOMIC_ACQUIRE) != 0) {
            pthread_cond_wait(&p->done_cv, &p->mu);
        }
        p->caller_waits = 0;
        pthread_mutex_unlock(&p->mu);
    }
    pthread_mutex_unlock(&p->call_mu);
}
