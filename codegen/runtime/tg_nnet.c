//go:build ignore

/*
 * tg_nnet.c: softmax, log-softmax, softmax's gradient and argmax/argmin
 * (tg_nnet.h). Each reproduces the Go evaluator (core/ops/softmax.go,
 * softmax_grad.go, argmax.go): rows computed in double in the evaluator's
 * order of operations and rounded once to the output dtype; argmax visits
 * the reduced positions in C order so the first extreme wins.
 *
 * Large inputs split their rows (or output positions) over the pool with
 * tg_parallel_for; every row is computed by one thread, so the result does
 * not depend on the number of threads.
 */
#include "tg_nnet.h"

/* No fused multiply-add: dot += g * p must round the product as the Go
 * evaluator does (-march=native would otherwise contract it). */
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Work (elements) below which a loop runs on the caller alone, and the
 * least work each parallel chunk gets. */
#define TG_NNET_PARALLEL 32768
#define TG_NNET_GRAIN 8192

/* Rows are processed through a double buffer of this many elements; a
 * longer row is read again chunk by chunk instead of being kept. */
#define ROW_CHUNK 1024

/* --- float16 ---------------------------------------------------------------- */

/* half_to_double widens IEEE binary16 bits exactly. */
static double half_to_double(uint16_t h)
{
    double sign = (h & 0x8000) ? -1.0 : 1.0;
    int e = (h >> 10) & 0x1f;
    double frac = (double)(h & 0x3ff);
    if (e == 0) {
        return sign * ldexp(frac, -24);
    }
    if (e == 0x1f) {
        return frac == 0 ? sign * INFINITY : NAN;
    }
    return sign * ldexp(1024.0 + frac, e - 25);
}

/* round_shift is x / 2^shift rounded to nearest, ties to even. */
static uint64_t round_shift(uint64_t x, unsigned shift)
{
    uint64_t q = x >> shift, rem = x & ((UINT64_C(1) << shift) - 1), mid = UINT64_C(1) << (shift - 1);
    if (rem > mid || (rem == mid && (q & 1))) {
        q++;
    }
    return q;
}

uint16_t tg_double_to_half(double v)
{
    uint64_t b;
    memcpy(&b, &v, 8);
    uint16_t sign = (uint16_t)(b >> 48) & 0x8000;
    int e = (int)((b >> 52) & 0x7ff) - 1023 + 15;
    uint64_t mant = b & ((UINT64_C(1) << 52) - 1);
    if (isnan(v)) {
        return 0x7e00;
    }
    if (e >= 0x1f) {
        return sign | 0x7c00;
    }
    if (e < -10) {
        return sign;
    }
    if (e <= 0) {
        return sign | (uint16_t)round_shift(mant | (UINT64_C(1) << 52), (unsigned)(43 - e));
    }
    return sign | (uint16_t)(((uint64_t)e << 10) + round_shift(mant, 42));
}

/* --- rows in double ------------------------------------------------------- */

static int is_float(int32_t dtype)
{
    return dtype == TG_FLOAT16 || dtype == TG_FLOAT32 || dtype == TG_FLOAT64;
}

/* load_row reads n elements (stride s) of a float dtype into buf. */
static void load_row(int32_t dtype, const char *p, int64_t s, int64_t n, double *buf)
{
    switch (dtype) {
    case TG_FLOAT64: {
        const double *x = (const double *)p;
        for (int64_t i = 0; i < n; i++) buf[i] = x[i * s];
        break;
    }
    case TG_FLOAT32: {
        const float *x = (const float *)p;
        for (int64_t i = 0; i < n; i++) buf[i] = (double)x[i * s];
        break;
    }
    default: {
        const uint16_t *x = (const uint16_t *)p;
        for (int64_t i = 0; i < n; i++) buf[i] = half_to_double(x[i * s]);
        break;
    }
    }
}

/* store_row writes n doubles rounded to a float dtype (stride s). */
static void store_row(int32_t dtype, char *p, int64_t s, int64_t n, const double *buf)
{
    switch (dtype) {
    case TG_FLOAT64: {
        double *x = (double *)p;
        for (int64_t i = 0; i < n; i++) x[i * s] = buf[i];
        break;
    }
    case TG_FLOAT32: {
        float *x = (float *)p;
        for (int64_t i = 0; i < n; i++) x[i * s] = (float)buf[i];
        break;
    }
    default: {
        uint16_t *x = (uint16_t *)p;
        for (int64_t i = 0; i < n; i++) x[i * s] = tg_double_to_half(buf[i]);
        break;
    }
    }
}

