/*
 * rt_test.c: unit tests of the runtime library's C code (the pool, the
 * per-function state, the BLAS entry points), compiled with every
 * .c file of codegen/runtime and run by codegen/runtime/rt_c_test.go.
 *
 * usage: rt_test BLAS_LIBRARY|"" N_THREADS [bench]
 * Prints "ok <test>" per passing test and "FAIL <test>: <why>" otherwise;
 * exits nonzero when anything failed. With "bench" it also prints timings
 * ("bench ..." lines); the tests never assert on time.
 */
#define _POSIX_C_SOURCE 200809L

#include "tg_blas.h"
#include "tg_rt.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...)                                  \
    do {                                                  \
        if (!(cond)) {                                    \
            printf("FAIL %s: ", __func__);                \
            printf(__VA_ARGS__);                          \
            printf("\n");                                 \
            failures++;                                   \
            return;                                       \
        }                                                 \
    } while (0)

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static double rnd_unit(void) { return (double)(rnd() >> 11) * 0x1p-53 * 2 - 1; }
static int64_t rnd_int(int64_t lo, int64_t hi) { return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1)); }

/* --- pool ------------------------------------------------------------------- */

typedef struct {
    int64_t sum;            /* atomic */
    unsigned char *visits;  /* visits[i] counts body calls covering i */
} sum_ctx;

static void sum_body(void *ctx, int64_t b, int64_t e)
{
    sum_ctx *s = ctx;
    int64_t local = 0;
    for (int64_t i = b; i < e; i++) {
        local += (i * i) % 1000003;
        if (s->visits) {
            s->visits[i]++;
        }
    }
    __atomic_fetch_add(&s->sum, local, __ATOMIC_RELAXED);
}

static int64_t serial_sum(int64_t n)
{
    int64_t s = 0;
    for (int64_t i = 0; i < n; i++) {
        s += (i * i) % 1000003;
    }
    return s;
}

static void test_pool_sum(void)
{
    const int64_t n = 10000000;
    sum_ctx s = {0, calloc((size_t)n, 1)};
    CHECK(s.visits != NULL, "calloc");
    tg_parallel_for(n, 1000, sum_body, &s);
    int64_t want = serial_sum(n);
    CHECK(s.sum == want, "sum %lld, serial %lld", (long long)s.sum, (long long)want);
    for (int64_t i = 0; i < n; i++) {
        CHECK(s.visits[i] == 1, "index %lld visited %d times", (long long)i, s.visits[i]);
    }
    free(s.visits);
    printf("ok %s\n", __func__);
}

static void test_pool_many_loops(void)
{
    for (int it = 0; it < 20000; it++) {
        int64_t n = rnd_int(0, 5000);
        int64_t grain = rnd_int(1, 300);
        sum_ctx s = {0, NULL};
        tg_parallel_for(n, grain, sum_body, &s);
        CHECK(s.sum == serial_sum(n), "loop %d (n %lld grain %lld): wrong sum", it, (long long)n, (long long)grain);
    }
    printf("ok %s\n", __func__);
}

static void nested_body(void *ctx, int64_t b, int64_t e)
{
    sum_ctx *outer = ctx;
    for (int64_t i = b; i < e; i++) {
        sum_ctx inner = {0, NULL};
        tg_parallel_for(1000, 10, sum_body, &inner); /* runs serially, must not deadlock */
        __atomic_fetch_add(&outer->sum, inner.sum, __ATOMIC_RELAXED);
    }
}

static void test_pool_nested(void)
{
    sum_ctx s = {0, NULL};
    tg_parallel_for(100, 1, nested_body, &s);
    CHECK(s.sum == 100 * serial_sum(1000), "nested sum %lld", (long long)s.sum);
    printf("ok %s\n", __func__);
}

static void *caller_main(void *arg)
{
    int *bad = arg;
    for (int it = 0; it < 2000; it++) {
        int64_t n = 1000 + it;
        sum_ctx s = {0, NULL};
        tg_parallel_for(n, 16, sum_body, &s);
        if (s.sum != serial_sum(n)) {
            __atomic_fetch_add(bad, 1, __ATOMIC_RELAXED);
        }
    }
    return NULL;
}

