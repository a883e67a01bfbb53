//go:build ignore

/*
 * tg_blas_views.c: tg_dot, tg_gemm, tg_gemv and tg_ger (tg_blas.h): shape
 * checks, layout analysis (which operand BLAS can read in place, which one
 * needs a contiguous copy), and the plain loops for the dtypes BLAS lacks.
 *
 * Every operand is seen as a matrix `mat` (a vector is one row or one
 * column, as in the Go evaluator), so one product routine, matmul_float,
 * serves all four ops; it picks gemv when the result is one row or one
 * column and gemm otherwise.
 */
#include "tg_blas.h"
#include "tg_rt_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- elements -------------------------------------------------------------- */

static const char *dtype_name(int32_t dt)
{
    static const char *const names[] = {"?", "bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
                                        "uint32", "uint64", "float16", "float32", "float64", "complex64",
                                        "complex128"};
    return dt >= TG_BOOL && dt <= TG_COMPLEX128 ? names[dt] : "?";
}

/* binary16 bits -> double, exactly. */
static double half_to_double(uint16_t h)
{
    int e = (h >> 10) & 0x1f;
    double m = (double)(h & 0x3ff);
    double v;
    if (e == 0) {
        v = m * 0x1p-24;
    } else if (e == 31) {
        v = m == 0 ? __builtin_inf() : __builtin_nan("");
    } else {
        v = (1024.0 + m) * __builtin_ldexp(1.0, e - 25);
    }
    return (h & 0x8000) ? -v : v;
}

/* double -> binary16 bits, rounded to nearest, ties to even (one rounding,
 * as Go's evaluator and numpy round a float64 to float16). */
static uint16_t double_to_half(double d)
{
    uint16_t sign = __builtin_signbit(d) ? 0x8000 : 0;
    double a = __builtin_fabs(d);
    if (a != a) {
        return sign | 0x7e00;
    }
    if (a >= 65520.0) {
        return sign | 0x7c00;
    }
    int ex;
    (void)__builtin_frexp(a, &ex); /* a = f * 2^ex, f in [0.5, 1) */
    /* quantum: 2^-24 for subnormals (ex-1 < -14), else 2^(ex-1-10). */
    int qexp = ex - 11 < -24 ? -24 : ex - 11;
    double q = __builtin_rint(__builtin_ldexp(a, -qexp)); /* exact scaling, then round */
    if (qexp == -24) {
        return sign | (uint16_t)q; /* 1024 is the smallest normal: bits 0x0400 */
    }
    /* normal: exponent field (ex-1)+15, mantissa q-1024; q = 2048 carries
     * into the exponent (and to 0x7c00, infinity, at the top). */
    return sign | (uint16_t)((((unsigned)(ex - 1 + 15)) << 10) + (unsigned)(q - 1024));
}

/* The value at p of dtype dt as each accumulator type. */
static double load_f64(const char *p, int32_t dt)
{
    switch (dt) {
    case TG_BOOL: return *(const uint8_t *)p != 0;
    case TG_INT8: return *(const int8_t *)p;
    case TG_INT16: return *(const int16_t *)p;
    case TG_INT32: return *(const int32_t *)p;
    case TG_INT64: return (double)*(const int64_t *)p;
    case TG_UINT8: return *(const uint8_t *)p;
    case TG_UINT16: return *(const uint16_t *)p;
    case TG_UINT32: return *(const uint32_t *)p;
    case TG_UINT64: return (double)*(const uint64_t *)p;
    case TG_FLOAT16: return half_to_double(*(const uint16_t *)p);
    case TG_FLOAT32: return *(const float *)p;
    case TG_FLOAT64: return *(const double *)p;
    case TG_COMPLEX64: return *(const float *)p;
    case TG_COMPLEX128: return *(const double *)p;
    default: return 0;
    }
}

/* Converting straight to float (not through double) rounds a large
 * integer once, as the evaluator's Astype(float32) does. */
