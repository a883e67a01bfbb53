/*
 * tg_loops.h: static inline helpers that generated kernels (codegen/cxx)
 * use around their loops: views (sizes, contiguity, broadcast strides),
 * strided copies, size checks, numpy's astype conversions, basic index
 * resolution and the evaluator fallback's call. C++17, header only.
 */
#ifndef TG_LOOPS_H
#define TG_LOOPS_H

#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "tg_rt.h"
#include "tg_scalar.h"

static inline int64_t tg_view_size(const tg_view *v) {
    int64_t n = 1;
    for (int d = 0; d < v->ndim; d++) n *= v->shape[d];
    return n;
}

/* Fills v's strides for a C-contiguous layout of its shape. */
static inline void tg_contiguous_strides(tg_view *v) {
    int64_t s = 1;
    for (int d = v->ndim - 1; d >= 0; d--) {
        v->strides[d] = s;
        s *= v->shape[d];
    }
}

/* Whether v is C-contiguous (dimensions of length 1 may have any stride). */
static inline bool tg_is_contiguous(const tg_view *v) {
    int64_t s = 1;
    for (int d = v->ndim - 1; d >= 0; d--) {
        if (v->shape[d] != 1 && v->strides[d] != s) return false;
        s *= v->shape[d];
    }
    return true;
}

/* Sets a view over a C-contiguous buffer. */
static inline void tg_view_init(tg_view *v, const void *data, int32_t dtype, int32_t ndim, const int64_t *shape) {
    v->data = (char *)data;
    v->dtype = dtype;
    v->ndim = ndim;
    for (int d = 0; d < ndim; d++) v->shape[d] = shape[d];
    tg_contiguous_strides(v);
}

/* The strides (elements) with which an elementwise loop over out reads in:
 * in's dimensions aligned right (missing leading ones read as length 1),
 * 0 where in has length 1 (broadcast). */
static inline void tg_bstrides(const tg_view *in, const tg_view *out, int64_t *s) {
    int k = out->ndim - in->ndim;
    for (int d = 0; d < out->ndim; d++) {
        int j = d - k;
        s[d] = (j < 0 || in->shape[j] == 1) ? 0 : in->strides[j];
    }
}

/* 1 when strides s read out's positions in order (contiguous, same shape),
 * 0 when they read one element (all 0), -1 otherwise. */
static inline int tg_flat_step(const int64_t *s, const tg_view *out) {
    bool zero = true, contiguous = true;
    int64_t c = 1;
    for (int d = out->ndim - 1; d >= 0; d--) {
        if (out->shape[d] != 1) {
            if (s[d] != 0) zero = false;
            if (s[d] != c) contiguous = false;
        }
        c *= out->shape[d];
    }
    return contiguous ? 1 : zero ? 0 : -1;
}

/* Copies src into dst element by element (same shape and dtype; any
 * strides). */
static inline void tg_copy(tg_view *dst, const tg_view *src) {
    int64_t n = tg_view_size(dst), es = tg_dtype_size(dst->dtype);
    if (n == 0) return;
    if (tg_is_contiguous(dst) && tg_is_contiguous(src)) {
        if (dst->data != src->data) memmove(dst->data, src->data, (size_t)(n * es));
        return;
    }
    int nd = dst->ndim;
    int64_t idx[TG_MAXDIM] = {0};
    int64_t od = 0, os = 0;
    for (int64_t k = 0; k < n; k++) {
        memcpy(dst->data + od * es, src->data + os * es, (size_t)es);
        for (int d = nd - 1; d >= 0; d--) {
            idx[d]++;
            od += dst->strides[d];
            os += src->strides[d];
            if (idx[d] < dst->shape[d]) break;
            od -= idx[d] * dst->strides[d];
            os -= idx[d] * src->strides[d];
            idx[d] = 0;
        }
    }
}

/* Copies src's elements in C order into the contiguous buffer dst. */
static inline void tg_gather(char *dst, const tg_view *src) {
    tg_view d;
    tg_view_init(&d, dst, src->dtype, src->ndim, src->shape);
    tg_copy(&d, src);
}

