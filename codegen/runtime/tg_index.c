//go:build ignore

/*
 * tg_index.c: advanced indexing, inc/set_subtensor and arange for generated
 * kernels (tg_index.h). Plain C11.
 *
 * Layout of the file: element types and their copy/add loops (tables of
 * small functions chosen once per call, never per element), strided walks
 * over views, Go-style formatting for the evaluator's error messages, then
 * the operations. Every operation computes and checks all of its positions
 * first (into an int64 offset array), then writes.
 */
#include "tg_index.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- element types --------------------------------------------------------- */

typedef struct { float re, im; } tg_c64;
typedef struct { double re, im; } tg_c128;
typedef struct { uint64_t lo, hi; } tg_b16;

/* binary16 <-> float, as tg_scalar.h does it (round to nearest even). */
static inline float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e == 0) {
        float f = ldexpf((float)m, -24);
        return sign ? -f : f;
    }
    uint32_t bits = sign | (e == 31 ? 0x7f800000u : (e - 15 + 127) << 23) | (m << 13);
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static inline uint16_t float_to_half(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t a = x & 0x7fffffffu;
    if (a >= 0x7f800000u)
        return (uint16_t)(sign | 0x7c00 | (a > 0x7f800000u ? 0x200 | ((a >> 13) & 0x3ff) : 0));
    if (a >= 0x47800000u)
        return (uint16_t)(sign | 0x7c00);
    if (a < 0x38800000u) {
        float mag;
        memcpy(&mag, &a, 4);
        return (uint16_t)(sign | (uint16_t)nearbyintf(mag * 16777216.0f));
    }
    uint32_t h = ((a >> 23) - 127 + 15) << 10 | ((a & 0x7fffff) >> 13), rest = a & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
        h++;
    return (uint16_t)(sign | h);
}

/* double -> binary16 rounded once, as Go's tensor.Float64ToHalf: round to
 * float with round-to-odd (24 bits >= 11 + 2, so the second rounding to
 * nearest-even is exact), then to half. */
static inline uint16_t double_to_half(double d) {
    float f = (float)d;
    if ((double)f != d && !isnan(d) && !isinf(f)) {
        uint32_t b;
        memcpy(&b, &f, 4);
        if (!(b & 1))
            f = nextafterf(f, d > (double)f ? INFINITY : -INFINITY);
    }
    return float_to_half(f);
}

/* --- strided runs: dst[i*ds] op= src[i*ss] for i < n (element strides) --- */

typedef void (*run_fn)(char *dst, int64_t ds, const char *src, int64_t ss, int64_t n);

#define COPY_RUN(name, T)                                                              \
    static void name(char *dst, int64_t ds, const char *src, int64_t ss, int64_t n) { \
        T *d = (T *)dst;                                                               \
        const T *s = (const T *)src;                                                   \
        if (ds == 1 && ss == 1) {                                                      \
            memmove(d, s, (size_t)n * sizeof(T));                                      \
            return;                                                                    \
        }                                                                              \
        for (int64_t i = 0; i < n; i++)                                                \
            d[i * ds] = s[i * ss];                                                     \
    }
COPY_RUN(copy_1, uint8_t)
COPY_RUN(copy_2, uint16_t)
COPY_RUN(copy_4, uint32_t)
COPY_RUN(copy_8, uint64_t)
COPY_RUN(copy_16, tg_b16)

/* ADD_RUN defines add_<name>: dst += src elementwise by the statement ADD(d, s). */
#define ADD_RUN(name, T, ADD)                                                         \
    static void name(char *dst, int64_t ds, const char *src, int64_t ss, int64_t n) { \
        T *d = (T *)dst;                                                              \
        const T *s = (const T *)src;                                                  \
        for (int64_t i = 0; i < n; i++) {                                             \
            T *dp = d + i * ds;                                                       \
            const T *sp = s + i * ss;                                                 \
            ADD(dp, sp);                                                              \
        }                                                                             \
    }
/* Integers add in their unsigned type: they wrap, as the evaluator's int64
 * sums do once stored, without C's signed overflow. */
#define ADD_I8(d, s) *(d) = (int8_t)((uint8_t)*(d) + (uint8_t)*(s))
#define ADD_I16(d, s) *(d) = (int16_t)((uint16_t)*(d) + (uint16_t)*(s))
#define ADD_I32(d, s) *(d) = (int32_t)((uint32_t)*(d) + (uint32_t)*(s))
#define ADD_I64(d, s) *(d) = (int64_t)((uint64_t)*(d) + (uint64_t)*(s))
#define ADD_U8(d, s) *(d) = (uint8_t)(*(d) + *(s))
#define ADD_U16(d, s) *(d) = (uint16_t)(*(d) + *(s))
#define ADD_PLAIN(d, s) *(d) += *(s)
#define ADD_BOOL(d, s) *(d) = (uint8_t)(*(d) | *(s))
#define ADD_HALF(d, s) *(d) = float_to_half(half_to_float(*(d)) + half_to_float(*(s)))
#define ADD_CPLX(d, s) ((d)->re += (s)->re, (d)->im += (s)->im)
ADD_RUN(add_bool, uint8_t, ADD_BOOL)
ADD_RUN(add_i8, int8_t, ADD_I8)
ADD_RUN(add_i16, int16_t, ADD_I16)
ADD_RUN(add_i32, int32_t, ADD_I32)
ADD_RUN(add_i64, int64_t, ADD_I64)
ADD_RUN(add_u8, uint8_t, ADD_U8)
ADD_RUN(add_u16, uint16_t, ADD_U16)
ADD_RUN(add_u32, uint32_t, ADD_PLAIN)
ADD_RUN(add_u64, uint64_t, ADD_PLAIN)
ADD_RUN(add_f16, uint16_t, ADD_HALF)
ADD_RUN(add_f32, float, ADD_PLAIN)
ADD_RUN(add_f64, double, ADD_PLAIN)
ADD_RUN(add_c64, tg_c64, ADD_CPLX)
ADD_RUN(add_c128, tg_c128, ADD_CPLX)

/* The copy run for elements of es bytes. */
static run_fn copy_run(int64_t es) {
    switch (es) {
    case 1: return copy_1;
    case 2: return copy_2;
    case 4: return copy_4;
    case 8: return copy_8;
    case 16: return copy_16;
    }
    return NULL;
}

