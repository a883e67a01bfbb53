//go:build ignore

/*
 * tg_blas.c: the raw BLAS entry points (tg_sgemm, tg_dgemm in tg_rt.h;
 * tg_sgemv, tg_dgemv, tg_sger, tg_dger in tg_blas.h): a CBLAS library
 * loaded at tg_rt_init, or portable loops.
 *
 * Loading: dlopen(path, RTLD_NOW | RTLD_LOCAL) (local, so the library's
 * symbols never interpose on anything else in the process), then dlsym of
 * each routine under its plain CBLAS name (cblas_sgemm: system OpenBLAS,
 * reference CBLAS, BLIS) or with the "scipy_" prefix that the
 * scipy-openblas32 wheel uses for every exported symbol
 * (scipy_cblas_sgemm). The library's own thread count is set to the pool's
 * (openblas_set_num_threads, or scipy_openblas_set_num_threads) when it
 * has that function. These are 32-bit-int (LP64) interfaces: a length or
 * leading dimension beyond INT_MAX goes to the portable loops.
 *
 * The function pointers are written once, in tg_rt_init, before any kernel
 * runs, and only read afterwards.
 */
#define _POSIX_C_SOURCE 200809L

#include "tg_blas.h"
#include "tg_rt_internal.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CBLAS enum values (cblas.h). */
enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                         float *, int);
typedef void (*dgemm_fn)(int, int, int, int, int, int, double, const double *, int, const double *, int, double,
                         double *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*dgemv_fn)(int, int, int, int, double, const double *, int, const double *, int, double, double *,
                         int);
typedef void (*sger_fn)(int, int, int, float, const float *, int, const float *, int, float *, int);
typedef void (*dger_fn)(int, int, int, double, const double *, int, const double *, int, double *, int);
typedef void (*set_threads_fn)(int);

static struct {
    char path[4096];
    sgemm_fn sgemm;
    dgemm_fn dgemm;
    sgemv_fn sgemv;
    dgemv_fn dgemv;
    sger_fn sger;
    dger_fn dger;
} blas;

/* Looks name up with each prefix in turn; NULL when none has it. */
static void *find_symbol(void *lib, const char *name)
{
    static const char *const prefixes[] = {"", "scipy_"};
    char full[128];
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        int n = snprintf(full, sizeof full, "%s%s", prefixes[i], name);
        if (n < 0 || (size_t)n >= sizeof full) {
            continue;
        }
        void *sym = dlsym(lib, full);
        if (sym != NULL) {
            return sym;
        }
    }
    return NULL;
}

/* Converts dlsym's object pointer to a function pointer (POSIX guarantees
 * the representation; memcpy keeps ISO C quiet). */
#define LOAD(field, name)                                        \
    do {                                                         \
        void *sym_ = find_symbol(lib, name);                     \
        memcpy(&blas.field, &sym_, sizeof blas.field);           \
    } while (0)

int tg_blas_load(const char *path, int n_threads, char **err)
{
    if (path == NULL || path[0] == '\0') {
        return 0;
    }
    if (strlen(path) >= sizeof blas.path) {
        return tg_set_error(err, "RuntimeError: BLAS library path too long: %.64s...", path);
    }
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        const char *why = dlerror();
        return tg_set_error(err, "RuntimeError: cannot load the BLAS library %s: %s", path, why ? why : "?");
    }
    LOAD(sgemm, "cblas_sgemm");
    LOAD(dgemm, "cblas_dgemm");
    LOAD(sgemv, "cblas_sgemv");
    LOAD(dgemv, "cblas_dgemv");
    LOAD(sger, "cblas_sger");
    LOAD(dger, "cblas_dger");
    if (!blas.sgemm || !blas.dgemm || !blas.sgemv || !blas.dgemv || !blas.sger || !blas.dger) {
        memset(&blas, 0, sizeof blas);
        dlclose(lib);
        return tg_set_error(err,
                            "RuntimeError: %s is not a CBLAS library: it lacks cblas_sgemm, cblas_dgemm, "
                            "cblas_sgemv, cblas_dgemv, cblas_sger or cblas_dger (also tried the scipy_ prefix)",
                            path);
    }
    set_threads_fn set_threads;
    void *sym = find_symbol(lib, "openblas_set_num_threads");
    memcpy(&set_threads, &sym, sizeof set_threads);
    if (set_threads != NULL && n_threads > 0) {
        set_threads(n_threads);
    }
    memcpy(blas.path, path, strlen(path) + 1);
    return 0; /* the library stays loaded for the life of the process */
}