static float load_f32(const char *p, int32_t dt)
{
    switch (dt) {
    case TG_INT64: return (float)*(const int64_t *)p;
    case TG_UINT64: return (float)*(const uint64_t *)p;
    case TG_INT32: return (float)*(const int32_t *)p;
    case TG_UINT32: return (float)*(const uint32_t *)p;
    default: return (float)load_f64(p, dt);
    }
}

static uint64_t load_u64(const char *p, int32_t dt)
{
    switch (dt) {
    case TG_BOOL: return *(const uint8_t *)p != 0;
    case TG_INT8: return (uint64_t)(int64_t)*(const int8_t *)p;
    case TG_INT16: return (uint64_t)(int64_t)*(const int16_t *)p;
    case TG_INT32: return (uint64_t)(int64_t)*(const int32_t *)p;
    case TG_INT64: return (uint64_t)*(const int64_t *)p;
    case TG_UINT8: return *(const uint8_t *)p;
    case TG_UINT16: return *(const uint16_t *)p;
    case TG_UINT32: return *(const uint32_t *)p;
    case TG_UINT64: return *(const uint64_t *)p;
    default: return (uint64_t)(int64_t)load_f64(p, dt); /* not reached: int results have int inputs */
    }
}

static void load_c128(const char *p, int32_t dt, double *re, double *im)
{
    if (dt == TG_COMPLEX64) {
        *re = ((const float *)p)[0];
        *im = ((const float *)p)[1];
    } else if (dt == TG_COMPLEX128) {
        *re = ((const double *)p)[0];
        *im = ((const double *)p)[1];
    } else {
        *re = load_f64(p, dt);
        *im = 0;
    }
}

/* --- matrices -------------------------------------------------------------- */

/* A 2-D window on memory: element (i, j) at data + (i*rs + j*cs)*esize. */
typedef struct mat {
    char *data;
    int64_t rows, cols, rs, cs;
    int32_t dtype;
} mat;

static char *mat_at(const mat *a, int64_t i, int64_t j)
{
    return a->data + (i * a->rs + j * a->cs) * tg_dtype_size(a->dtype);
}

/* A view of rank 0, 1 or 2 as a matrix; a vector is a row (as_row) or a
 * column. */
static mat mat_of(const tg_view *v, int as_row)
{
    mat m = {v->data, 1, 1, 0, 0, v->dtype};
    if (v->ndim == 2) {
        m.rows = v->shape[0], m.cols = v->shape[1], m.rs = v->strides[0], m.cs = v->strides[1];
    } else if (v->ndim == 1 && as_row) {
        m.cols = v->shape[0], m.cs = v->strides[0];
    } else if (v->ndim == 1) {
        m.rows = v->shape[0], m.rs = v->strides[0];
    }
    return m;
}

static int64_t max1(int64_t v)
{
    return v > 1 ? v : 1;
}

/* Whether BLAS can read a (of dtype dt) in place: row-major with unit
 * column stride (*trans = 0) or column-major with unit row stride (a
 * transposed view: *trans = 1), and a leading dimension *ld at least the
 * other length. The stride of a length-1 dimension does not matter. */
static int blas_layout(const mat *a, int32_t dt, int *trans, int64_t *ld)
{
    if (a->dtype != dt) {
        return 0;
    }
    int64_t rs = a->rows <= 1 ? max1(a->cols) : a->rs;
    int64_t cs = a->cols <= 1 ? 1 : a->cs;
    if (cs == 1 && rs >= max1(a->cols)) {
        *trans = 0, *ld = rs;
        return 1;
    }
    rs = a->rows <= 1 ? 1 : a->rs;
    cs = a->cols <= 1 ? max1(a->rows) : a->cs;
    if (rs == 1 && cs >= max1(a->rows)) {
        *trans = 1, *ld = cs;
        return 1;
    }
    return 0;
}