static void test_pool_four_callers(void)
{
    pthread_t th[4];
    int bad = 0;
    for (int i = 0; i < 4; i++) {
        CHECK(pthread_create(&th[i], NULL, caller_main, &bad) == 0, "pthread_create");
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
    }
    CHECK(bad == 0, "%d loops from 4 caller threads summed wrong", bad);
    printf("ok %s\n", __func__);
}

/* --- state ------------------------------------------------------------------ */

static void test_state(void)
{
    tg_state *s = tg_state_new(3, 2, 1);
    CHECK(s != NULL, "tg_state_new");
    s->go_handle = 42;
    tg_state *a = tg_state_acquire(s);
    CHECK(a == s, "first acquire should take the shared state");
    tg_state *b = tg_state_acquire(s);
    CHECK(b != NULL && b != s && b->go_handle == 42 && b->n_slots == 3, "second acquire should get a private copy");
    b->prof_ns[1] = 7;
    b->prof_calls[1] = 1;
    void *p = tg_slot_get(b, 0, 100);
    CHECK(p != NULL && ((uintptr_t)p & 63) == 0, "private slot not 64-byte aligned");
    tg_state_release(s, b);
    CHECK(s->prof_ns[1] == 7 && s->prof_calls[1] == 1, "private profile not added into the shared one");
    tg_state_release(s, a);
    tg_state *c = tg_state_acquire(s);
    CHECK(c == s, "acquire after release should take the shared state");

    void *s0 = tg_slot_get(s, 0, 1000);
    CHECK(s0 != NULL && ((uintptr_t)s0 & 63) == 0, "slot not aligned");
    memset(s0, 1, 1000);
    CHECK(tg_slot_get(s, 0, 500) == s0, "a smaller request should reuse the slot");
    void *big = tg_slot_get(s, 0, 1 << 20);
    CHECK(big != NULL && ((uintptr_t)big & 63) == 0, "grown slot not aligned");
    memset(big, 2, 1 << 20);
    CHECK(tg_slot_get(s, 1, 0) != NULL, "a zero-byte slot should still be a pointer");
    CHECK(tg_slot_get(s, 3, 8) == NULL && tg_slot_get(s, -1, 8) == NULL, "out-of-range slot index");
    tg_state_release(s, c);
    tg_state_free(s);

    char *err = NULL;
    CHECK(tg_set_error(&err, "ValueError: %d and %s", 3, "x") == 1 && err && strcmp(err, "ValueError: 3 and x") == 0,
          "tg_set_error: %s", err ? err : "(null)");
    free(err);
    int64_t t0 = tg_now_ns(), t1 = tg_now_ns();
    CHECK(t0 > 0 && t1 >= t0, "tg_now_ns not monotonic");
    printf("ok %s\n", __func__);
}

/* --- BLAS: raw gemm ------------------------------------------------------------ */