/* go_max is Go's math.Max: +inf beats NaN, NaN beats the rest, +0 beats -0. */
static double go_max(double x, double y)
{
    if ((isinf(x) && x > 0) || (isinf(y) && y > 0)) return INFINITY;
    if (isnan(x) || isnan(y)) return NAN;
    if (x == 0 && x == y) return signbit(x) ? y : x;
    return x > y ? x : y;
}

/* rows describes the rows of a view: every index of the leading axes. */
typedef struct rows {
    int64_t count;              /* the number of rows */
    int64_t n;                  /* the length of a row (the last axis) */
} rows;

static rows rows_of(const tg_view *v)
{
    rows r = {1, v->shape[v->ndim - 1]};
    for (int32_t d = 0; d + 1 < v->ndim; d++) r.count *= v->shape[d];
    return r;
}

/* row_offset is the element offset of row r of v (leading axes in C order). */
static int64_t row_offset(const tg_view *v, int64_t r)
{
    int64_t off = 0;
    for (int32_t d = v->ndim - 2; d >= 0; d--) {
        off += (r % v->shape[d]) * v->strides[d];
        r /= v->shape[d];
    }
    return off;
}

static const char *row_ptr(const tg_view *v, int64_t r)
{
    return v->data + row_offset(v, r) * tg_dtype_size(v->dtype);
}

static void format_shape(const tg_view *v, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    len += (size_t)snprintf(buf + len, size - len, "[");
    for (int32_t d = 0; d < v->ndim && len < size; d++) {
        len += (size_t)snprintf(buf + len, size - len, d ? " %lld" : "%lld", (long long)v->shape[d]);
    }
    if (len < size) snprintf(buf + len, size - len, "]");
}

static int same_shape(const tg_view *a, const tg_view *b)
{
    if (a->ndim != b->ndim) return 0;
    for (int32_t d = 0; d < a->ndim; d++) {
        if (a->shape[d] != b->shape[d]) return 0;
    }
    return 1;
}

/* --- softmax ---------------------------------------------------------------- */

typedef struct softmax_job {
    const tg_view *x;
    tg_view *out;
    int log;
} softmax_job;

/* softmax_row computes one row as SoftmaxOp.Evaluate does: top = max, sum =
 * Σ exp(x - top) in order, then exp(x - top) / sum or (x - top) - log(sum). */
static void softmax_row(const softmax_job *j, int64_t r, double *buf)
{
    const tg_view *x = j->x;
    int64_t n = x->shape[x->ndim - 1], xs = x->strides[x->ndim - 1], os = j->out->strides[j->out->ndim - 1];
    size_t xe = (size_t)tg_dtype_size(x->dtype), oe = (size_t)tg_dtype_size(j->out->dtype);
    const char *xp = row_ptr(x, r);
    char *op = (char *)row_ptr(j->out, r);
    double top = -INFINITY, sum = 0;
    if (n <= ROW_CHUNK) {
        load_row(x->dtype, xp, xs, n, buf);
        for (int64_t i = 0; i < n; i++) top = go_max(top, buf[i]);
        if (j->log) {
            for (int64_t i = 0; i < n; i++) sum += exp(buf[i] - top);
            double ls = log(sum);
            for (int64_t i = 0; i < n; i++) buf[i] = buf[i] - top - ls;
        } else {
            for (int64_t i = 0; i < n; i++) {
                buf[i] = exp(buf[i] - top);
                sum += buf[i];
            }
            for (int64_t i = 0; i < n; i++) buf[i] /= sum;
        }
        store_row(j->out->dtype, op, os, n, buf);
        return;
    }
    /* A long row: read it three times, a chunk at a time. */
    for (int64_t c = 0; c < n; c += ROW_CHUNK) {
        int64_t m = n - c < ROW_CHUNK ? n - c : ROW_CHUNK;
        load_row(x->dtype, xp + c * xs * (int64_t)xe, xs, m, buf);
        for (int64_t i = 0; i < m; i++) top = go_max(top, buf[i]);
    }
    for (int64_t c = 0; c < n; c += ROW_CHUNK) {
        int64_t m = n - c < ROW_CHUNK ? n - c : ROW_CHUNK;
        load_row(x->dtype, xp + c * xs * (int64_t)xe, xs, m, buf);
        for (int64_t i = 0; i < m; i++) sum += exp(buf[i] - top);
    }
    double ls = log(sum);
    for (int64_t c = 0; c < n; c += ROW_CHUNK) {
        int64_t m = n - c < ROW_CHUNK ? n - c : ROW_CHUNK;
        load_row(x->dtype, xp + c * xs * (int64_t)xe, xs, m, buf);
        for (int64_t i = 0; i < m; i++) buf[i] = j->log ? buf[i] - top - ls : exp(buf[i] - top) / sum;
        store_row(j->out->dtype, op + c * os * (int64_t)oe, os, m, buf);
    }
}