/* Byte range [*lo, *hi) a matrix touches; 0 when it is empty. */
static int mat_range(const mat *a, const char **lo, const char **hi)
{
    if (a->rows <= 0 || a->cols <= 0) {
        return 0;
    }
    int64_t es = tg_dtype_size(a->dtype), low = 0, high = 0;
    int64_t r = (a->rows - 1) * a->rs, c = (a->cols - 1) * a->cs;
    low += r < 0 ? r : 0, high += r > 0 ? r : 0;
    low += c < 0 ? c : 0, high += c > 0 ? c : 0;
    *lo = a->data + low * es;
    *hi = a->data + (high + 1) * es;
    return 1;
}

static int overlap(const mat *a, const mat *b)
{
    const char *alo, *ahi, *blo, *bhi;
    if (!mat_range(a, &alo, &ahi) || !mat_range(b, &blo, &bhi)) {
        return 0;
    }
    return alo < bhi && blo < ahi;
}

static int same_mat(const mat *a, const mat *b)
{
    return a->data == b->data && a->rows == b->rows && a->cols == b->cols && a->dtype == b->dtype &&
           (a->rows <= 1 || a->rs == b->rs) && (a->cols <= 1 || a->cs == b->cs);
}

/* The calling thread's BLAS arena (tg_blas_arena): memory reserved before
 * a kernel writes anything, from which the copies and temporaries below are
 * taken, so that a matrix product inside a kernel cannot fail for memory. */
static __thread struct {
    char *base, *next, *end;
} arena;

void tg_blas_arena(void *mem, size_t bytes)
{
    arena.base = arena.next = (char *)mem;
    arena.end = mem != NULL ? (char *)mem + bytes : NULL;
}

/* A contiguous rows x cols matrix of dtype dt in new memory: from the
 * arena when it has room, else malloc (NULL data: out of memory). */
static mat mat_new(int64_t rows, int64_t cols, int32_t dt)
{
    mat m = {NULL, rows, cols, cols, 1, dt};
    size_t bytes = (size_t)max1(rows) * (size_t)max1(cols) * (size_t)tg_dtype_size(dt);
    size_t rounded = (bytes + 63) & ~(size_t)63;
    if (arena.next != NULL && rounded >= bytes && rounded <= (size_t)(arena.end - arena.next)) {
        m.data = arena.next;
        arena.next += rounded;
        return m;
    }
    m.data = (char *)malloc(bytes);
    return m;
}

/* Frees memory from mat_new (arena memory is the caller's). */
static void mat_free(void *p)
{
    if (p != NULL && !(arena.base != NULL && (char *)p >= arena.base && (char *)p < arena.end)) {
        free(p);
    }
}

/* dst = src converted to dst's dtype (float32 or float64: a packing copy),
 * or copied as bytes when the dtypes match. */
static void mat_copy(const mat *dst, const mat *src)
{
    size_t es = (size_t)tg_dtype_size(dst->dtype);
    for (int64_t i = 0; i < src->rows; i++) {
        for (int64_t j = 0; j < src->cols; j++) {
            char *d = mat_at(dst, i, j);
            const char *s = mat_at(src, i, j);
            if (src->dtype == dst->dtype) {
                memcpy(d, s, es);
            } else if (dst->dtype == TG_FLOAT32) {
                *(float *)d = load_f32(s, src->dtype);
            } else {
                *(double *)d = load_f64(s, src->dtype);
            }
        }
    }
}

/* c = beta*c for float32/float64 (0 when beta is 0: c is not read). */
static void mat_scale(const mat *c, double beta)
{
    for (int64_t i = 0; i < c->rows; i++) {
        for (int64_t j = 0; j < c->cols; j++) {
            char *p = mat_at(c, i, j);
            if (c->dtype == TG_FLOAT32) {
                *(float *)p = beta == 0 ? 0.0f : (float)beta * *(float *)p;
            } else {
                *(double *)p = beta == 0 ? 0.0 : beta * *(double *)p;
            }
        }
    }
}

/* An operand as BLAS will read it: in place, or a packed copy to free. */
typedef struct operand {
    const char *data;
    int trans;
    int64_t ld;
    void *owned;
} operand;