static void test_raw_gemm(void)
{
    for (int it = 0; it < 200; it++) {
        int ta = (int)(rnd() & 1), tb = (int)(rnd() & 1);
        int64_t m = rnd_int(1, 70), n = rnd_int(1, 600), k = rnd_int(0, 300);
        int64_t lda = (ta ? m : k) + rnd_int(0, 3), ldb = (tb ? k : n) + rnd_int(0, 3), ldc = n + rnd_int(0, 3);
        double alpha = it % 7 == 0 ? 0 : rnd_unit(), beta = it % 3 == 0 ? 0 : rnd_unit();
        int64_t asz = (ta ? k : m) * lda + 1, bsz = (tb ? n : k) * ldb + 1, csz = m * ldc;
        double *a = malloc(sizeof(double) * (size_t)asz), *b = malloc(sizeof(double) * (size_t)bsz);
        double *c = malloc(sizeof(double) * (size_t)csz), *want = malloc(sizeof(double) * (size_t)csz);
        float *af = malloc(sizeof(float) * (size_t)asz), *bf = malloc(sizeof(float) * (size_t)bsz);
        float *cf = malloc(sizeof(float) * (size_t)csz);
        CHECK(a && b && c && want && af && bf && cf, "malloc");
        for (int64_t i = 0; i < asz; i++) af[i] = (float)(a[i] = rnd_unit());
        for (int64_t i = 0; i < bsz; i++) bf[i] = (float)(b[i] = rnd_unit());
        for (int64_t i = 0; i < csz; i++) {
            c[i] = beta == 0 ? NAN : rnd_unit(); /* beta 0: C must not be read */
            cf[i] = (float)c[i];
            want[i] = c[i];
        }
        for (int64_t i = 0; i < m; i++) {
            for (int64_t j = 0; j < n; j++) {
                double acc = 0;
                for (int64_t p = 0; p < k; p++) {
                    acc += (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                }
                want[i * ldc + j] = alpha * acc + (beta == 0 ? 0 : beta * c[i * ldc + j]);
            }
        }
        tg_dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        tg_sgemm(ta, tb, m, n, k, (float)alpha, af, lda, bf, ldb, (float)beta, cf, ldc);
        for (int64_t i = 0; i < m; i++) {
            for (int64_t j = 0; j < n; j++) {
                double w = want[i * ldc + j];
                CHECK(fabs(c[i * ldc + j] - w) <= 1e-9 * (1 + k), "dgemm %d (ta %d tb %d %lldx%lldx%lld) [%lld,%lld]: %g want %g",
                      it, ta, tb, (long long)m, (long long)n, (long long)k, (long long)i, (long long)j, c[i * ldc + j], w);
                CHECK(fabs(cf[i * ldc + j] - w) <= 1e-4 * (1 + k), "sgemm %d [%lld,%lld]: %g want %g", it, (long long)i,
                      (long long)j, cf[i * ldc + j], w);
            }
        }
        free(a), free(b), free(c), free(want), free(af), free(bf), free(cf);
    }
    printf("ok %s\n", __func__);
}

/* --- BLAS: views ---------------------------------------------------------------- */

/* A random 1-D or 2-D view of dtype dt over fresh memory: contiguous,
 * transposed, strided, reversed or broadcast. Values are small integers
 * (exact in every dtype). The memory is returned in *mem to free. */
static size_t esz(int32_t dt)
{
    switch (dt) {
    case TG_FLOAT32: case TG_INT32: return 4;
    case TG_FLOAT64: case TG_INT64: return 8;
    case TG_INT8: case TG_BOOL: return 1;
    default: return 8;
    }
}

static double get(const tg_view *v, int64_t i, int64_t j)
{
    int64_t off = v->ndim == 0 ? 0 : v->ndim == 1 ? i * v->strides[0] : i * v->strides[0] + j * v->strides[1];
    const char *p = v->data + off * (int64_t)esz(v->dtype);
    switch (v->dtype) {
    case TG_FLOAT32: return *(const float *)p;
    case TG_FLOAT64: return *(const double *)p;
    case TG_INT32: return *(const int32_t *)p;
    case TG_INT64: return (double)*(const int64_t *)p;
    case TG_INT8: return *(const int8_t *)p;
    case TG_BOOL: return *(const uint8_t *)p;
    }
    return NAN;
}

static void set(const tg_view *v, int64_t i, int64_t j, double x)
{
    int64_t off = v->ndim == 0 ? 0 : v->ndim == 1 ? i * v->strides[0] : i * v->strides[0] + j * v->strides[1];
    char *p = v->data + off * (int64_t)esz(v->dtype);
    switch (v->dtype) {
    case TG_FLOAT32: *(float *)p = (float)x; break;
    case TG_FLOAT64: *(double *)p = x; break;
    case TG_INT32: *(int32_t *)p = (int32_t)x; break;
    case TG_INT64: *(int64_t *)p = (int64_t)x; break;
    case TG_INT8: *(int8_t *)p = (int8_t)x; break;
    case TG_BOOL: *(uint8_t *)p = x != 0; break;
    }
}

static tg_view random_view(int32_t dt, int ndim, int64_t r, int64_t c, void **mem)
{
    tg_view v;
    memset(&v, 0, sizeof v);
    v.ndim = ndim, v.dtype = dt;
    int64_t shape[2] = {r, c};
    int layout = (int)(rnd() % 5); /* 0 contiguous, 1 transposed, 2 strided, 3 reversed, 4 broadcast */
    int64_t len0 = shape[0], len1 = ndim == 2 ? shape[1] : 1;
    int64_t pad = layout == 2 ? 3 : 1;
    int64_t total = (len0 * pad + 2) * (len1 * pad + 2);
    *mem = calloc((size_t)total, esz(dt));
    char *base = *mem;
    int64_t s0 = len1 * pad, s1 = pad;
    if (layout == 1 && ndim == 2) {
        s0 = 1, s1 = len0;
    }
    if (ndim == 1) {
        s0 = pad;
    }
    v.data = base;
    if (layout == 3) {
        s0 = -s0;
        v.data = base + (len0 - 1) * (-s0) * (int64_t)esz(dt);
    }
    if (layout == 4) {
        s0 = 0;
    }
    v.shape[0] = shape[0], v.strides[0] = s0;
    if (ndim == 2) {
        v.shape[1] = shape[1], v.strides[1] = s1;
    }
    for (int64_t i = 0; i < len0; i++) {
        for (int64_t j = 0; j < len1; j++) {
            set(&v, i, j, dt == TG_BOOL ? (double)(rnd() & 1) : (double)rnd_int(-4, 4));
        }
    }
    return v;
}

static tg_view contiguous(int32_t dt, int ndim, int64_t r, int64_t c, void **mem)
{
    tg_view v;
    memset(&v, 0, sizeof v);
    v.ndim = ndim, v.dtype = dt;
    if (ndim >= 1) v.shape[0] = r, v.strides[0] = ndim == 2 ? c : 1;
    if (ndim == 2) v.shape[1] = c, v.strides[1] = 1;
    *mem = malloc((size_t)(r * c + 1) * esz(dt));
    v.data = *mem;
    for (int64_t i = 0; i < r * c + 1; i++) {
        if (dt == TG_FLOAT64) ((double *)v.data)[i] = NAN;
        else if (dt == TG_FLOAT32) ((float *)v.data)[i] = NAN;
        else memset(v.data + i * (int64_t)esz(dt), 0x5a, esz(dt));
    }
    return v;
}

static tg_view scalar(int32_t dt, double x, void **mem)
{
    tg_view v = contiguous(dt, 0, 1, 1, mem);
    set(&v, 0, 0, x);
    return v;
}

static void test_dot_views(void)
{
    static const int32_t dts[] = {TG_FLOAT32, TG_FLOAT64, TG_INT32, TG_INT64, TG_INT8, TG_BOOL};
    for (int it = 0; it < 600; it++) {
        int32_t dt = dts[it % 6];
        int xn = 1 + (int)(rnd() & 1), yn = 1 + (int)(rnd() & 1);
        int64_t m = rnd_int(0, 40), k = rnd_int(0, 40), n = rnd_int(0, 40);
        if (it % 50 == 0) m = rnd_int(100, 200), k = rnd_int(100, 300), n = rnd_int(100, 200);
        void *mx, *my, *mo;
        tg_view x = random_view(dt, xn, xn == 2 ? m : k, k, &mx);
        tg_view y = random_view(dt, yn, k, n, &my);
        int64_t orows = xn == 2 ? m : (yn == 2 ? n : 1), ocols = xn == 2 && yn == 2 ? n : 1;
        tg_view out = contiguous(dt, xn + yn - 2, orows, ocols, &mo);
        if (xn == 1 && yn == 2) out.shape[0] = n;
        char *err = NULL;
        int rc = tg_dot(&x, &y, &out, &err);
        CHECK(rc == 0, "dot %d: %s", it, err ? err : "?");
        int64_t rows = xn == 2 ? m : 1, cols = yn == 2 ? n : 1;
        for (int64_t i = 0; i < rows; i++) {
            for (int64_t j = 0; j < cols; j++) {
                double acc = 0;
                for (int64_t p = 0; p < k; p++) {
                    acc += get(&x, xn == 2 ? i : p, p) * get(&y, p, j);
                }
                if (dt == TG_INT8) acc = (double)(int8_t)(int64_t)acc;
                if (dt == TG_BOOL) acc = acc != 0;
                double got = out.ndim == 0 ? get(&out, 0, 0) : out.ndim == 1 ? get(&out, xn == 2 ? i : j, 0) : get(&out, i, j);
                CHECK(fabs(got - acc) <= 1e-3, "dot %d dtype %d (%dD %lldx%lld)·(%dD n %lld): [%lld,%lld] %g want %g", it, dt,
                      xn, (long long)m, (long long)k, yn, (long long)n, (long long)i, (long long)j, got, acc);
            }
        }
        free(mx), free(my), free(mo);
    }
    /* the evaluator's message for misaligned inputs */
    void *ma, *mb, *mo;
    tg_view a = contiguous(TG_FLOAT64, 2, 2, 3, &ma), b = contiguous(TG_FLOAT64, 1, 4, 1, &mb);
    tg_view o = contiguous(TG_FLOAT64, 1, 2, 1, &mo);
    char *err = NULL;
    CHECK(tg_dot(&a, &b, &o, &err) == 1 && err &&
              strcmp(err, "ValueError: dot: shapes [2 3] and [4] not aligned: 3 (dim 1) != 4 (dim 0)") == 0,
          "misaligned dot: %s", err ? err : "(no error)");
    free(err), free(ma), free(mb), free(mo);
    printf("ok %s\n", __func__);
}

static void test_gemm_gemv_ger_views(void)
{
    for (int it = 0; it < 600; it++) {
        int32_t dt = it % 2 ? TG_FLOAT32 : TG_FLOAT64;
        int op = it % 3; /* 0 gemm, 1 gemv, 2 ger */
        int64_t m = rnd_int(0, 50), k = rnd_int(0, 50), n = rnd_int(0, 50);
        double al = it % 11 == 0 ? 0 : rnd_int(-3, 3), be = it % 5 == 0 ? 0 : rnd_int(-3, 3);
        void *mz, *mx, *my, *mo, *ma, *mb;
        tg_view alpha = scalar(dt, al, &ma), beta = scalar(dt, be, &mb);
        tg_view z, x, y, out;
        int inplace = it % 4 == 0;
        if (op == 0) {
            z = random_view(dt, 2, m, n, &mz), x = random_view(dt, 2, m, k, &mx), y = random_view(dt, 2, k, n, &my);
        } else if (op == 1) {
            z = random_view(dt, 1, m, 1, &mz), x = random_view(dt, 2, m, k, &mx), y = random_view(dt, 1, k, 1, &my);
        } else {
            z = random_view(dt, 2, m, n, &mz), x = random_view(dt, 1, m, 1, &mx), y = random_view(dt, 1, n, 1, &my);
        }
        /* the reference, from z before any in-place write */
        int64_t rows = m, cols = op == 1 ? 1 : n;
        double *want = malloc(sizeof(double) * (size_t)(rows * cols + 1));
        CHECK(want != NULL, "malloc");
        for (int64_t i = 0; i < rows; i++) {
            for (int64_t j = 0; j < cols; j++) {
                double acc = 0;
                if (op == 2) {
                    acc = get(&x, i, 0) * get(&y, j, 0);
                } else {
                    for (int64_t p = 0; p < k; p++) acc += get(&x, i, p) * get(&y, p, j);
                }
                double zv = get(&z, i, j);
                want[i * cols + j] = op == 2 ? zv + al * acc : al * acc + (be == 0 ? 0 : be * zv);
            }
        }
        int writable = z.strides[0] != 0 && (z.ndim == 1 || z.strides[1] != 0); /* a broadcast z is never an output */
        if (inplace && writable) {
            out = z, mo = NULL;
        } else {
            out = contiguous(dt, z.ndim, m, op == 1 ? 1 : n, &mo);
            if (op == 1) out.shape[0] = m, out.strides[0] = 1;
        }
        char *err = NULL;
        int rc = op == 0 ? tg_gemm(&z, &alpha, &x, &y, &beta, &out, &err)
                 : op == 1 ? tg_gemv(&z, &alpha, &x, &y, &beta, &out, &err)
                           : tg_ger(&z, &alpha, &x, &y, &out, &err);
        CHECK(rc == 0, "op %d it %d: %s", op, it, err ? err : "?");
        for (int64_t i = 0; i < rows; i++) {
            for (int64_t j = 0; j < cols; j++) {
                double got = get(&out, i, j);
                CHECK(fabs(got - want[i * cols + j]) <= 1e-3, "op %d it %d dt %d in-place %d (%lld %lld %lld): [%lld,%lld] %g want %g",
                      op, it, dt, mo == NULL, (long long)m, (long long)k, (long long)n, (long long)i, (long long)j, got,
                      want[i * cols + j]);
            }
        }
        free(want), free(mz), free(mx), free(my), free(mo), free(ma), free(mb);
    }
    void *mz, *mx, *my, *mo, *ma, *mb;
    tg_view z = contiguous(TG_FLOAT32, 2, 2, 4, &mz), x = contiguous(TG_FLOAT32, 2, 2, 3, &mx);
    tg_view y = contiguous(TG_FLOAT32, 2, 5, 4, &my), o = contiguous(TG_FLOAT32, 2, 2, 4, &mo);
    tg_view al = scalar(TG_FLOAT32, 1, &ma), be = scalar(TG_FLOAT32, 1, &mb);
    char *err = NULL;
    CHECK(tg_gemm(&z, &al, &x, &y, &be, &o, &err) == 1 && err &&
              strcmp(err, "ValueError: gemm: shapes Z [2 4], X [2 3], Y [5 4] do not fit a*X·Y + b*Z") == 0,
          "gemm mismatch: %s", err ? err : "(no error)");
    free(err), free(mz), free(mx), free(my), free(mo), free(ma), free(mb);
    printf("ok %s\n", __func__);
}

/* --- measurements (printed, never asserted) ----------------------------------------- */

static void noop_body(void *ctx, int64_t b, int64_t e)
{
    (void)ctx, (void)b, (void)e;
}

static void bench(void)
{
    int reps = 20000;
    int64_t t0 = tg_now_ns();
    for (int i = 0; i < reps; i++) {
        tg_parallel_for(2, 1, noop_body, NULL);
    }
    int64_t t1 = tg_now_ns();
    printf("bench fork/join of an empty loop on %d threads: %.2f us\n", tg_num_threads(), (double)(t1 - t0) / reps / 1e3);

    int64_t shapes[][3] = {{60, 784, 500}, {600, 784, 500}};
    for (int s = 0; s < 2; s++) {
        int64_t m = shapes[s][0], k = shapes[s][1], n = shapes[s][2];
        float *a = malloc(sizeof(float) * (size_t)(m * k)), *b = malloc(sizeof(float) * (size_t)(k * n));
        float *c = malloc(sizeof(float) * (size_t)(m * n));
        if (!a || !b || !c) return;
        for (int64_t i = 0; i < m * k; i++) a[i] = (float)rnd_unit();
        for (int64_t i = 0; i < k * n; i++) b[i] = (float)rnd_unit();
        tg_sgemm(0, 0, m, n, k, 1, a, k, b, n, 0, c, n); /* warm up */
        int r = 0;
        int64_t start = tg_now_ns(), now = start;
        while (now - start < 1000000000 && r < 2000) {
            tg_sgemm(0, 0, m, n, k, 1, a, k, b, n, 0, c, n);
            r++;
            now = tg_now_ns();
        }
        double sec = (double)(now - start) / 1e9 / r;
        printf("bench sgemm %lldx%lld @ %lldx%lld: %.3f ms, %.1f GFLOP/s (%s)\n", (long long)m, (long long)k,
               (long long)k, (long long)n, sec * 1e3, 2.0 * m * n * k / sec / 1e9,
               tg_blas_library()[0] ? tg_blas_library() : "portable loops");
        free(a), free(b), free(c);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: rt_test BLAS_LIBRARY|\"\" N_THREADS [bench]\n");
        return 2;
    }
    char *err = NULL;
    if (tg_rt_init(argv[1], atoi(argv[2]), &err) != 0) {
        printf("FAIL tg_rt_init: %s\n", err ? err : "?");
        return 1;
    }
    if (tg_rt_init("/nonexistent.so", 1, &err) != 0) { /* a second call is a no-op */
        printf("FAIL second tg_rt_init: %s\n", err ? err : "?");
        return 1;
    }
    printf("info threads %d blas %s\n", tg_num_threads(), tg_blas_library()[0] ? tg_blas_library() : "(portable)");
    if (argc > 3 && strcmp(argv[3], "bench") == 0) {
        bench();
        return 0;
    }
    test_pool_sum();
    test_pool_many_loops();
    test_pool_nested();
    test_pool_four_callers();
    test_state();
    test_raw_gemm();
    test_dot_views();
    test_gemm_gemv_ger_views();
    return failures != 0;
}
