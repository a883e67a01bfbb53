/*
 * tg_blas.h: matrix products for generated kernels: the lowerings of dot,
 * gemm, gemv and ger (core/ops/dot.go, core/ops/blas.go) call the view-level
 * functions; other runtime code may call the raw BLAS-style ones.
 *
 * The view-level functions take any layout. A float32/float64 operand that
 * BLAS can read as it is goes to BLAS without a copy: a row-major matrix
 * with unit column stride (the row stride becomes lda), a transposed view
 * (unit row stride: passed with the transpose flag), a vector with a
 * positive stride (the increment). Other layouts (broadcast, negative or
 * doubly strided) and operands of another dtype than the result's are
 * first copied into a contiguous temporary of the result's dtype.
 *
 * BLAS is the CBLAS library tg_rt_init loaded (OpenBLAS from the
 * scipy-openblas32 wheel, or a system libblas). Without one, and for
 * lengths beyond CBLAS's 32-bit ints, the portable loops of tg_blas.c run:
 * correct, blocked and parallel for gemm, but several times slower than an
 * optimized BLAS.
 *
 * Dtypes other than float32/float64 (integers, bool, float16, complex; dot
 * only) use plain loops with the Go evaluator's semantics: integers and
 * bool accumulate in wrapping 64-bit integers (a bool result is "any of the
 * ands"), float16 in double (rounded once at the end), complex in complex
 * double with the textbook product formula.
 */
#ifndef TG_BLAS_H
#define TG_BLAS_H

#include "tg_rt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Gives the calling thread's view-level calls below `bytes` of memory at
 * mem (64-byte aligned) for the copies and temporaries they make, instead
 * of malloc: a kernel reserves it before its first write, so that its matrix
 * products cannot fail for memory once shapes are checked. NULL, 0 ends it.
 * Enough for any call: 64 + size(x) + size(y) + size(out) elements of the
 * output's dtype, plus 64 bytes per matrix. */
void tg_blas_arena(void *mem, size_t bytes);

/* --- view level: 0, or 1 with *err set ----------------------------------- */

/* out = numpy.dot(x, y) for vectors and matrices: (k,)·(k,) -> (),
 * (m, k)·(k,) -> (m,), (k,)·(k, n) -> (n,), (m, k)·(k, n) -> (m, n). out
 * has the promoted dtype and the right shape (checked: "ValueError: dot:
 * shapes [2 3] and [4] not aligned: 3 (dim 1) != 4 (dim 0)"). x and y may
 * have any dtypes; they are converted to out's. */
int tg_dot(const tg_view *x, const tg_view *y, tg_view *out, char **err);

/* out = alpha*x·y + beta*z: z (m, n), x (m, k), y (k, n); alpha and beta
 * 0-d; every operand float32 or float64 of out's dtype. out may be z
 * itself (the same data and strides: an in-place update, no copy); it may
 * not otherwise overlap an input (a temporary is used when it does). As
 * in BLAS, alpha = 0 reads neither x nor y and beta = 0 does not read z. */
int tg_gemm(const tg_view *z, const tg_view *alpha, const tg_view *x, const tg_view *y, const tg_view *beta,
            tg_view *out, char **err);

/* out = alpha*a·x + beta*y: y (m,), a (m, n), x (n,); as tg_gemm. */
int tg_gemv(const tg_view *y, const tg_view *alpha, const tg_view *a, const tg_view *x, const tg_view *beta,
            tg_view *out, char **err);

/* out = a + alpha*outer(x, y): a (m, n), x (m,), y (n,); as tg_gemm (no
 * factor on a: Theano's Ger). */
int tg_ger(const tg_view *a, const tg_view *alpha, const tg_view *x, const tg_view *y, tg_view *out, char **err);

/* --- raw, CBLAS row-major semantics (tg_sgemm/tg_dgemm are in tg_rt.h) --- */

/* y = alpha*op(A)·x + beta*y; A is m x n row-major (lda >= n), op(A) is A
 * or its transpose; incx, incy > 0. beta = 0: y is not read. */
void tg_sgemv(int trans_a, int64_t m, int64_t n, float alpha, const float *a, int64_t lda, const float *x,
              int64_t incx, float beta, float *y, int64_t incy);
void tg_dgemv(int trans_a, int64_t m, int64_t n, double alpha, const double *a, int64_t lda, const double *x,
              int64_t incx, double beta, double *y, int64_t incy);

/* A += alpha*outer(x, y); A is m x n row-major (lda >= n); incx, incy > 0. */
void tg_sger(int64_t m, int64_t n, float alpha, const float *x, int64_t incx, const float *y, int64_t incy,
             float *a, int64_t lda);
void tg_dger(int64_t m, int64_t n, double alpha, const double *x, int64_t incx, const double *y, int64_t incy,
             double *a, int64_t lda);

/* The path of the CBLAS library in use, or "" when the portable loops run. */
const char *tg_blas_library(void);

#ifdef __cplusplus
}
#endif

#endif /* TG_BLAS_H */