static int operand_of(const mat *a, int32_t dt, operand *op)
{
    op->owned = NULL;
    if (blas_layout(a, dt, &op->trans, &op->ld)) {
        op->data = a->data;
        return 0;
    }
    mat t = mat_new(a->rows, a->cols, dt);
    if (t.data == NULL) {
        return 1;
    }
    mat_copy(&t, a);
    op->data = t.data, op->trans = 0, op->ld = max1(a->cols), op->owned = t.data;
    return 0;
}

/* c = alpha*a·b + beta*c, float32 or float64 (c's dtype). c must have
 * unit column stride and a row stride >= its columns (the caller uses a
 * temporary otherwise); a and b any layout and real dtype. */
static int matmul_float(double alpha, const mat *a, const mat *b, double beta, const mat *c, const char *op,
                        char **err)
{
    int64_t m = a->rows, k = a->cols, n = b->cols;
    int32_t dt = c->dtype;
    if (m == 0 || n == 0) {
        return 0;
    }
    if (k == 0 || alpha == 0) {
        mat_scale(c, beta);
        return 0;
    }
    operand A, B;
    if (operand_of(a, dt, &A) != 0) {
        return tg_set_error(err, "MemoryError: %s: cannot allocate a %lld x %lld copy", op, (long long)m, (long long)k);
    }
    if (operand_of(b, dt, &B) != 0) {
        mat_free(A.owned);
        return tg_set_error(err, "MemoryError: %s: cannot allocate a %lld x %lld copy", op, (long long)k, (long long)n);
    }
    int64_t ldc = max1(c->rows <= 1 ? c->cols : c->rs);
    int f32 = dt == TG_FLOAT32;
    if (n == 1 && m > 1) {
        /* one column: c[:, 0] = alpha * A · b[:, 0] + beta * c[:, 0] */
        int64_t incx = B.trans ? 1 : B.ld, incy = ldc;
        if (f32) {
            tg_sgemv(A.trans, A.trans ? k : m, A.trans ? m : k, (float)alpha, (const float *)A.data, A.ld,
                     (const float *)B.data, incx, (float)beta, (float *)c->data, incy);
        } else {
            tg_dgemv(A.trans, A.trans ? k : m, A.trans ? m : k, alpha, (const double *)A.data, A.ld,
                     (const double *)B.data, incx, beta, (double *)c->data, incy);
        }
    } else if (m == 1) {
        /* one row: c[0, :] = alpha * B^T · a[0, :] + beta * c[0, :] */
        int64_t incx = A.trans ? A.ld : 1;
        if (f32) {
            tg_sgemv(!B.trans, B.trans ? n : k, B.trans ? k : n, (float)alpha, (const float *)B.data, B.ld,
                     (const float *)A.data, incx, (float)beta, (float *)c->data, 1);
        } else {
            tg_dgemv(!B.trans, B.trans ? n : k, B.trans ? k : n, alpha, (const double *)B.data, B.ld,
                     (const double *)A.data, incx, beta, (double *)c->data, 1);
        }
    } else if (f32) {
        tg_sgemm(A.trans, B.trans, m, n, k, (float)alpha, (const float *)A.data, A.ld, (const float *)B.data, B.ld,
                 (float)beta, (float *)c->data, ldc);
    } else {
        tg_dgemm(A.trans, B.trans, m, n, k, alpha, (const double *)A.data, A.ld, (const double *)B.data, B.ld,
                 beta, (double *)c->data, ldc);
    }
    mat_free(A.owned);
    mat_free(B.owned);
    return 0;
}

/* Whether c can be written by BLAS directly: unit column stride, row
 * stride >= columns. */
static int writable_layout(const mat *c)
{
    int trans;
    int64_t ld;
    return blas_layout(c, c->dtype, &trans, &ld) && trans == 0;
}

/* --- the plain loops: dtypes without BLAS ------------------------------------ */

/* c = a·b for integers and bool (wrapping uint64), float16 (double) and
 * complex (complex double), summing over p in order as the evaluator's
 * matmul does. */