/* Whether an integer view has a negative element (any strides). */
static inline bool tg_any_negative(const tg_view *v) {
    int64_t n = tg_view_size(v), es = tg_dtype_size(v->dtype);
    if (v->dtype == TG_BOOL || v->dtype == TG_UINT8 || v->dtype == TG_UINT16 || v->dtype == TG_UINT32 || v->dtype == TG_UINT64)
        return false;
    int64_t idx[TG_MAXDIM] = {0};
    int64_t off = 0;
    for (int64_t k = 0; k < n; k++) {
        const char *p = v->data + off * es;
        int64_t x = es == 1 ? *(const int8_t *)p : es == 2 ? *(const int16_t *)p : es == 4 ? *(const int32_t *)p : *(const int64_t *)p;
        if (x < 0) return true;
        for (int d = v->ndim - 1; d >= 0; d--) {
            idx[d]++;
            off += v->strides[d];
            if (idx[d] < v->shape[d]) break;
            off -= idx[d] * v->strides[d];
            idx[d] = 0;
        }
    }
    return false;
}

/* The element count of a shape and its size in bytes; 0 when a length is
 * negative or the size overflows int64. */
static inline int tg_size_ok(int32_t ndim, const int64_t *shape, int64_t itemsize, int64_t *count) {
    int64_t n = 1, b;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0) return 0;
        if (__builtin_mul_overflow(n, shape[d], &n)) return 0;
    }
    if (__builtin_mul_overflow(n, itemsize, &b)) return 0;
    *count = n;
    return 1;
}

/* --- float32 tanh that vectorizes -------------------------------------- */

/* tanh of a float32, computed in double and rounded once: within 1e-15 of
 * the exact value, so it rounds as the evaluator's float32(math.Tanh(x))
 * does except within 1e-15 of a rounding boundary. Branch-free (selects,
 * a polynomial, no libm call), so loops over it vectorize where std::tanh
 * (tanhf, 20 ns an element) does not:
 *   tanh|x| = e / (e + 2), e = expm1(2|x|) = 2^k (p + 1) - 1 = 2^k p + (2^k - 1),
 * with 2|x| = k ln2 + r, |r| <= ln2/2, p = expm1(r) by its Taylor series
 * to r^13/13! (the first term left out is below 1e-17). */
