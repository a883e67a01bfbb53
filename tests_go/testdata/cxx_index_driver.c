/*
 * cxx_index_driver.c: runs the cases of TestCxxIndexRuntime through the
 * runtime's indexing functions (codegen/runtime/tg_index.c) and prints each
 * result for the Go test to compare with the evaluator.
 *
 * A case on stdin (decimal integers, bytes in hex):
 *   op set inplace              op: 0 inc_subtensor, 1 advanced_subtensor,
 *                               2 advanced_inc_subtensor, 3 arange
 *   n_items item*7              basic index items (TG_INDEX_ITEM each)
 *   n_flags flag*               index arrays' static-1 flags, concatenated
 *   n_yflags flag*              y's static-1 flags
 *   n_views view*               x, y, index arrays (op 3: start, stop, step)
 *     view: dtype ndim shape* strides* offset n_bytes hex
 *   out_dtype out_ndim shape*   the output (inplace: x's own memory)
 * One line out per case: "ok\t\t<hex>" or "err\t<message>\t<hex>", hex being
 * the output's elements in C order (after a failure: what the output holds).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tg_index.h"

int tg_set_error(char **err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = malloc(4096);
    vsnprintf(msg, 4096, fmt, ap);
    va_end(ap);
    *err = msg;
    return 1;
}

static int64_t elem(int32_t dt) {
    static const int64_t size[] = {0, 1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 4, 8, 8, 16};
    return size[dt];
}

static int64_t num(void) {
    long long v;
    if (scanf("%lld", &v) != 1)
        exit(0);
    return v;
}

static char *read_hex(int64_t n) {
    char *b = malloc(n > 0 ? (size_t)n : 1);
    for (int64_t i = 0; i < n; i++) {
        unsigned v;
        if (scanf("%2x", &v) != 1)
            exit(2);
        b[i] = (char)v;
    }
    return b;
}

static tg_view read_view(char **base) {
    tg_view v;
    memset(&v, 0, sizeof v);
    v.dtype = (int32_t)num();
    v.ndim = (int32_t)num();
    for (int d = 0; d < v.ndim; d++)
        v.shape[d] = num();
    for (int d = 0; d < v.ndim; d++)
        v.strides[d] = num();
    int64_t offset = num(), n = num();
    *base = read_hex(n);
    v.data = *base + offset * elem(v.dtype);
    return v;
}

static void print_view(const tg_view *v) {
    int64_t n = 1, es = elem(v->dtype), idx[TG_MAXDIM] = {0};
    for (int d = 0; d < v->ndim; d++)
        n *= v->shape[d];
    for (int64_t q = 0; q < n; q++) {
        int64_t off = 0;
        for (int d = 0; d < v->ndim; d++)
            off += idx[d] * v->strides[d];
        const unsigned char *p = (const unsigned char *)v->data + off * es;
        for (int64_t b = 0; b < es; b++)
            printf("%02x", p[b]);
        for (int d = v->ndim - 1; d >= 0; d--) {
            if (++idx[d] < v->shape[d])
                break;
            idx[d] = 0;
        }
    }
}

int main(void) {
    for (;;) {
        int op = (int)num(), set = (int)num(), inplace = (int)num();
        int32_t n_items = (int32_t)num();
        int64_t items[TG_MAXDIM * TG_INDEX_ITEM];
        for (int i = 0; i < n_items * TG_INDEX_ITEM; i++)
            items[i] = num();
        uint8_t flags[TG_MAXDIM * TG_MAXDIM], yflags[TG_MAXDIM];
        int n_flags = (int)num();
        for (int i = 0; i < n_flags; i++)
            flags[i] = (uint8_t)num();
        int n_yflags = (int)num();
        for (int i = 0; i < n_yflags; i++)
            yflags[i] = (uint8_t)num();
        int n_views = (int)num();
        tg_view views[TG_MAXDIM + 2];
        char *bases[TG_MAXDIM + 2];
        for (int i = 0; i < n_views; i++)
            views[i] = read_view(&bases[i]);
        tg_view out;
        memset(&out, 0, sizeof out);
        out.dtype = (int32_t)num();
        out.ndim = (int32_t)num();
        int64_t size = 1;
        for (int d = 0; d < out.ndim; d++)
            size *= out.shape[d] = num();
        char *mem = NULL;
        if (inplace) {
            out = views[0];
        } else {
            mem = malloc(size > 0 ? (size_t)(size * elem(out.dtype)) : 1);
            memset(mem, 0xab, (size_t)(size * elem(out.dtype)));
            out.data = mem;
            for (int d = out.ndim - 1, s = 1; d >= 0; d--) {
                out.strides[d] = s;
                s *= (int)out.shape[d];
            }
        }
        const tg_view *idx[TG_MAXDIM];
        char *err = NULL;
        int rc = 1;
        switch (op) {
        case 0:
            rc = tg_inc_subtensor(&out, &views[0], &views[1], yflags, n_items, items, set, &err);
            break;
        case 1:
            for (int i = 1; i < n_views; i++)
                idx[i - 1] = &views[i];
            rc = tg_advanced_subtensor(&out, &views[0], n_views - 1, idx, flags, &err);
            break;
        case 2:
            for (int i = 2; i < n_views; i++)
                idx[i - 2] = &views[i];
            rc = tg_advanced_inc_subtensor(&out, &views[0], &views[1], yflags, n_views - 2, idx, flags, set, &err);
            break;
        case 3:
            rc = tg_arange(&out, &views[0], &views[1], &views[2], &err);
            break;
        }
        printf("%s\t%s\t", rc ? "err" : "ok", rc ? err : "");
        print_view(&out);
        printf("\n");
        fflush(stdout);
        free(err);
        free(mem);
        for (int i = 0; i < n_views; i++)
            free(bases[i]);
    }
}