static void softmax_range(void *ctx, int64_t begin, int64_t end)
{
    double buf[ROW_CHUNK];
    for (int64_t r = begin; r < end; r++) softmax_row((const softmax_job *)ctx, r, buf);
}

/* run_rows runs body over the rows, in parallel when there is enough work. */
static void run_rows(rows r, tg_range_fn body, void *ctx)
{
    if (r.count * r.n < TG_NNET_PARALLEL || r.count < 2) {
        body(ctx, 0, r.count);
        return;
    }
    int64_t grain = TG_NNET_GRAIN / (r.n > 0 ? r.n : 1);
    tg_parallel_for(r.count, grain > 0 ? grain : 1, body, ctx);
}

int tg_softmax(const tg_view *x, tg_view *out, int log, char **err)
{
    const char *name = log ? "logsoftmax" : "softmax";
    if (x->ndim < 1 || !is_float(x->dtype) || out->dtype != x->dtype || !same_shape(x, out)) {
        return tg_set_error(err, "ValueError: %s: input must be a float vector or matrix with an output of its shape and dtype", name);
    }
    rows r = rows_of(x);
    if (r.n == 0 || r.count == 0) return 0;
    softmax_job job = {x, out, log};
    run_rows(r, softmax_range, &job);
    return 0;
}

/* --- softmax's gradient -------------------------------------------------------- */

typedef struct softmax_grad_job {
    const tg_view *gz, *s;
    tg_view *out;
} softmax_grad_job;

/* softmax_grad_range computes rows as SoftmaxGradOp.Evaluate does: dot =
 * Σ gz·s in order, then (gz - dot)·s. */
static void softmax_grad_range(void *ctx, int64_t begin, int64_t end)
{
    const softmax_grad_job *j = (const softmax_grad_job *)ctx;
    int32_t last = j->s->ndim - 1;
    int64_t n = j->s->shape[last];
    int64_t gs = j->gz->strides[last], ss = j->s->strides[last], os = j->out->strides[last];
    size_t e = (size_t)tg_dtype_size(j->s->dtype);
    double g[ROW_CHUNK], p[ROW_CHUNK];
    for (int64_t r = begin; r < end; r++) {
        const char *gp = row_ptr(j->gz, r), *sp = row_ptr(j->s, r);
        char *op = (char *)row_ptr(j->out, r);
        double dot = 0;
        for (int64_t c = 0; c < n; c += ROW_CHUNK) {
            int64_t m = n - c < ROW_CHUNK ? n - c : ROW_CHUNK;
            load_row(j->gz->dtype, gp + c * gs * (int64_t)e, gs, m, g);
            load_row(j->s->dtype, sp + c * ss * (int64_t)e, ss, m, p);
            for (int64_t i = 0; i < m; i++) dot += g[i] * p[i];
            if (n <= ROW_CHUNK) {
                for (int64_t i = 0; i < m; i++) g[i] = (g[i] - dot) * p[i];
                store_row(j->out->dtype, op, os, m, g);
            }
        }
        if (n <= ROW_CHUNK) continue;
        for (int64_t c = 0; c < n; c += ROW_CHUNK) {
            int64_t m = n - c < ROW_CHUNK ? n - c : ROW_CHUNK;
            load_row(j->gz->dtype, gp + c * gs * (int64_t)e, gs, m, g);
            load_row(j->s->dtype, sp + c * ss * (int64_t)e, ss, m, p);
            for (int64_t i = 0; i < m; i++) g[i] = (g[i] - dot) * p[i];
            store_row(j->out->dtype, op + c * os * (int64_t)e, os, m, g);
        }
    }
}