static inline float tg_tanh_f32(float x) {
    /* Selects on integer bits, not floating comparisons (which may trap on
     * NaN, so the compiler keeps them as branches). */
    const double magic = 6755399441055744.0; /* 2^52 + 2^51: adding it rounds to an integer */
    uint32_t xb;
    memcpy(&xb, &x, sizeof xb);
    uint32_t ab = xb & UINT32_C(0x7fffffff);
    float af;
    uint32_t cb = ab < UINT32_C(0x41a00000) ? ab : UINT32_C(0x41a00000); /* |x| <= 20 (NaN too): tanh is 1 in float32 from 9.02 */
    memcpy(&af, &cb, sizeof af);
    double y = 2.0 * (double)af;
    double kb = y * 1.4426950408889634 + magic;
    double k = kb - magic;
    double r = (y - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r;
    uint64_t kbits;
    memcpy(&kbits, &kb, sizeof kbits);
    uint64_t tbits = (kbits - UINT64_C(0x4338000000000000) + 1023) << 52; /* 2^k */
    double twok;
    memcpy(&twok, &tbits, sizeof twok);
    double e = twok * p + (twok - 1.0);
    float f = (float)(e / (e + 2.0));
    uint32_t fb;
    memcpy(&fb, &f, sizeof fb);
    fb |= xb & UINT32_C(0x80000000);             /* tanh is odd (and keeps -0) */
    uint32_t nan = 0u - (uint32_t)(ab > UINT32_C(0x7f800000));
    fb = (fb & ~nan) | (xb & nan);               /* NaN in, NaN out (a mask: a select would branch) */
    memcpy(&f, &fb, sizeof f);
    return f;
}

/* --- float64 tanh that vectorizes -------------------------------------- */

/* tanh of a float64 within a few ulp of the exact value (and of Go's
 * math.Tanh, the evaluator's), by the same route as tg_tanh_f32 in double:
 *   tanh|x| = e / (e + 2), e = expm1(2|x|) = 2^k p + (2^k - 1),
 * 2|x| = k ln2 + r, |r| <= ln2/2 (ln2 split in two, fdlibm's, so that
 * k ln2_hi is exact), p = expm1(r) by its Taylor series to r^14/14! (the
 * first term left out is below 3e-19 of p). e has no cancellation (k = 0:
 * e = p; k >= 1: 2^k (p + 1) >= 1.41), so e is within about 2 ulp and
 * e / (e + 2) within about 3. |x| is clamped to 22 (tanh is 1 in double
 * from 19.1). Branch-free (selects on integer bits, a polynomial, no libm
 * call), so loops over it vectorize where std::tanh (20 ns an element)
 * does not. */
static inline double tg_tanh_f64(double x) {
    const double magic = 6755399441055744.0; /* 2^52 + 2^51: adding it rounds to an integer */
    uint64_t xb;
    memcpy(&xb, &x, sizeof xb);
    uint64_t ab = xb & UINT64_C(0x7fffffffffffffff);
    uint64_t cb = ab < UINT64_C(0x4036000000000000) ? ab : UINT64_C(0x4036000000000000); /* |x| <= 22 (NaN too) */
    double ax;
    memcpy(&ax, &cb, sizeof ax);
    double y = 2.0 * ax;
    double kb = y * 1.4426950408889634 + magic;
    double k = kb - magic;
    double r = (y - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
    double p = 1.0 / 87178291200.0;
    p = p * r + 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = r + r * (p * r); /* r (1 + r (1/2 + ...)): r added last, exactly when small */
    uint64_t kbits;
    memcpy(&kbits, &kb, sizeof kbits);
    uint64_t tbits = (kbits - UINT64_C(0x4338000000000000) + 1023) << 52; /* 2^k, 0 <= k <= 64 */
    double twok;
    memcpy(&twok, &tbits, sizeof twok);
    double e = twok * p + (twok - 1.0);
    double t = e / (e + 2.0);
    uint64_t tb;
    memcpy(&tb, &t, sizeof tb);
    tb |= xb & UINT64_C(0x8000000000000000);     /* tanh is odd (and keeps -0) */
    uint64_t nan = UINT64_C(0) - (uint64_t)(ab > UINT64_C(0x7ff0000000000000));
    tb = (tb & ~nan) | (xb & nan);               /* NaN in, NaN out (a mask: a select would branch) */
    memcpy(&t, &tb, sizeof t);
    return t;
}

/* --- basic indexing ------------------------------------------------------- */

/* Python's slice(start, stop, step).indices(n) and the slice's length;
 * has says which entries were given. 1 and *err set when step is 0. */
static inline int tg_slice(int64_t n, int64_t start, int64_t stop, int64_t step, int has_start, int has_stop, int has_step,
                           int64_t *out_start, int64_t *out_step, int64_t *out_len, const char *op, char **err) {
    if (!has_step) step = 1;
    if (step == 0) return tg_set_error(err, "ValueError: %s: slice step cannot be zero", op);
    int64_t lower = 0, upper = n;
    if (step < 0) { lower = -1; upper = n - 1; }
#define TG_BOUND(x, has, def) (!(has) ? (def) : (x) < 0 ? ((x) + n > lower ? (x) + n : lower) : ((x) < upper ? (x) : upper))
    int64_t s, e;
    if (step > 0) { s = TG_BOUND(start, has_start, lower); e = TG_BOUND(stop, has_stop, upper); }
    else { s = TG_BOUND(start, has_start, upper); e = TG_BOUND(stop, has_stop, lower); }
#undef TG_BOUND
    int64_t len = 0;
    if (step > 0 && e > s) len = (e - s - 1) / step + 1;
    else if (step < 0 && s > e) len = (s - e - 1) / (-step) + 1;
    *out_start = s; *out_step = step; *out_len = len;
    return 0;
}

/* Reads a 0-d integer (or bool) view as int64. */
static inline int64_t tg_read_int(const tg_view *v) {
    switch (v->dtype) {
    case TG_BOOL: return *(const bool *)v->data;
    case TG_INT8: return *(const int8_t *)v->data;
    case TG_INT16: return *(const int16_t *)v->data;
    case TG_INT32: return *(const int32_t *)v->data;
    case TG_UINT8: return *(const uint8_t *)v->data;
    case TG_UINT16: return *(const uint16_t *)v->data;
    case TG_UINT32: return *(const uint32_t *)v->data;
    case TG_UINT64: return (int64_t) * (const uint64_t *)v->data;
    }
    return *(const int64_t *)v->data;
}

/* --- the evaluator fallback ---------------------------------------------- */

struct tg_fallback_ctx {
    tg_view **outs;
    int32_t n_outs;
    int bad;
};

/* The alloc callback of a fallback node: hands out the output buffers the
 * kernel planned, after checking the evaluator's shape against them. */
static void *tg_fallback_alloc(void *vctx, int32_t index, int32_t ndim, const int64_t *shape) {
    tg_fallback_ctx *c = (tg_fallback_ctx *)vctx;
    if (index < 0 || index >= c->n_outs || c->outs[index]->ndim != ndim) { c->bad = 1; return NULL; }
    tg_view *o = c->outs[index];
    for (int d = 0; d < ndim; d++)
        if (o->shape[d] != shape[d]) { c->bad = 1; return NULL; }
    return o->data;
}

/* Describes views ins[0..n_in) as the kernel convention's C-contiguous
 * buffers: a contiguous view is passed as it is, any other is gathered
 * into a malloc'ed copy (copies[i], else NULL; the caller frees them).
 * Returns -1, or the index of the input whose copy found no memory (then
 * every copy is freed and every copies[i] is NULL). */
static inline int tg_contiguous_buffers(int32_t n_in, const tg_view *const *ins, tg_buffer *bufs, void **copies) {
    for (int i = 0; i < n_in; i++) copies[i] = NULL;
    for (int i = 0; i < n_in; i++) {
        const tg_view *v = ins[i];
        bufs[i].data = v->data;
        bufs[i].shape = v->shape;
        bufs[i].ndim = v->ndim;
        bufs[i].dtype = v->dtype;
        if (!tg_is_contiguous(v)) {
            int64_t n = tg_view_size(v), es = tg_dtype_size(v->dtype);
            copies[i] = malloc((size_t)(n * es > 0 ? n * es : 1));
            if (!copies[i]) {
                for (int j = 0; j < i; j++) {
                    free(copies[j]);
                    copies[j] = NULL;
                }
                return i;
            }
            tg_gather((char *)copies[i], v);
            bufs[i].data = copies[i];
        }
    }
    return -1;
}

/* Runs node `node` in the Go evaluator (st->eval_node) on contiguous
 * copies of its inputs, writing into the planned outputs. */
static inline int tg_eval_fallback(tg_state *st, int32_t node, int32_t n_in, const tg_view *const *ins, int32_t n_out,
                                   tg_view **outs, char **err) {
    if (!st->eval_node) return tg_set_error(err, "RuntimeError: node %d has no C++ lowering and no evaluator is attached", node);
    tg_buffer bufs[64];
    void *copies[64];
    if (n_in > 64) return tg_set_error(err, "RuntimeError: node %d has too many inputs", node);
    int bad = tg_contiguous_buffers(n_in, ins, bufs, copies);
    if (bad >= 0) return tg_set_error(err, "MemoryError: no memory for a copy of input %d of node %d", bad, node);
    tg_fallback_ctx ctx = {outs, n_out, 0};
    int rc = st->eval_node(st->go_handle, node, bufs, n_in, tg_fallback_alloc, &ctx, err);
    for (int i = 0; i < n_in; i++) free(copies[i]);
    if (rc == 0 && ctx.bad) return tg_set_error(err, "RuntimeError: node %d: the evaluator's output shape differs from the symbolic shape", node);
    return rc;
}

/* --- regions ---------------------------------------------------------------- */

/* A region is an inner graph (an ifelse branch, a scan step, the part of a
 * kernel after a value-dependent shape) compiled as a static function of
 * the kernel's translation unit with the kernel's own convention
 * (tg_kernel.h): C-contiguous inputs, results placed through alloc. Its
 * state is a child of the caller's (tg_state_child). */
typedef int (*tg_region_fn)(tg_args *args, tg_state *st);

/* Where a region's results go (the alloc_ctx of its tg_args): result i
 * into the caller's result result[i] (through the caller's own alloc),
 * or, when result[i] < 0, into the caller's workspace slot slot[i]; out[i]
 * receives a view of the memory. */
struct tg_region_sink {
    int32_t n;
    tg_args *parent;
    const int32_t *result;
    tg_state *st;
    const int32_t *slot;
    const int32_t *dtype;
    tg_view *out;
};

static void *tg_region_alloc(void *vctx, int32_t i, int32_t ndim, const int64_t *shape) {
    tg_region_sink *s = (tg_region_sink *)vctx;
    int64_t n;
    if (i < 0 || i >= s->n || ndim > TG_MAXDIM || !tg_size_ok(ndim, shape, tg_dtype_size(s->dtype[i]), &n)) return NULL;
    void *p = s->result[i] >= 0 ? s->parent->alloc(s->parent->alloc_ctx, s->result[i], ndim, shape)
                                : tg_slot_get(s->st, s->slot[i], (size_t)n * (size_t)tg_dtype_size(s->dtype[i]));
    tg_view_init(&s->out[i], p, s->dtype[i], ndim, shape);
    return p;
}

/* Runs region fn with child state `child` of st (n_slots slots) on the
 * views ins (copied when not contiguous), its results going to sink. */
static inline int tg_region_call(tg_region_fn fn, tg_state *st, int32_t child, int32_t n_slots, int32_t n_in,
                                 const tg_view *const *ins, tg_region_sink *sink, char **err) {
    tg_state *cs = tg_state_child(st, child, n_slots);
    if (!cs) return tg_set_error(err, "MemoryError: no memory for a region's workspace");
    tg_buffer stack_bufs[16];
    void *stack_copies[16];
    tg_buffer *bufs = stack_bufs;
    void **copies = stack_copies;
    if (n_in > 16) {
        bufs = (tg_buffer *)malloc((size_t)n_in * sizeof *bufs);
        copies = (void **)calloc((size_t)n_in, sizeof *copies);
        if (!bufs || !copies) {
            free(bufs);
            free(copies);
            return tg_set_error(err, "MemoryError: no memory for a region's arguments");
        }
    }
    int rc = 0;
    int bad = tg_contiguous_buffers(n_in, ins, bufs, copies);
    if (bad >= 0) rc = tg_set_error(err, "MemoryError: no memory for a contiguous copy of a region's argument %d", bad);
    if (rc == 0) {
        tg_args a;
        memset(&a, 0, sizeof a);
        a.n_inputs = n_in;
        a.inputs = bufs;
        a.n_results = sink->n;
        a.alloc = tg_region_alloc;
        a.alloc_ctx = sink;
        if (fn(&a, cs)) {
            *err = a.error;
            rc = 1;
            if (!*err) rc = tg_set_error(err, "RuntimeError: a region failed without a message");
        }
    }
    for (int i = 0; i < n_in; i++) free(copies[i]);
    if (bufs != stack_bufs) {
        free(bufs);
        free(copies);
    }
    return rc;
}

#endif /* TG_LOOPS_H */