static void matmul_loops(const mat *a, const mat *b, const mat *c)
{
    int32_t dt = c->dtype;
    for (int64_t i = 0; i < c->rows; i++) {
        for (int64_t j = 0; j < c->cols; j++) {
            char *out = mat_at(c, i, j);
            if (dt == TG_COMPLEX64 || dt == TG_COMPLEX128) {
                double re = 0, im = 0;
                for (int64_t p = 0; p < a->cols; p++) {
                    double ar, ai, br, bi;
                    load_c128(mat_at(a, i, p), a->dtype, &ar, &ai);
                    load_c128(mat_at(b, p, j), b->dtype, &br, &bi);
                    re += ar * br - ai * bi;
                    im += ar * bi + ai * br;
                }
                if (dt == TG_COMPLEX64) {
                    ((float *)out)[0] = (float)re, ((float *)out)[1] = (float)im;
                } else {
                    ((double *)out)[0] = re, ((double *)out)[1] = im;
                }
            } else if (dt == TG_FLOAT16) {
                double acc = 0;
                for (int64_t p = 0; p < a->cols; p++) {
                    acc += load_f64(mat_at(a, i, p), a->dtype) * load_f64(mat_at(b, p, j), b->dtype);
                }
                *(uint16_t *)out = double_to_half(acc);
            } else {
                uint64_t acc = 0;
                for (int64_t p = 0; p < a->cols; p++) {
                    acc += load_u64(mat_at(a, i, p), a->dtype) * load_u64(mat_at(b, p, j), b->dtype);
                }
                switch (dt) {
                case TG_BOOL: *(uint8_t *)out = acc != 0; break;
                case TG_INT8: case TG_UINT8: *(uint8_t *)out = (uint8_t)acc; break;
                case TG_INT16: case TG_UINT16: *(uint16_t *)out = (uint16_t)acc; break;
                case TG_INT32: case TG_UINT32: *(uint32_t *)out = (uint32_t)acc; break;
                default: *(uint64_t *)out = acc; break;
                }
            }
        }
    }
}

/* --- messages ----------------------------------------------------------------- */

/* Writes v's shape as Go prints a []int: "[2 3]". */
static const char *shape_str(const tg_view *v, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int32_t d = 0; d < v->ndim && used < size; d++) {
        int n = snprintf(buf + used, size - used, d == 0 ? "%lld" : " %lld", (long long)v->shape[d]);
        if (n < 0) {
            break;
        }
        used += (size_t)n;
    }
    return buf;
}

#define SHAPE(v, buf) shape_str((v), (buf), sizeof(buf))

static int is_float(int32_t dt)
{
    return dt == TG_FLOAT32 || dt == TG_FLOAT64;
}

/* Writes the contiguous temporary t into out (same dtype) and frees it. */
static void finish_temp(const mat *out, mat *t)
{
    if (t->data != NULL) {
        mat_copy(out, t);
        mat_free(t->data);
        t->data = NULL;
    }
}

/* Picks where the product is computed: c itself when BLAS can write it and
 * it overlaps no input (other than the one named same, an exact in-place
 * alias), else a temporary. */
static int choose_target(const mat *c, const mat *ins, int n_ins, const mat *same, int need_blas_layout, mat *target,
                         mat *temp)
{
    int use_temp = need_blas_layout && !writable_layout(c);
    for (int i = 0; i < n_ins && !use_temp; i++) {
        if (same != NULL && &ins[i] == same && same_mat(c, same)) {
            continue;
        }
        use_temp = overlap(c, &ins[i]);
    }
    temp->data = NULL;
    if (!use_temp) {
        *target = *c;
        return 0;
    }
    *temp = mat_new(c->rows, c->cols, c->dtype);
    if (temp->data == NULL) {
        return 1;
    }
    *target = *temp;
    return 0;
}

/* --- the ops ------------------------------------------------------------------- */