int tg_softmax_grad(const tg_view *gz, const tg_view *s, tg_view *out, char **err)
{
    if (s->ndim < 1 || !is_float(s->dtype) || gz->dtype != s->dtype || out->dtype != s->dtype || !same_shape(s, out)) {
        return tg_set_error(err, "ValueError: softmax_grad: gz and softmax must be float vectors or matrices of one dtype");
    }
    if (!same_shape(gz, s)) {
        char a[256], b[256];
        format_shape(gz, a, sizeof a);
        format_shape(s, b, sizeof b);
        return tg_set_error(err, "ValueError: softmax_grad: gz of shape %s for a softmax of shape %s", a, b);
    }
    rows r = rows_of(s);
    if (r.n == 0 || r.count == 0) return 0;
    softmax_grad_job job = {gz, s, out};
    run_rows(r, softmax_grad_range, &job);
    return 0;
}

/* --- argmax and argmin ----------------------------------------------------- */

/* The output positions are the kept axes in order. A task is one position of
 * the outer kept axes (all but the last kept axis) and a block of up to
 * ARG_BLOCK positions of the last kept axis: when that axis runs through
 * memory faster than the reduced ones (argmax over axis 0 of a matrix), the
 * block is read a row at a time while the reduced positions advance;
 * otherwise blocks have one position and each reduced run is read in turn. */
#define ARG_BLOCK 64

typedef struct arg_plan {
    const tg_view *x;
    tg_view *out;
    int32_t nk, nr;                          /* kept and reduced axes */
    int64_t kl[TG_MAXDIM], ks[TG_MAXDIM];    /* kept lengths, x strides */
    int64_t ko[TG_MAXDIM];                   /* kept strides in out */
    int64_t rl[TG_MAXDIM], rs[TG_MAXDIM];    /* reduced lengths, x strides */
    int64_t count;                           /* reduced positions per output */
    int64_t block;                           /* positions of the last kept axis per task */
    int64_t blocks;                          /* tasks per outer position */
} arg_plan;

/* task_start finds task t's first x element and out element. */
static void task_start(const arg_plan *p, int64_t t, int64_t *xoff, int64_t *ooff, int64_t *width)
{
    int64_t b = t % p->blocks, o = t / p->blocks;
    *xoff = 0;
    *ooff = 0;
    *width = 1;
    if (p->nk == 0) return;
    int32_t last = p->nk - 1;
    int64_t j0 = b * p->block;
    *width = p->kl[last] - j0 < p->block ? p->kl[last] - j0 : p->block;
    *xoff = j0 * p->ks[last];
    *ooff = j0 * p->ko[last];
    for (int32_t d = last - 1; d >= 0; d--) {
        *xoff += (o % p->kl[d]) * p->ks[d];
        *ooff += (o % p->kl[d]) * p->ko[d];
        o /= p->kl[d];
    }
}

/* ARG_KERNEL defines one task loop for element type T read with LOAD, BETTER
 * saying whether v replaces the best b (NaN handling included). Each output
 * starts at its first element (position 0) and visits every position in C
 * order, the last reduced axis as the inner loop; tasks never see an empty
 * reduction (tg_argreduce rejects it first). */