const char *tg_blas_library(void)
{
    return blas.path;
}

/* fits: every length and leading dimension a 32-bit CBLAS int takes. */
static int fits(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f)
{
    return a <= INT_MAX && b <= INT_MAX && c <= INT_MAX && d <= INT_MAX && e <= INT_MAX && f <= INT_MAX;
}

/* --- portable gemm --------------------------------------------------------
 *
 * Rows of C are split across the pool. Each thread walks C in blocks of
 * NC columns and the inner dimension in blocks of KC, packs the block of
 * op(B) into a contiguous KC x NC panel (so the transposed case reads it
 * with unit stride too), then, MC rows at a time, packs alpha*op(A) and
 * accumulates C[i, j] += a[i, p] * b[p, j] with j innermost: a loop the
 * compiler vectorizes. When the panels cannot be allocated it falls back
 * to the unpacked triple loop. */

enum { GEMM_MC = 64, GEMM_KC = 256, GEMM_NC = 512 };

#define PORTABLE_GEMM(NAME, T)                                                                                   \
    typedef struct {                                                                                             \
        int trans_a, trans_b;                                                                                    \
        int64_t n, k;                                                                                            \
        T alpha, beta;                                                                                           \
        const T *a;                                                                                              \
        int64_t lda;                                                                                             \
        const T *b;                                                                                              \
        int64_t ldb;                                                                                             \
        T *c;                                                                                                    \
        int64_t ldc;                                                                                             \
    } NAME##_job;                                                                                                \
                                                                                                                 \
    static void NAME##_rows(void *ctx, int64_t i0, int64_t i1)                                                   \
    {                                                                                                            \
        const NAME##_job *g = ctx;                                                                               \
        const int64_t n = g->n, k = g->k;                                                                        \
        for (int64_t i = i0; i < i1; i++) {                                                                      \
            T *crow = g->c + i * g->ldc;                                                                         \
            for (int64_t j = 0; j < n; j++) {                                                                    \
                crow[j] = g->beta == 0 ? (T)0 : g->beta * crow[j];                                               \
            }                                                                                                    \
        }                                                                                                        \
        if (k == 0 || g->alpha == 0) {                                                                           \
            return;                                                                                              \
        }                                                                                                        \
        T *pb = malloc(sizeof(T) * GEMM_KC * GEMM_NC);                                                           \
        T *pa = malloc(sizeof(T) * GEMM_MC * GEMM_KC);                                                           \
        if (pa == NULL || pb == NULL) {                                                                          \
            free(pa);                                                                                            \
            free(pb);                                                                                            \
            for (int64_t i = i0; i < i1; i++) {                                                                  \
                for (int64_t p = 0; p < k; p++) {                                                                \
                    T av = g->alpha * (g->trans_a ? g->a[p * g->lda + i] : g->a[i * g->lda + p]);                \
                    for (int64_t j = 0; j < n; j++) {                                                            \
                        g->c[i * g->ldc + j] += av * (g->trans_b ? g->b[j * g->ldb + p] : g->b[p * g->ldb + j]); \
                    }                                                                                            \
                }                                                                                                \
            }                                                                                                    \
            return;                                                                                              \
        }                                                                                                        \
        for (int64_t jc = 0; jc < n; jc += GEMM_NC) {                                                            \
            int64_t nc = n - jc < GEMM_NC ? n - jc : GEMM_NC;                                                    \
            for (int64_t pc = 0; pc < k; pc += GEMM_KC) {                                                        \
                int64_t kc = k - pc < GEMM_KC ? k - pc : GEMM_KC;                                                \
                for (int64_t p = 0; p < kc; p++) {                                                               \
                    T *dst = pb + p * nc;                                                                        \
                    if (g->trans_b) {                                                                            \
                        for (int64_t j = 0; j < nc; j++) {                                                       \
                            dst[j] = g->b[(jc + j) * g->ldb + pc + p];                                           \
                        }                                                                                        \
                    } else {                                                                                     \
                        memcpy(dst, g->b + (pc + p) * g->ldb + jc, sizeof(T) * (size_t)nc);                      \
                    }                                                                                            \
                }                                                                                                \
                for (int64_t ic = i0; ic < i1; ic += GEMM_MC) {                                                  \
                    int64_t mc = i1 - ic < GEMM_MC ? i1 - ic : GEMM_MC;                                          \
                    for (int64_t i = 0; i < mc; i++) {                                                           \
                        for (int64_t p = 0; p < kc; p++) {                                                       \
                            int64_t r = ic + i, q = pc + p;                                                      \
                            pa[i * kc + p] = g->alpha * (g->trans_a ? g->a[q * g->lda + r] : g->a[r * g->lda + q]); \
                        }                                                                                        \
                    }                                                                                            \
                    for (int64_t i = 0; i < mc; i++) {                                                           \
                        T *restrict crow = g->c + (ic + i) * g->ldc + jc;                                        \
                        for (int64_t p = 0; p < kc; p++) {                                                       \
                            const T av = pa[i * kc + p];                                                         \
                            const T *restrict brow = pb + p * nc;                                                \
                            for (int64_t j = 0; j < nc; j++) {                                                   \
                                crow[j] += av * brow[j];                                                         \
                            }                                                                                    \
                        }                                                                                        \
                    }                                                                                            \
                }                                                                                                \
            }                                                                                                    \
        }                                                                                                        \
        free(pa);                                                                                                \
        free(pb);                                                                                                \
    }                                                                                                            \
                                                                                                                 \
    static void NAME##_portable(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T *a,   \
                                int64_t lda, const T *b, int64_t ldb, T beta, T *c, int64_t ldc)                 \
    {                                                                                                            \
        NAME##_job g = {trans_a, trans_b, n, k, alpha, beta, a, lda, b, ldb, c, ldc};                            \
        /* A grain of rows worth about 64K multiply-adds per chunk. */                                          \
        int64_t work = n * (k > 0 ? k : 1);                                                                      \
        int64_t grain = work >= 65536 ? 1 : 65536 / (work > 0 ? work : 1);                                       \
        tg_parallel_for(m, grain, NAME##_rows, &g);                                                              \
    }

PORTABLE_GEMM(sgemm, float)
PORTABLE_GEMM(dgemm, double)

void tg_sgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
              const float *b, int64_t ldb, float beta, float *c, int64_t ldc)
{
    if (m <= 0 || n <= 0) {
        return;
    }
    if (blas.sgemm != NULL && k > 0 && alpha != 0 && fits(m, n, k, lda, ldb, ldc)) {
        blas.sgemm(CBLAS_ROW_MAJOR, trans_a ? CBLAS_TRANS : CBLAS_NO_TRANS, trans_b ? CBLAS_TRANS : CBLAS_NO_TRANS,
                   (int)m, (int)n, (int)k, alpha, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
        return;
    }
    sgemm_portable(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void tg_dgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, double alpha, const double *a,
              int64_t lda, const double *b, int64_t ldb, double beta, double *c, int64_t ldc)
{
    if (m <= 0 || n <= 0) {
        return;
    }
    if (blas.dgemm != NULL && k > 0 && alpha != 0 && fits(m, n, k, lda, ldb, ldc)) {
        blas.dgemm(CBLAS_ROW_MAJOR, trans_a ? CBLAS_TRANS : CBLAS_NO_TRANS, trans_b ? CBLAS_TRANS : CBLAS_NO_TRANS,
                   (int)m, (int)n, (int)k, alpha, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
        return;
    }
    dgemm_portable(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/* --- gemv and ger ---------------------------------------------------------- */

#define PORTABLE_GEMV(NAME, T)                                                                                 \
    static void NAME##_portable(int trans_a, int64_t m, int64_t n, T alpha, const T *a, int64_t lda,            \
                                const T *x, int64_t incx, T beta, T *y, int64_t incy)                          \
    {                                                                                                          \
        int64_t ylen = trans_a ? n : m;                                                                        \
        for (int64_t i = 0; i < ylen; i++) {                                                                   \
            y[i * incy] = beta == 0 ? (T)0 : beta * y[i * incy];                                               \
        }                                                                                                      \
        if (alpha == 0) {                                                                                      \
            return;                                                                                            \
        }                                                                                                      \
        if (!trans_a) {                                                                                        \
            for (int64_t i = 0; i < m; i++) {                                                                  \
                const T *row = a + i * lda;                                                                    \
                T acc = 0;                                                                                     \
                for (int64_t j = 0; j < n; j++) {                                                              \
                    acc += row[j] * x[j * incx];                                                               \
                }                                                                                              \
                y[i * incy] += alpha * acc;                                                                    \
            }                                                                                                  \
        } else {                                                                                               \
            for (int64_t i = 0; i < m; i++) {                                                                  \
                const T *row = a + i * lda;                                                                    \
                T xi = alpha * x[i * incx];                                                                    \
                for (int64_t j = 0; j < n; j++) {                                                              \
                    y[j * incy] += xi * row[j];                                                                \
                }                                                                                              \
            }                                                                                                  \
        }                                                                                                      \
    }

PORTABLE_GEMV(sgemv, float)
PORTABLE_GEMV(dgemv, double)

void tg_sgemv(int trans_a, int64_t m, int64_t n, float alpha, const float *a, int64_t lda, const float *x,
              int64_t incx, float beta, float *y, int64_t incy)
{
    if (m <= 0 || n <= 0 || alpha == 0 || blas.sgemv == NULL || !fits(m, n, lda, incx, incy, 0)) {
        if ((trans_a ? n : m) > 0) {
            sgemv_portable(trans_a, m > 0 ? m : 0, n > 0 ? n : 0, alpha, a, lda, x, incx, beta, y, incy);
        }
        return;
    }
    blas.sgemv(CBLAS_ROW_MAJOR, trans_a ? CBLAS_TRANS : CBLAS_NO_TRANS, (int)m, (int)n, alpha, a, (int)lda, x,
               (int)incx, beta, y, (int)incy);
}

void tg_dgemv(int trans_a, int64_t m, int64_t n, double alpha, const double *a, int64_t lda, const double *x,
              int64_t incx, double beta, double *y, int64_t incy)
{
    if (m <= 0 || n <= 0 || alpha == 0 || blas.dgemv == NULL || !fits(m, n, lda, incx, incy, 0)) {
        if ((trans_a ? n : m) > 0) {
            dgemv_portable(trans_a, m > 0 ? m : 0, n > 0 ? n : 0, alpha, a, lda, x, incx, beta, y, incy);
        }
        return;
    }
    blas.dgemv(CBLAS_ROW_MAJOR, trans_a ? CBLAS_TRANS : CBLAS_NO_TRANS, (int)m, (int)n, alpha, a, (int)lda, x,
               (int)incx, beta, y, (int)incy);
}

#define PORTABLE_GER(NAME, T)                                                                                  \
    static void NAME##_portable(int64_t m, int64_t n, T alpha, const T *x, int64_t incx, const T *y,            \
                                int64_t incy, T *a, int64_t lda)                                               \
    {                                                                                                          \
        for (int64_t i = 0; i < m; i++) {                                                                      \
            T xi = alpha * x[i * incx];                                                                        \
            T *row = a + i * lda;                                                                              \
            for (int64_t j = 0; j < n; j++) {                                                                  \
                row[j] += xi * y[j * incy];                                                                    \
            }                                                                                                  \
        }                                                                                                      \
    }

PORTABLE_GER(sger, float)
PORTABLE_GER(dger, double)

void tg_sger(int64_t m, int64_t n, float alpha, const float *x, int64_t incx, const float *y, int64_t incy,
             float *a, int64_t lda)
{
    if (m <= 0 || n <= 0 || alpha == 0) {
        return;
    }
    if (blas.sger != NULL && fits(m, n, incx, incy, lda, 0)) {
        blas.sger(CBLAS_ROW_MAJOR, (int)m, (int)n, alpha, x, (int)incx, y, (int)incy, a, (int)lda);
        return;
    }
    sger_portable(m, n, alpha, x, incx, y, incy, a, lda);
}

void tg_dger(int64_t m, int64_t n, double alpha, const double *x, int64_t incx, const double *y, int64_t incy,
             double *a, int64_t lda)
{
    if (m <= 0 || n <= 0 || alpha == 0) {
        return;
    }
    if (blas.dger != NULL && fits(m, n, incx, incy, lda, 0)) {
        blas.dger(CBLAS_ROW_MAJOR, (int)m, (int)n, alpha, x, (int)incx, y, (int)incy, a, (int)lda);
        return;
    }
    dger_portable(m, n, alpha, x, incx, y, incy, a, lda);
}