int tg_dot(const tg_view *x, const tg_view *y, tg_view *out, char **err)
{
    char sx[256], sy[256], so[256];
    if (x->ndim < 1 || x->ndim > 2 || y->ndim < 1 || y->ndim > 2) {
        return tg_set_error(err, "ValueError: dot: inputs must be vectors or matrices, got shapes [%s] and [%s]",
                            SHAPE(x, sx), SHAPE(y, sy));
    }
    int64_t k = x->shape[x->ndim - 1];
    if (k != y->shape[0]) {
        return tg_set_error(err, "ValueError: dot: shapes [%s] and [%s] not aligned: %lld (dim %d) != %lld (dim 0)",
                            SHAPE(x, sx), SHAPE(y, sy), (long long)k, x->ndim - 1, (long long)y->shape[0]);
    }
    int want_ndim = x->ndim + y->ndim - 2;
    int64_t want[2];
    int w = 0;
    if (x->ndim == 2) {
        want[w++] = x->shape[0];
    }
    if (y->ndim == 2) {
        want[w++] = y->shape[1];
    }
    int shape_ok = out->ndim == want_ndim && tg_dtype_size(out->dtype) != 0;
    for (int d = 0; shape_ok && d < want_ndim; d++) {
        shape_ok = out->shape[d] == want[d];
    }
    if (!shape_ok || tg_dtype_size(x->dtype) == 0 || tg_dtype_size(y->dtype) == 0) {
        return tg_set_error(err, "ValueError: dot: output of shape [%s] (%s) for inputs of shapes [%s] and [%s]",
                            SHAPE(out, so), dtype_name(out->dtype), SHAPE(x, sx), SHAPE(y, sy));
    }
    mat a = mat_of(x, 1), b = mat_of(y, 0);
    /* out: x's rows by y's columns; a vector result is a row or a column. */
    mat c = {out->data, a.rows, b.cols, 0, 0, out->dtype};
    if (out->ndim == 2) {
        c.rs = out->strides[0], c.cs = out->strides[1];
    } else if (out->ndim == 1 && x->ndim == 2) {
        c.rs = out->strides[0];
    } else if (out->ndim == 1) {
        c.cs = out->strides[0];
    }
    mat ins[2] = {a, b}, target, temp;
    if (choose_target(&c, ins, 2, NULL, is_float(c.dtype), &target, &temp) != 0) {
        return tg_set_error(err, "MemoryError: dot: cannot allocate a result of shape [%s]", SHAPE(out, so));
    }
    int rc = 0;
    if (is_float(c.dtype)) {
        rc = matmul_float(1, &a, &b, 0, &target, "dot", err);
    } else {
        matmul_loops(&a, &b, &target);
    }
    if (rc == 0) {
        finish_temp(&c, &temp);
    }
    mat_free(temp.data);
    return rc;
}

/* Checks that every view has dtype dt (float32 or float64) and that the
 * scalars are 0-d. */
static int blas_dtypes(const char *op, const tg_view *const *vs, int n, const tg_view *out, char **err)
{
    int32_t dt = out->dtype;
    int ok = is_float(dt);
    for (int i = 0; i < n && ok; i++) {
        ok = vs[i]->dtype == dt;
    }
    if (!ok) {
        return tg_set_error(err, "TypeError: %s computes in float32 or float64 with one dtype for every operand", op);
    }
    return 0;
}

static int same_shape(const tg_view *a, const tg_view *b)
{
    if (a->ndim != b->ndim) {
        return 0;
    }
    for (int32_t d = 0; d < a->ndim; d++) {
        if (a->shape[d] != b->shape[d]) {
            return 0;
        }
    }
    return 1;
}

/* The shared tail of gemm, gemv and ger: out = beta*acc + alpha*a·b, with
 * acc copied into out unless it is out itself. */
static int accumulate(const char *op, const tg_view *acc, double alpha, const mat *a, const mat *b, double beta,
                      const tg_view *out, mat c, mat accm, char **err)
{
    (void)acc;
    mat ins[3] = {accm, *a, *b}, target, temp;
    if (choose_target(&c, ins, 3, &ins[0], 1, &target, &temp) != 0) {
        char so[256];
        return tg_set_error(err, "MemoryError: %s: cannot allocate a result of shape [%s]", op, SHAPE(out, so));
    }
    if (beta != 0 && !same_mat(&target, &accm)) {
        mat_copy(&target, &accm);
    }
    int rc = matmul_float(alpha, a, b, beta, &target, op, err);
    if (rc == 0) {
        finish_temp(&c, &temp);
    }
    mat_free(temp.data);
    return rc;
}