#define ARG_KERNEL(NAME, T, LOAD, BETTER)                                                        \
    static void NAME(void *ctx, int64_t begin, int64_t end)                                      \
    {                                                                                             \
        const arg_plan *p = (const arg_plan *)ctx;                                               \
        const char *data = p->x->data;                                                           \
        int64_t *out = (int64_t *)p->out->data;                                                  \
        int64_t kstride = p->nk ? p->ks[p->nk - 1] : 0, ostride = p->nk ? p->ko[p->nk - 1] : 0;  \
        int32_t outer = p->nr > 0 ? p->nr - 1 : 0; /* reduced axes around the inner one */      \
        int64_t len = p->nr > 0 ? p->rl[p->nr - 1] : 1, step = p->nr > 0 ? p->rs[p->nr - 1] : 0; \
        int64_t runs = p->count / len;                                                           \
        T best[ARG_BLOCK];                                                                        \
        int64_t where[ARG_BLOCK], idx[TG_MAXDIM];                                                \
        for (int64_t t = begin; t < end; t++) {                                                   \
            int64_t xoff, ooff, w;                                                                \
            task_start(p, t, &xoff, &ooff, &w);                                                   \
            for (int64_t j = 0; j < w; j++) {                                                     \
                best[j] = LOAD(data, xoff + j * kstride);                                         \
                where[j] = 0;                                                                     \
            }                                                                                     \
            int64_t roff = 0, pos = 0;                                                            \
            for (int32_t d = 0; d < outer; d++) idx[d] = 0;                                      \
            for (int64_t q = 0; q < runs; q++, pos += len) {                                      \
                int64_t base = xoff + roff;                                                       \
                if (w == 1) {                                                                     \
                    T b = best[0];                                                                \
                    int64_t at = where[0];                                                        \
                    for (int64_t l = 0; l < len; l++) {                                           \
                        T v = LOAD(data, base + l * step);                                        \
                        if (BETTER(v, b)) {                                                       \
                            b = v;                                                                \
                            at = pos + l;                                                         \
                        }                                                                         \
                    }                                                                             \
                    best[0] = b;                                                                  \
                    where[0] = at;                                                                \
                } else {                                                                          \
                    for (int64_t l = 0; l < len; l++) {                                           \
                        for (int64_t j = 0; j < w; j++) {                                         \
                            T v = LOAD(data, base + l * step + j * kstride);                      \
                            if (BETTER(v, best[j])) {                                             \
                                best[j] = v;                                                      \
                                where[j] = pos + l;                                               \
                            }                                                                     \
                        }                                                                         \
                    }                                                                             \
                }                                                                                 \
                for (int32_t d = outer - 1; d >= 0; d--) { /* the next run */                    \
                    roff += p->rs[d];                                                             \
                    if (++idx[d] < p->rl[d]) break;                                               \
                    roff -= idx[d] * p->rs[d];                                                    \
                    idx[d] = 0;                                                                   \
                }                                                                                 \
            }                                                                                     \
            for (int64_t j = 0; j < w; j++) out[ooff + j * ostride] = where[j];                   \
        }                                                                                         \
    }

#define LOAD_U8(d, i) (((const uint8_t *)(d))[i])
#define LOAD_I8(d, i) (((const int8_t *)(d))[i])
#define LOAD_I16(d, i) (((const int16_t *)(d))[i])
#define LOAD_I32(d, i) (((const int32_t *)(d))[i])
#define LOAD_I64(d, i) (((const int64_t *)(d))[i])
#define LOAD_U16(d, i) (((const uint16_t *)(d))[i])
#define LOAD_U32(d, i) (((const uint32_t *)(d))[i])
#define LOAD_U64(d, i) (((const uint64_t *)(d))[i])
#define LOAD_F16(d, i) ((float)half_to_double(((const uint16_t *)(d))[i]))
#define LOAD_F32(d, i) (((const float *)(d))[i])
#define LOAD_F64(d, i) (((const double *)(d))[i])

/* Integers: a strictly larger (smaller) value replaces; floats: once the
 * best is NaN it stays, and a NaN replaces any number. */
#define INT_MAX_BETTER(v, b) ((v) > (b))
#define INT_MIN_BETTER(v, b) ((v) < (b))
#define FLT_MAX_BETTER(v, b) (!isnan(b) && (isnan(v) || (v) > (b)))
#define FLT_MIN_BETTER(v, b) (!isnan(b) && (isnan(v) || (v) < (b)))