/* The run that stores (set) or adds (inc) elements of dtype. */
static run_fn update_run(int32_t dtype, int set) {
    if (set)
        return copy_run(tg_dtype_size(dtype));
    switch (dtype) {
    case TG_BOOL: return add_bool;
    case TG_INT8: return add_i8;
    case TG_INT16: return add_i16;
    case TG_INT32: return add_i32;
    case TG_INT64: return add_i64;
    case TG_UINT8: return add_u8;
    case TG_UINT16: return add_u16;
    case TG_UINT32: return add_u32;
    case TG_UINT64: return add_u64;
    case TG_FLOAT16: return add_f16;
    case TG_FLOAT32: return add_f32;
    case TG_FLOAT64: return add_f64;
    case TG_COMPLEX64: return add_c64;
    case TG_COMPLEX128: return add_c128;
    }
    return NULL;
}

/* --- positioned runs: the advanced-indexing inner loops ------------------- */

/* gather: out[q] = x[off[q]] for q < n (out contiguous). */
typedef void (*gather_fn)(char *out, const char *x, const int64_t *off, int64_t n);
#define GATHER(name, T)                                                              \
    static void name(char *out, const char *x, const int64_t *off, int64_t n) {     \
        T *o = (T *)out;                                                             \
        const T *s = (const T *)x;                                                   \
        for (int64_t q = 0; q < n; q++)                                              \
            o[q] = s[off[q]];                                                        \
    }
GATHER(gather_1, uint8_t)
GATHER(gather_2, uint16_t)
GATHER(gather_4, uint32_t)
GATHER(gather_8, uint64_t)
GATHER(gather_16, tg_b16)

static gather_fn gather_run(int64_t es) {
    switch (es) {
    case 1: return gather_1;
    case 2: return gather_2;
    case 4: return gather_4;
    case 8: return gather_8;
    case 16: return gather_16;
    }
    return NULL;
}

/* scatter: out[off[q]] op= y[yoff ? yoff[q] : q*ys] for q < n. */
typedef void (*scatter_fn)(char *out, const int64_t *off, const char *y, int64_t ys, const int64_t *yoff, int64_t n);
#define SCATTER(name, T, OP)                                                                                   \
    static void name(char *out, const int64_t *off, const char *y, int64_t ys, const int64_t *yoff, int64_t n) { \
        T *o = (T *)out;                                                                                       \
        const T *s = (const T *)y;                                                                             \
        if (yoff) {                                                                                            \
            for (int64_t q = 0; q < n; q++) {                                                                  \
                T *dp = o + off[q];                                                                            \
                const T *sp = s + yoff[q];                                                                     \
                OP(dp, sp);                                                                                    \
            }                                                                                                  \
            return;                                                                                            \
        }                                                                                                      \
        for (int64_t q = 0; q < n; q++) {                                                                      \
            T *dp = o + off[q];                                                                                \
            const T *sp = s + q * ys;                                                                          \
            OP(dp, sp);                                                                                        \
        }                                                                                                      \
    }
#define SET_ONE(d, s) *(d) = *(s)
SCATTER(set_1, uint8_t, SET_ONE)
SCATTER(set_2, uint16_t, SET_ONE)
SCATTER(set_4, uint32_t, SET_ONE)
SCATTER(set_8, uint64_t, SET_ONE)
SCATTER(set_16, tg_b16, SET_ONE)
SCATTER(scatter_bool, uint8_t, ADD_BOOL)
SCATTER(scatter_i8, int8_t, ADD_I8)
SCATTER(scatter_i16, int16_t, ADD_I16)
SCATTER(scatter_i32, int32_t, ADD_I32)
SCATTER(scatter_i64, int64_t, ADD_I64)
SCATTER(scatter_u8, uint8_t, ADD_U8)
SCATTER(scatter_u16, uint16_t, ADD_U16)
SCATTER(scatter_u32, uint32_t, ADD_PLAIN)
SCATTER(scatter_u64, uint64_t, ADD_PLAIN)
SCATTER(scatter_f16, uint16_t, ADD_HALF)
SCATTER(scatter_f32, float, ADD_PLAIN)
SCATTER(scatter_f64, double, ADD_PLAIN)
SCATTER(scatter_c64, tg_c64, ADD_CPLX)
SCATTER(scatter_c128, tg_c128, ADD_CPLX)

static scatter_fn scatter_run(int32_t dtype, int set) {
    if (set) {
        switch (tg_dtype_size(dtype)) {
        case 1: return set_1;
        case 2: return set_2;
        case 4: return set_4;
        case 8: return set_8;
        case 16: return set_16;
        }
        return NULL;
    }
    switch (dtype) {
    case TG_BOOL: return scatter_bool;
    case TG_INT8: return scatter_i8;
    case TG_INT16: return scatter_i16;
    case TG_INT32: return scatter_i32;
    case TG_INT64: return scatter_i64;
    case TG_UINT8: return scatter_u8;
    case TG_UINT16: return scatter_u16;
    case TG_UINT32: return scatter_u32;
    case TG_UINT64: return scatter_u64;
    case TG_FLOAT16: return scatter_f16;
    case TG_FLOAT32: return scatter_f32;
    case TG_FLOAT64: return scatter_f64;
    case TG_COMPLEX64: return scatter_c64;
    case TG_COMPLEX128: return scatter_c128;
    }
    return NULL;
}

/* --- walks over views ------------------------------------------------------ */

/* A shape walked by up to two operands (element strides), with length-1
 * dimensions dropped and dimensions merged where both operands step
 * through them as one: x[i, j] with strides (3, 1) over (4, 3) is one run
 * of 12. nd == 0 is a single element. */
typedef struct walk {
    int32_t nd;
    int64_t shape[TG_MAXDIM];
    int64_t a[TG_MAXDIM], b[TG_MAXDIM];
    int empty; /* some length is 0 */
} walk;