int tg_gemm(const tg_view *z, const tg_view *alpha, const tg_view *x, const tg_view *y, const tg_view *beta,
            tg_view *out, char **err)
{
    const tg_view *vs[] = {z, alpha, x, y, beta};
    if (blas_dtypes("gemm", vs, 5, out, err) != 0) {
        return 1;
    }
    char sz[256], sx[256], sy[256];
    if (z->ndim != 2 || x->ndim != 2 || y->ndim != 2 || alpha->ndim != 0 || beta->ndim != 0 ||
        y->shape[0] != x->shape[1] || z->shape[0] != x->shape[0] || z->shape[1] != y->shape[1] ||
        !same_shape(z, out)) {
        return tg_set_error(err, "ValueError: gemm: shapes Z [%s], X [%s], Y [%s] do not fit a*X·Y + b*Z",
                            SHAPE(z, sz), SHAPE(x, sx), SHAPE(y, sy));
    }
    mat a = mat_of(x, 0), b = mat_of(y, 0);
    return accumulate("gemm", z, load_f64(alpha->data, alpha->dtype), &a, &b, load_f64(beta->data, beta->dtype),
                      out, mat_of(out, 0), mat_of(z, 0), err);
}

int tg_gemv(const tg_view *y, const tg_view *alpha, const tg_view *a, const tg_view *x, const tg_view *beta,
            tg_view *out, char **err)
{
    const tg_view *vs[] = {y, alpha, a, x, beta};
    if (blas_dtypes("gemv", vs, 5, out, err) != 0) {
        return 1;
    }
    char sy[256], sa[256], sx[256];
    if (y->ndim != 1 || a->ndim != 2 || x->ndim != 1 || alpha->ndim != 0 || beta->ndim != 0 ||
        x->shape[0] != a->shape[1] || y->shape[0] != a->shape[0] || !same_shape(y, out)) {
        return tg_set_error(err, "ValueError: gemv: shapes y [%s], A [%s], x [%s] do not fit a*A·x + b*y",
                            SHAPE(y, sy), SHAPE(a, sa), SHAPE(x, sx));
    }
    mat am = mat_of(a, 0), xm = mat_of(x, 0);
    return accumulate("gemv", y, load_f64(alpha->data, alpha->dtype), &am, &xm, load_f64(beta->data, beta->dtype),
                      out, mat_of(out, 0), mat_of(y, 0), err);
}

int tg_ger(const tg_view *a, const tg_view *alpha, const tg_view *x, const tg_view *y, tg_view *out, char **err)
{
    const tg_view *vs[] = {a, alpha, x, y};
    if (blas_dtypes("ger", vs, 4, out, err) != 0) {
        return 1;
    }
    char sa[256], sx[256], sy[256];
    if (a->ndim != 2 || x->ndim != 1 || y->ndim != 1 || alpha->ndim != 0 || a->shape[0] != x->shape[0] ||
        a->shape[1] != y->shape[0] || !same_shape(a, out)) {
        return tg_set_error(err, "ValueError: ger: shapes A [%s], x [%s], y [%s] do not fit A + a*outer(x, y)",
                            SHAPE(a, sa), SHAPE(x, sx), SHAPE(y, sy));
    }
    /* outer(x, y) is the product of x as a column and y as a row (k = 1):
     * matmul_float sends it to gemm; an m x 1 by 1 x n gemm costs what
     * ger costs. */
    mat xm = mat_of(x, 0), ym = mat_of(y, 1);
    return accumulate("ger", a, load_f64(alpha->data, alpha->dtype), &xm, &ym, 1.0, out, mat_of(out, 0),
                      mat_of(a, 0), err);
}
