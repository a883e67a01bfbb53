//go:build ignore

/* tg_blas.c: the BLAS binding (minimal: naive loops, no external library). */
#include "tg_rt_internal.h"

int tg_blas_load(const char *path, int n_threads, char **err)
{
    (void)path;
    (void)n_threads;
    (void)err;
    return 0;
}

#define NAIVE_GEMM(NAME, T)                                                                     \
    void NAME(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T *a,    \
              int64_t lda, const T *b, int64_t ldb, T beta, T *c, int64_t ldc)                   \
    {                                                                                           \
        for (int64_t i = 0; i < m; i++) {                                                       \
            for (int64_t j = 0; j < n; j++) {                                                   \
                T acc = 0;                                                                      \
                for (int64_t p = 0; p < k; p++) {                                               \
                    T av = trans_a ? a[p * lda + i] : a[i * lda + p];                            \
                    T bv = trans_b ? b[j * ldb + p] : b[p * ldb + j];                            \
                    acc += av * bv;                                                             \
                }                                                                               \
                c[i * ldc + j] = alpha * acc + (beta == 0 ? (T)0 : beta * c[i * ldc + j]);      \
            }                                                                                   \
        }                                                                                       \
    }

NAIVE_GEMM(tg_sgemm, float)
NAIVE_GEMM(tg_dgemm, double)