static void walk_init(walk *w, int32_t nd, const int64_t *shape, const int64_t *a, const int64_t *b) {
    w->nd = 0;
    w->empty = 0;
    for (int32_t d = 0; d < nd; d++) {
        if (shape[d] == 0)
            w->empty = 1;
        if (shape[d] == 1)
            continue;
        int64_t sb = b ? b[d] : 0;
        int32_t k = w->nd;
        if (k > 0 && w->a[k - 1] == a[d] * shape[d] && w->b[k - 1] == sb * shape[d]) {
            w->shape[k - 1] *= shape[d];
            w->a[k - 1] = a[d];
            w->b[k - 1] = sb;
            continue;
        }
        w->shape[k] = shape[d];
        w->a[k] = a[d];
        w->b[k] = sb;
        w->nd++;
    }
}

/* Runs fn over the walk: the innermost dimension as one run per position
 * of the outer ones. Element sizes ea and eb scale the strides to bytes. */
static void walk_run(const walk *w, char *pa, int64_t ea, const char *pb, int64_t eb, run_fn fn) {
    if (w->empty)
        return;
    if (w->nd == 0) {
        fn(pa, 0, pb, 0, 1);
        return;
    }
    int32_t last = w->nd - 1;
    int64_t idx[TG_MAXDIM] = {0};
    for (;;) {
        fn(pa, w->a[last], pb, w->b[last], w->shape[last]);
        int32_t d = last - 1;
        for (; d >= 0; d--) {
            pa += w->a[d] * ea;
            pb += w->b[d] * eb;
            if (++idx[d] < w->shape[d])
                break;
            pa -= w->a[d] * w->shape[d] * ea;
            pb -= w->b[d] * w->shape[d] * eb;
            idx[d] = 0;
        }
        if (d < 0)
            return;
    }
}

/* Writes the element offset of every position of (nd, shape, strides), in C order. */
static void offsets_of(int32_t nd, const int64_t *shape, const int64_t *strides, int64_t *dst) {
    int64_t n = 1;
    for (int32_t d = 0; d < nd; d++)
        n *= shape[d];
    if (n == 0)
        return;
    int64_t idx[TG_MAXDIM] = {0}, off = 0;
    for (int64_t q = 0; q < n; q++) {
        dst[q] = off;
        for (int32_t d = nd - 1; d >= 0; d--) {
            off += strides[d];
            if (++idx[d] < shape[d])
                break;
            off -= strides[d] * shape[d];
            idx[d] = 0;
        }
    }
}

/* The number of elements of a shape. */
static int64_t count(int32_t nd, const int64_t *shape) {
    int64_t n = 1;
    for (int32_t d = 0; d < nd; d++)
        n *= shape[d];
    return n;
}

/* The bytes [lo, hi) a view touches; lo == hi when it is empty. */
static void extent(const tg_view *v, const char **lo, const char **hi) {
    int64_t es = tg_dtype_size(v->dtype), min = 0, max = 0;
    for (int32_t d = 0; d < v->ndim; d++) {
        if (v->shape[d] == 0) {
            *lo = *hi = v->data;
            return;
        }
        int64_t span = (v->shape[d] - 1) * v->strides[d];
        if (span < 0)
            min += span;
        else
            max += span;
    }
    *lo = v->data + min * es;
    *hi = v->data + (max + 1) * es;
}

static int overlaps(const tg_view *a, const tg_view *b) {
    const char *alo, *ahi, *blo, *bhi;
    extent(a, &alo, &ahi);
    extent(b, &blo, &bhi);
    return alo < ahi && blo < bhi && alo < bhi && blo < ahi;
}

/* Whether a and b are the same elements in the same order. */
static int same_layout(const tg_view *a, const tg_view *b) {
    if (a->data != b->data || a->ndim != b->ndim)
        return 0;
    for (int32_t d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d] || (a->shape[d] > 1 && a->strides[d] != b->strides[d]))
            return 0;
    return 1;
}

/* A contiguous view of v's shape over mem. */
static void contiguous_like(const tg_view *v, int32_t dtype, char *mem, tg_view *c) {
    c->data = mem;
    c->ndim = v->ndim;
    c->dtype = dtype;
    int64_t s = 1;
    for (int32_t d = v->ndim - 1; d >= 0; d--) {
        c->shape[d] = v->shape[d];
        c->strides[d] = s;
        s *= v->shape[d];
    }
}

/* dst = src elementwise (same shape and element size). */
static void copy_view(tg_view *dst, const tg_view *src) {
    walk w;
    int64_t es = tg_dtype_size(dst->dtype);
    walk_init(&w, dst->ndim, dst->shape, dst->strides, src->strides);
    walk_run(&w, dst->data, es, src->data, es, copy_run(es));
}

/* --- conversions (y of another dtype than x) ----------------------------- */

/* A value read as the evaluator reads it for each target domain: i for
 * bools and integers (Int64s), re/im for floats and complex (Float64s,
 * Complex128s), nonzero for bools. */
typedef struct value {
    int64_t i;
    double re, im;
    int nonzero;
} value;

static int64_t float_to_int64(double v) {
    if (v >= 9.223372036854775807e18 && v < 1.8446744073709552e19)
        return (int64_t)(uint64_t)v;
    if (isnan(v) || v >= 9.223372036854775807e18 || v < -9.223372036854775808e18)
        return INT64_MIN;
    return (int64_t)v;
}

static void load_value(int32_t dtype, const char *p, value *v) {
    v->im = 0;
    switch (dtype) {
    case TG_BOOL: v->i = *(const uint8_t *)p != 0; v->re = (double)v->i; break;
    case TG_INT8: v->i = *(const int8_t *)p; v->re = (double)v->i; break;
    case TG_INT16: v->i = *(const int16_t *)p; v->re = (double)v->i; break;
    case TG_INT32: v->i = *(const int32_t *)p; v->re = (double)v->i; break;
    case TG_INT64: v->i = *(const int64_t *)p; v->re = (double)v->i; break;
    case TG_UINT8: v->i = *(const uint8_t *)p; v->re = (double)v->i; break;
    case TG_UINT16: v->i = *(const uint16_t *)p; v->re = (double)v->i; break;
    case TG_UINT32: v->i = *(const uint32_t *)p; v->re = (double)v->i; break;
    case TG_UINT64: v->i = (int64_t) * (const uint64_t *)p; v->re = (double)*(const uint64_t *)p; break;
    case TG_FLOAT16: v->re = half_to_float(*(const uint16_t *)p); v->i = float_to_int64(v->re); break;
    case TG_FLOAT32: v->re = *(const float *)p; v->i = float_to_int64(v->re); break;
    case TG_FLOAT64: v->re = *(const double *)p; v->i = float_to_int64(v->re); break;
    case TG_COMPLEX64: v->re = ((const tg_c64 *)p)->re; v->im = ((const tg_c64 *)p)->im; v->i = float_to_int64(v->re); break;
    case TG_COMPLEX128: v->re = ((const tg_c128 *)p)->re; v->im = ((const tg_c128 *)p)->im; v->i = float_to_int64(v->re); break;
    }
    v->nonzero = v->re != 0 || v->im != 0;
}