#define ARG_KERNELS(SUFFIX, T, LOAD, MAXB, MINB)           \
    ARG_KERNEL(argmax_##SUFFIX, T, LOAD, MAXB)             \
    ARG_KERNEL(argmin_##SUFFIX, T, LOAD, MINB)

ARG_KERNELS(bool, uint8_t, LOAD_U8, INT_MAX_BETTER, INT_MIN_BETTER)
ARG_KERNELS(i8, int8_t, LOAD_I8, INT_MAX_BETTER, INT_MIN_BETTER)
ARG_KERNELS(i16, int16_t, LOAD_I16, INT_MAX_BETTER, INT_MIN_BETTER)
ARG_KERNELS(i32, int32_t, LOAD_I32, INT_MAX_BETTER, INT_MIN_BETTER)
ARG_KERNELS(i64, int64_t, LOAD_I64, INT_MAX_BETTER, INT_MIN_BETTER)
ARG_KERNELS(u8, uint8_t, LOAD_U8, INT_MAX_BETTER, INT_MIN_BETTER)
ARG_KERNELS(u16, uint16_t, LOAD_U16, INT_MAX_BETTER, INT_MIN_BETTER)
ARG_KERNELS(u32, uint32_t, LOAD_U32, INT_MAX_BETTER, INT_MIN_BETTER)
ARG_KERNELS(u64, uint64_t, LOAD_U64, INT_MAX_BETTER, INT_MIN_BETTER)
ARG_KERNELS(f16, float, LOAD_F16, FLT_MAX_BETTER, FLT_MIN_BETTER)
ARG_KERNELS(f32, float, LOAD_F32, FLT_MAX_BETTER, FLT_MIN_BETTER)
ARG_KERNELS(f64, double, LOAD_F64, FLT_MAX_BETTER, FLT_MIN_BETTER)

/* arg_kernel picks the task loop for a dtype; NULL for complex. */
static tg_range_fn arg_kernel(int32_t dtype, int is_min)
{
    static const tg_range_fn max[] = {NULL, argmax_bool, argmax_i8, argmax_i16, argmax_i32, argmax_i64,
                                      argmax_u8, argmax_u16, argmax_u32, argmax_u64, argmax_f16, argmax_f32, argmax_f64};
    static const tg_range_fn min[] = {NULL, argmin_bool, argmin_i8, argmin_i16, argmin_i32, argmin_i64,
                                      argmin_u8, argmin_u16, argmin_u32, argmin_u64, argmin_f16, argmin_f32, argmin_f64};
    if (dtype < TG_BOOL || dtype > TG_FLOAT64) return NULL;
    return is_min ? min[dtype] : max[dtype];
}

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

int tg_argreduce(const tg_view *x, uint64_t axes, int is_min, tg_view *out, char **err)
{
    const char *name = is_min ? "argmin" : "argmax";
    tg_range_fn kernel = arg_kernel(x->dtype, is_min);
    if (kernel == NULL || out->dtype != TG_INT64) {
        return tg_set_error(err, "ValueError: %s: unsupported dtype %d", name, (int)x->dtype);
    }
    arg_plan p;
    memset(&p, 0, sizeof p);
    p.x = x;
    p.out = out;
    p.count = 1;
    int64_t n = 1;
    int keepdims = out->ndim == x->ndim;
    for (int32_t d = 0; d < x->ndim; d++) {
        if (axes & (UINT64_C(1) << d)) {
            p.rl[p.nr] = x->shape[d];
            p.rs[p.nr++] = x->strides[d];
            p.count *= x->shape[d];
        } else {
            p.kl[p.nk] = x->shape[d];
            p.ks[p.nk] = x->strides[d];
            p.ko[p.nk] = out->strides[keepdims ? d : p.nk];
            p.nk++;
            n *= x->shape[d];
        }
    }
    if (!keepdims && out->ndim != p.nk) {
        return tg_set_error(err, "ValueError: %s: output of rank %d for %d kept axes", name, (int)out->ndim, (int)p.nk);
    }
    if (p.count == 0 && n > 0) {
        char shape[512];
        format_shape(x, shape, sizeof shape);
        return tg_set_error(err, "ValueError: %s: attempt to get %s of an empty sequence (shape %s)", name, name, shape);
    }
    if (n == 0) return 0;
    /* Element offsets from here on: scale by the element size in LOAD. */
    p.block = 1;
    if (p.nk > 0 && p.nr > 0 && abs64(p.ks[p.nk - 1]) < abs64(p.rs[p.nr - 1])) {
        p.block = p.kl[p.nk - 1] < ARG_BLOCK ? p.kl[p.nk - 1] : ARG_BLOCK;
    }
    int64_t last = p.nk > 0 ? p.kl[p.nk - 1] : 1;
    p.blocks = (last + p.block - 1) / p.block;
    int64_t tasks = (n / last) * p.blocks;
    int64_t work = n * p.count;
    if (work < TG_NNET_PARALLEL || tasks < 2) {
        kernel(&p, 0, tasks);
    } else {
        int64_t per_task = work / tasks;
        int64_t grain = TG_NNET_GRAIN / (per_task > 0 ? per_task : 1);
        tg_parallel_for(tasks, grain > 0 ? grain : 1, kernel, &p);
    }
    return 0;
}