static void store_value(int32_t dtype, char *p, const value *v) {
    switch (dtype) {
    case TG_BOOL: *(uint8_t *)p = (uint8_t)v->nonzero; break;
    case TG_INT8: *(int8_t *)p = (int8_t)(uint8_t)v->i; break;
    case TG_INT16: *(int16_t *)p = (int16_t)(uint16_t)v->i; break;
    case TG_INT32: *(int32_t *)p = (int32_t)(uint32_t)v->i; break;
    case TG_INT64: *(int64_t *)p = v->i; break;
    case TG_UINT8: *(uint8_t *)p = (uint8_t)v->i; break;
    case TG_UINT16: *(uint16_t *)p = (uint16_t)v->i; break;
    case TG_UINT32: *(uint32_t *)p = (uint32_t)v->i; break;
    case TG_UINT64: *(uint64_t *)p = (uint64_t)v->i; break;
    case TG_FLOAT16: *(uint16_t *)p = double_to_half(v->re); break;
    case TG_FLOAT32: *(float *)p = (float)v->re; break;
    case TG_FLOAT64: *(double *)p = v->re; break;
    case TG_COMPLEX64: ((tg_c64 *)p)->re = (float)v->re; ((tg_c64 *)p)->im = (float)v->im; break;
    case TG_COMPLEX128: ((tg_c128 *)p)->re = v->re; ((tg_c128 *)p)->im = v->im; break;
    }
}

/* dst (contiguous, dtype dst->dtype) = src converted elementwise. */
static void convert_view(tg_view *dst, const tg_view *src) {
    int64_t n = count(src->ndim, src->shape), es = tg_dtype_size(dst->dtype), ss = tg_dtype_size(src->dtype);
    if (n == 0)
        return;
    int64_t idx[TG_MAXDIM] = {0}, off = 0;
    value v;
    for (int64_t q = 0; q < n; q++) {
        load_value(src->dtype, src->data + off * ss, &v);
        store_value(dst->dtype, dst->data + q * es, &v);
        for (int32_t d = src->ndim - 1; d >= 0; d--) {
            off += src->strides[d];
            if (++idx[d] < src->shape[d])
                break;
            off -= src->strides[d] * src->shape[d];
            idx[d] = 0;
        }
    }
}

/* --- messages in the evaluator's words ------------------------------------ */

/* A small string builder for messages (truncates past its buffer). */
typedef struct text {
    char buf[1024];
    size_t n;
} text;

static void put(text *t, const char *fmt, ...) {
    if (t->n >= sizeof t->buf - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(t->buf + t->n, sizeof t->buf - t->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        t->n += (size_t)k;
    if (t->n >= sizeof t->buf)
        t->n = sizeof t->buf - 1;
}

/* Go's %v of an []int: "[2 3]". */
static void put_shape(text *t, int32_t nd, const int64_t *shape) {
    put(t, "[");
    for (int32_t d = 0; d < nd; d++)
        put(t, d ? " %lld" : "%lld", (long long)shape[d]);
    put(t, "]");
}

/* Go's %v of a float64: the shortest digits that read back, in %e form
 * when the exponent is < -4 or >= 6 ("0.1", "123456", "1e+06", "1e-05",
 * "NaN", "+Inf"). */
static void put_float(text *t, double v) {
    if (isnan(v)) {
        put(t, "NaN");
        return;
    }
    if (isinf(v)) {
        put(t, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    char e[64];
    int prec = 1;
    for (; prec <= 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec - 1, v);
        if (strtod(e, NULL) == v)
            break;
    }
    int exp = atoi(strchr(e, 'e') + 1);
    if (exp < -4 || exp >= 6) {
        /* mantissa digits as %e prints them, exponent with at least two digits */
        char *m = e, *x = strchr(e, 'e');
        *x = 0;
        put(t, "%se%c%02d", m, exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        return;
    }
    int decimals = prec - 1 - exp;
    put(t, "%.*f", decimals > 0 ? decimals : 0, v);
}

static int fail(char **err, const text *t) { return tg_set_error(err, "%s", t->buf); }

/* --- scratch memory -------------------------------------------------------- */

/* Scratch int64s: a stack buffer for small selections, else the heap. */
typedef struct scratch {
    int64_t small[768];
    int64_t *heap;
} scratch;

static int64_t *scratch_get(scratch *s, int64_t n) {
    s->heap = NULL;
    if (n <= (int64_t)(sizeof s->small / sizeof s->small[0]))
        return s->small;
    if (n > (int64_t)(SIZE_MAX / 8))
        return NULL;
    s->heap = (int64_t *)malloc((size_t)n * sizeof(int64_t));
    return s->heap;
}

static void scratch_free(scratch *s) { free(s->heap); }

/* --- basic selection ------------------------------------------------------- */

/* Python's slice(start, stop, step).indices(n) and the slice's length, as
 * the evaluator's sliceIndices. Returns nonzero for a zero step. */
static int slice_span(int64_t n, const int64_t *e, int64_t *start, int64_t *step, int64_t *length) {
    int64_t st = e[4] ? e[5] : 1;
    if (st == 0)
        return 1;
    int64_t lower = 0, upper = n;
    if (st < 0)
        lower = -1, upper = n - 1;
    int64_t bounds[2];
    for (int j = 0; j < 2; j++) {
        int has = (int)e[2 * j];
        int64_t x = e[2 * j + 1];
        int64_t def = (st > 0) == (j == 0) ? lower : upper;
        if (!has)
            bounds[j] = def;
        else if (x < 0)
            bounds[j] = x + n > lower ? x + n : lower;
        else
            bounds[j] = x < upper ? x : upper;
    }
    int64_t a = bounds[0], z = bounds[1], len = 0;
    if (st > 0 && z > a)
        len = (z - a - 1) / st + 1;
    else if (st < 0 && a > z)
        len = st == INT64_MIN ? 1 : (a - z - 1) / (-st) + 1;
    *start = a;
    *step = st;
    *length = len;
    return 0;
}

/* sel = v[items]: the view of v the basic index selects (integer items
 * drop their dimension). Checks in dimension order, as resolveSpans. */
static int select_basic(const tg_view *v, int32_t n_items, const int64_t *items, tg_view *sel, const char *op,
                        char **err) {
    int64_t es = tg_dtype_size(v->dtype);
    char *data = v->data;
    int32_t nd = 0;
    for (int32_t d = 0; d < v->ndim; d++) {
        int64_t n = v->shape[d], st = v->strides[d];
        if (d >= n_items) {
            sel->shape[nd] = n;
            sel->strides[nd++] = st;
            continue;
        }
        const int64_t *it = items + (int64_t)d * TG_INDEX_ITEM;
        if (!it[0]) {
            int64_t i = it[1];
            if (i < -n || i >= n)
                return tg_set_error(err, "IndexError: %s: index %lld is out of bounds for axis %d with size %lld", op,
                                    (long long)i, (int)d, (long long)n);
            if (i < 0)
                i += n;
            data += i * st * es;
            continue;
        }
        int64_t start, step, length;
        if (slice_span(n, it + 1, &start, &step, &length))
            return tg_set_error(err, "ValueError: %s: slice step cannot be zero", op);
        if (length > 0)
            data += start * st * es;
        sel->shape[nd] = length;
        sel->strides[nd++] = step * st;
    }
    sel->data = data;
    sel->ndim = nd;
    sel->dtype = v->dtype;
    return 0;
}

/* yb = y broadcast to sel's shape (sel_nd lengths): y pads on the left and
 * its dimensions marked static-1 broadcast; any other difference fails as
 * broadcastInto does. */
static int fit_update(const tg_view *y, const uint8_t *y_static1, int32_t sel_nd, const int64_t *sel_shape,
                      tg_view *yb, const char *op, char **err) {
    int32_t lead = sel_nd - y->ndim;
    int ok = lead >= 0;
    for (int32_t d = 0; ok && d < y->ndim; d++)
        if (y->shape[d] != sel_shape[lead + d] && !y_static1[d])
            ok = 0;
    if (!ok) {
        text t;
        memset(&t, 0, sizeof t);
        put(&t, "ValueError: %s: y of shape ", op);
        put_shape(&t, y->ndim, y->shape);
        put(&t, " does not fit the selection of shape ");
        put_shape(&t, sel_nd, sel_shape);
        return fail(err, &t);
    }
    yb->data = y->data;
    yb->ndim = sel_nd;
    yb->dtype = y->dtype;
    for (int32_t d = 0; d < sel_nd; d++) {
        yb->shape[d] = sel_shape[d];
        yb->strides[d] = d < lead || y_static1[d - lead] ? 0 : y->strides[d - lead];
    }
    return 0;
}

/* Prepares the increment for writing into out: converted to out's dtype,
 * or copied aside when it overlaps out (an in-place update reading a view
 * of itself); *mem is the temporary to free (NULL when y is used as is). */
static int prepare_update(const tg_view *out, const tg_view *y, tg_view *ready, void **mem, char **err) {
    *mem = NULL;
    *ready = *y;
    if (y->dtype == out->dtype && !overlaps(out, y))
        return 0;
    int64_t n = count(y->ndim, y->shape), es = tg_dtype_size(out->dtype);
    *mem = malloc(n > 0 ? (size_t)(n * es) : 1);
    if (!*mem)
        return tg_set_error(err, "MemoryError: cannot allocate %lld bytes for an increment", (long long)(n * es));
    contiguous_like(y, out->dtype, (char *)*mem, ready);
    if (y->dtype == out->dtype)
        copy_view(ready, y);
    else
        convert_view(ready, y);
    return 0;
}

/* Makes out hold x's values: nothing when out is x's memory with x's layout
 * (an in-place update), a copy otherwise (through a temporary if they
 * overlap some other way). Called only once nothing can fail but this
 * copy's allocation, which is made before any write. */
static int copy_x_into(tg_view *out, const tg_view *x, char **err) {
    if (same_layout(out, x))
        return 0;
    if (!overlaps(out, x)) {
        copy_view(out, x);
        return 0;
    }
    int64_t n = count(x->ndim, x->shape), es = tg_dtype_size(x->dtype);
    char *mem = (char *)malloc(n > 0 ? (size_t)(n * es) : 1);
    if (!mem)
        return tg_set_error(err, "MemoryError: cannot allocate %lld bytes for a copy", (long long)(n * es));
    tg_view tmp;
    contiguous_like(x, x->dtype, mem, &tmp);
    copy_view(&tmp, x);
    copy_view(out, &tmp);
    free(mem);
    return 0;
}

int tg_inc_subtensor(tg_view *out, const tg_view *x, const tg_view *y, const uint8_t *y_static1, int32_t n_items,
                     const int64_t *items, int32_t set, char **err) {
    const char *op = set ? "set_subtensor" : "inc_subtensor";
    tg_view sel, yb, ready;
    memset(&sel, 0, sizeof sel);
    void *mem;
    if (select_basic(out, n_items, items, &sel, op, err) || fit_update(y, y_static1, sel.ndim, sel.shape, &yb, op, err))
        return 1;
    if (prepare_update(out, y, &ready, &mem, err))
        return 1;
    if (copy_x_into(out, x, err)) {
        free(mem);
        return 1;
    }
    fit_update(&ready, y_static1, sel.ndim, sel.shape, &yb, op, err); /* checked above */
    walk w;
    int64_t es = tg_dtype_size(out->dtype);
    walk_init(&w, sel.ndim, sel.shape, sel.strides, yb.strides);
    walk_run(&w, sel.data, es, yb.data, es, update_run(out->dtype, set));
    free(mem);
    return 0;
}

/* --- advanced selection ---------------------------------------------------- */

/* The index arrays broadcast together: rank dimensions of lengths shape,
 * and per array its element strides over them (0 where it broadcasts). */
typedef struct broadcast {
    int32_t rank;
    int64_t shape[TG_MAXDIM];
    int64_t strides[TG_MAXDIM][TG_MAXDIM];
} broadcast;

static int broadcast_indices(int32_t k, const tg_view *const *idx, const uint8_t *static1, broadcast *b,
                             const char *op, char **err) {
    int32_t rank = 0;
    for (int32_t i = 0; i < k; i++)
        rank = idx[i]->ndim > rank ? idx[i]->ndim : rank;
    int32_t first[TG_MAXDIM];
    for (int32_t d = 0; d < rank; d++) {
        b->shape[d] = 1;
        first[d] = -1;
    }
    b->rank = rank;
    const uint8_t *flags = static1;
    for (int32_t i = 0; i < k; i++, flags += idx[i - 1]->ndim) {
        int32_t lead = rank - idx[i]->ndim;
        for (int32_t d = 0; d < rank; d++)
            b->strides[i][d] = 0;
        for (int32_t d = 0; d < idx[i]->ndim; d++) {
            if (flags[d])
                continue;
            int32_t at = lead + d;
            int64_t n = idx[i]->shape[d];
            b->strides[i][at] = idx[i]->strides[d];
            if (first[at] < 0) {
                first[at] = i;
                b->shape[at] = n;
            } else if (n != b->shape[at]) {
                text t;
                memset(&t, 0, sizeof t);
                put(&t,
                    "ValueError: %s: shape mismatch: the index arrays cannot be broadcast together: dimension %d has "
                    "length %lld in index %d and %lld in index %d (shapes [",
                    op, (int)at, (long long)b->shape[at], (int)first[at], (long long)n, (int)i);
                for (int32_t j = 0; j < k; j++) {
                    if (j)
                        put(&t, " ");
                    put_shape(&t, idx[j]->ndim, idx[j]->shape);
                }
                put(&t, "])");
                return fail(err, &t);
            }
        }
    }
    return 0;
}

/* OFFSETS(T) adds each index of an array of T, normalized, times the
 * target stride, into off[q]; the loop is branch-free (it vectorizes) and
 * only when some index is out of bounds does a second scan find the first
 * one, for the message. */
#define OFFSETS(T)                                                                     \
    {                                                                                  \
        const T *base = (const T *)v->data;                                            \
        int any_bad = 0;                                                               \
        for (int64_t q = 0; q < n; q++) {                                              \
            int64_t i = (int64_t)base[ioff ? ioff[q] : q * is];                         \
            any_bad |= (uint64_t)i + (uint64_t)size >= 2 * (uint64_t)size;             \
            i += i < 0 ? size : 0;                                                     \
            off[q] = (first ? 0 : off[q]) + i * ts;                                    \
        }                                                                              \
        for (int64_t q = 0; any_bad && q < n; q++) {                                   \
            int64_t i = (int64_t)base[ioff ? ioff[q] : q * is];                         \
            if (i < -size || i >= size) {                                              \
                bad = i;                                                               \
                goto out_of_bounds;                                                    \
            }                                                                          \
        }                                                                              \
    }                                                                                  \
    break;

/* FUSED2(name, T0, T1): the two-index-vector case of advanced_offsets in
 * one pass (x[arange(n), y] and its gradient): returns 1, before any
 * message, when some index is out of bounds, and the ordered pass then
 * finds the one the evaluator reports. */
#define FUSED2(name, T0, T1)                                                                               \
    static int name(const char *p0, int64_t s0, int64_t n0, int64_t t0, const char *p1, int64_t s1, int64_t n1, \
                    int64_t t1, int64_t n, int64_t *off) {                                                  \
        const T0 *a = (const T0 *)p0;                                                                      \
        const T1 *b = (const T1 *)p1;                                                                      \
        int bad = 0; /* branch-free, so that the loop vectorizes */                                       \
        for (int64_t q = 0; q < n; q++) {                                                                  \
            int64_t i = (int64_t)a[q * s0], j = (int64_t)b[q * s1];                                        \
            bad |= ((uint64_t)i + (uint64_t)n0 >= 2 * (uint64_t)n0) | ((uint64_t)j + (uint64_t)n1 >= 2 * (uint64_t)n1); \
            i += i < 0 ? n0 : 0;                                                                           \
            j += j < 0 ? n1 : 0;                                                                           \
            off[q] = i * t0 + j * t1;                                                                      \
        }                                                                                                  \
        return bad;                                                                                        \
    }
FUSED2(fused_ll, int64_t, int64_t)
FUSED2(fused_li, int64_t, int32_t)
FUSED2(fused_il, int32_t, int64_t)
FUSED2(fused_ii, int32_t, int32_t)

typedef int (*fused_fn)(const char *, int64_t, int64_t, int64_t, const char *, int64_t, int64_t, int64_t, int64_t,
                        int64_t *);

/* The fused pass for two index vectors of int32 or int64 that each walk
 * the broadcast shape as one run (stride step0, step1); NULL otherwise. */
static fused_fn fused_for(int32_t k, const tg_view *const *idx, const broadcast *b, int64_t *step0, int64_t *step1) {
    if (k != 2)
        return NULL;
    int64_t steps[2];
    for (int32_t i = 0; i < 2; i++) {
        walk w;
        walk_init(&w, b->rank, b->shape, b->strides[i], NULL);
        if (w.nd > 1 || (idx[i]->dtype != TG_INT64 && idx[i]->dtype != TG_INT32))
            return NULL;
        steps[i] = w.nd == 1 ? w.a[0] : 0;
    }
    *step0 = steps[0];
    *step1 = steps[1];
    int l0 = idx[0]->dtype == TG_INT64, l1 = idx[1]->dtype == TG_INT64;
    return l0 ? (l1 ? fused_ll : fused_li) : (l1 ? fused_il : fused_ii);
}

/* off[q] = the element offset, by target strides ts, of position q of the
 * selection: the sum over the k index arrays. Checks every index, in the
 * evaluator's order (array by array). iscratch holds n int64s when some
 * index array does not walk as one run over the broadcast shape. */
static int advanced_offsets(const tg_view *x, const int64_t *target_strides, int32_t k, const tg_view *const *idx,
                            const broadcast *b, int64_t n, int64_t *off, int64_t *iscratch, const char *op,
                            char **err) {
    if (k == 0 || n == 0) {
        for (int64_t q = 0; q < n; q++)
            off[q] = 0;
        return 0;
    }
    int64_t step0, step1;
    fused_fn fused = fused_for(k, idx, b, &step0, &step1);
    if (fused && !fused(idx[0]->data, step0, x->shape[0], target_strides[0], idx[1]->data, step1, x->shape[1],
                        target_strides[1], n, off))
        return 0;
    for (int32_t axis = 0; axis < k; axis++) {
        const tg_view *v = idx[axis];
        int64_t size = x->shape[axis], ts = target_strides[axis], is = 0, bad = 0;
        int first = axis == 0;
        const int64_t *ioff = NULL;
        walk w;
        walk_init(&w, b->rank, b->shape, b->strides[axis], NULL);
        if (w.nd == 1)
            is = w.a[0];
        else if (w.nd > 1) {
            offsets_of(b->rank, b->shape, b->strides[axis], iscratch);
            ioff = iscratch;
        }
        switch (v->dtype) {
        case TG_INT8: OFFSETS(int8_t)
        case TG_INT16: OFFSETS(int16_t)
        case TG_INT32: OFFSETS(int32_t)
        case TG_INT64: OFFSETS(int64_t)
        case TG_UINT8: OFFSETS(uint8_t)
        case TG_UINT16: OFFSETS(uint16_t)
        case TG_UINT32: OFFSETS(uint32_t)
        case TG_UINT64: OFFSETS(uint64_t)
        default:
            return tg_set_error(err, "TypeError: %s: index %d has dtype %d, not an integer", op, (int)axis,
                                (int)v->dtype);
        }
        continue;
    out_of_bounds:
        return tg_set_error(err, "IndexError: %s: index %lld is out of bounds for axis %d with size %lld", op,
                            (long long)bad, (int)axis, (long long)size);
    }
    return 0;
}

/* Whether some index array needs its offsets listed (does not walk as one run). */
static int needs_index_scratch(int32_t k, const broadcast *b) {
    for (int32_t i = 0; i < k; i++) {
        walk w;
        walk_init(&w, b->rank, b->shape, b->strides[i], NULL);
        if (w.nd > 1)
            return 1;
    }
    return 0;
}

int tg_advanced_subtensor(tg_view *out, const tg_view *x, int32_t k, const tg_view *const *idx,
                          const uint8_t *static1, char **err) {
    const char *op = "advanced_subtensor";
    broadcast b;
    if (broadcast_indices(k, idx, static1, &b, op, err))
        return 1;
    int64_t n = count(b.rank, b.shape);
    int need_i = needs_index_scratch(k, &b);
    scratch s;
    int64_t *off = scratch_get(&s, n * (1 + need_i));
    if (!off)
        return tg_set_error(err, "MemoryError: %s: cannot allocate %lld index positions", op, (long long)n);
    if (advanced_offsets(x, x->strides, k, idx, &b, n, off, need_i ? off + n : NULL, op, err)) {
        scratch_free(&s);
        return 1;
    }
    /* out[q, r...] = x[off[q] + r...]: out is contiguous, the rest of x strided. */
    int32_t rest = x->ndim - k;
    int64_t inner = count(rest, x->shape + k), es = tg_dtype_size(x->dtype);
    walk w;
    walk_init(&w, rest, x->shape + k, out->strides + b.rank, x->strides + k);
    if (inner == 1) {
        gather_run(es)(out->data, x->data, off, n);
    } else if (inner > 0) {
        run_fn fn = copy_run(es);
        for (int64_t q = 0; q < n; q++)
            walk_run(&w, out->data + q * inner * es, es, x->data + off[q] * es, es, fn);
    }
    scratch_free(&s);
    return 0;
}

int tg_advanced_inc_subtensor(tg_view *out, const tg_view *x, const tg_view *y, const uint8_t *y_static1, int32_t k,
                              const tg_view *const *idx, const uint8_t *static1, int32_t set, char **err) {
    const char *op = set ? "advanced_set_subtensor" : "advanced_inc_subtensor";
    broadcast b;
    if (broadcast_indices(k, idx, static1, &b, op, err))
        return 1;
    /* the selection: the broadcast index shape, then out's dimensions after k */
    int32_t rest = out->ndim - k, sel_nd = b.rank + rest;
    int64_t sel_shape[TG_MAXDIM];
    for (int32_t d = 0; d < b.rank; d++)
        sel_shape[d] = b.shape[d];
    for (int32_t d = 0; d < rest; d++)
        sel_shape[b.rank + d] = out->shape[k + d];
    int64_t n = count(b.rank, b.shape);
    int need_i = needs_index_scratch(k, &b);
    scratch s;
    int64_t *off = scratch_get(&s, n * (2 + need_i));
    if (!off)
        return tg_set_error(err, "MemoryError: %s: cannot allocate %lld index positions", op, (long long)n);
    int64_t *yoff = off + n, *iscratch = need_i ? off + 2 * n : NULL;
    tg_view yb, ready;
    void *mem = NULL;
    if (advanced_offsets(x, out->strides, k, idx, &b, n, off, iscratch, op, err) ||
        fit_update(y, y_static1, sel_nd, sel_shape, &yb, op, err) || prepare_update(out, y, &ready, &mem, err)) {
        scratch_free(&s);
        return 1;
    }
    if (copy_x_into(out, x, err)) {
        free(mem);
        scratch_free(&s);
        return 1;
    }
    /* Every check is done: write. */
    fit_update(&ready, y_static1, sel_nd, sel_shape, &yb, op, err);
    int64_t es = tg_dtype_size(out->dtype), inner = count(rest, sel_shape + b.rank);
    /* y's offset at position q: one stride when y walks the broadcast
     * dimensions as one run, else listed. */
    walk wy;
    walk_init(&wy, b.rank, b.shape, yb.strides, NULL);
    int64_t ys = wy.nd == 1 ? wy.a[0] : 0;
    const int64_t *yo = NULL;
    if (wy.nd > 1) {
        offsets_of(b.rank, b.shape, yb.strides, yoff);
        yo = yoff;
    }
    if (inner == 1) {
        scatter_run(out->dtype, set)(out->data, off, yb.data, ys, yo, n);
    } else if (inner > 0) {
        walk w;
        walk_init(&w, rest, sel_shape + b.rank, out->strides + k, yb.strides + b.rank);
        run_fn fn = update_run(out->dtype, set);
        for (int64_t q = 0; q < n; q++)
            walk_run(&w, out->data + off[q] * es, es, yb.data + (yo ? yo[q] : q * ys) * es, es, fn);
    }
    free(mem);
    scratch_free(&s);
    return 0;
}

/* --- arange ---------------------------------------------------------------- */

/* Whether dtype is a bool or an integer (the evaluator's IsDiscrete). */
static int discrete(int32_t dtype) { return dtype >= TG_BOOL && dtype <= TG_UINT64; }

/* The evaluator's arange length for integer bounds (arangeIntLength). */
static int int_length(int64_t a, int64_t z, int64_t s, int64_t *n, char **err) {
    if (s == 0)
        return tg_set_error(err, "ValueError: arange: step cannot be zero");
    if (z == a || (z > a) != (s > 0)) {
        *n = 0;
        return 0;
    }
    uint64_t d = (uint64_t)z - (uint64_t)a, m = (uint64_t)s;
    if (s < 0)
        d = (uint64_t)a - (uint64_t)z, m = -m;
    uint64_t q = d / m + (d % m != 0);
    if (q > (uint64_t)INT64_MAX)
        return tg_set_error(err, "ValueError: arange: the length of arange(%lld, %lld, %lld) overflows int64",
                            (long long)a, (long long)z, (long long)s);
    *n = (int64_t)q;
    return 0;
}

/* The evaluator's arange length for float bounds (arangeLength). */
static int float_length(double a, double z, double s, int64_t *n, char **err) {
    if (s == 0)
        return tg_set_error(err, "ValueError: arange: step cannot be zero");
    double q = ceil((z - a) / s);
    if (isnan(q) || isinf(q) || q >= 9.223372036854775807e18) {
        text t;
        memset(&t, 0, sizeof t);
        put(&t, isnan(q) || isinf(q) ? "ValueError: arange: cannot compute the length of arange("
                                     : "ValueError: arange: the length ");
        if (!(isnan(q) || isinf(q))) {
            put_float(&t, q);
            put(&t, " of arange(");
        }
        put_float(&t, a);
        put(&t, ", ");
        put_float(&t, z);
        put(&t, ", ");
        put_float(&t, s);
        put(&t, isnan(q) || isinf(q) ? ")" : ") overflows int64");
        return fail(err, &t);
    }
    *n = q > 0 ? (int64_t)q : 0;
    return 0;
}

/* The float path's start + i*step must round twice, as the evaluator's
 * Go code does: no fused multiply-add. */
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif
static void arange_floats(tg_view *out, double a, double s, int64_t n) {
    int64_t es = tg_dtype_size(out->dtype), st = out->strides[0];
    if (out->dtype == TG_FLOAT64 || out->dtype == TG_FLOAT32) { /* the common dtypes, without a switch per element */
        for (int64_t i = 0; i < n; i++) {
            double t = (double)i * s, v = a + t;
            if (out->dtype == TG_FLOAT64)
                ((double *)out->data)[i * st] = v;
            else
                ((float *)out->data)[i * st] = (float)v;
        }
        return;
    }
    value v;
    memset(&v, 0, sizeof v);
    for (int64_t i = 0; i < n; i++) {
        double t = (double)i * s;
        v.re = a + t;
        v.nonzero = v.re != 0;
        v.i = float_to_int64(v.re);
        store_value(out->dtype, out->data + i * st * es, &v);
    }
}
#if !defined(__clang__) && defined(__GNUC__)
#pragma GCC pop_options
#endif

int tg_arange(tg_view *out, const tg_view *start, const tg_view *stop, const tg_view *step, char **err) {
    value a, z, s;
    load_value(start->dtype, start->data, &a);
    load_value(stop->dtype, stop->data, &z);
    load_value(step->dtype, step->data, &s);
    int64_t n = 0;
    int exact = discrete(start->dtype) && discrete(stop->dtype) && discrete(step->dtype);
    if (exact ? int_length(a.i, z.i, s.i, &n, err) : float_length(a.re, z.re, s.re, &n, err))
        return 1;
    if (out->ndim != 1 || out->shape[0] != n)
        return tg_set_error(err, "ValueError: arange: internal error: %lld elements allocated, arange makes %lld",
                            (long long)(out->ndim == 1 ? out->shape[0] : -1), (long long)n);
    if (!exact) {
        arange_floats(out, a.re, s.re, n);
        return 0;
    }
    /* Exact: int64 start + i*step (wrapping), converted as FromInt64s. */
    int64_t es = tg_dtype_size(out->dtype), st = out->strides[0];
    uint64_t a0 = (uint64_t)a.i, s0 = (uint64_t)s.i;
    switch (out->dtype) { /* the common dtypes, without a switch per element */
    case TG_INT64:
        for (int64_t i = 0; i < n; i++)
            ((int64_t *)out->data)[i * st] = (int64_t)(a0 + (uint64_t)i * s0);
        return 0;
    case TG_INT32:
        for (int64_t i = 0; i < n; i++)
            ((int32_t *)out->data)[i * st] = (int32_t)(uint32_t)(a0 + (uint64_t)i * s0);
        return 0;
    case TG_FLOAT64:
        for (int64_t i = 0; i < n; i++)
            ((double *)out->data)[i * st] = (double)(int64_t)(a0 + (uint64_t)i * s0);
        return 0;
    case TG_FLOAT32:
        for (int64_t i = 0; i < n; i++)
            ((float *)out->data)[i * st] = (float)(double)(int64_t)(a0 + (uint64_t)i * s0);
        return 0;
    }
    value v;
    memset(&v, 0, sizeof v);
    for (int64_t i = 0; i < n; i++) {
        v.i = (int64_t)((uint64_t)a.i + (uint64_t)i * (uint64_t)s.i);
        v.re = (double)v.i;
        v.nonzero = v.i != 0;
        store_value(out->dtype, out->data + i * st * es, &v);
    }
    return 0;
}
