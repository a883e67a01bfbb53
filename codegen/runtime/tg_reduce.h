/*
 * tg_reduce.h: the run-time side of the reductions that codegen/cxx
 * generates (lower_reduce.go): the loop plan from the shapes and strides
 * (tgr_plan), the task split over the pool (tgr_run), and the pairwise and
 * parallel folds of float sums (tgr_pairwise_fold). The element loops
 * themselves are generated, since they inline each reduction's element
 * expression. C++17, header only.
 */
#ifndef TG_REDUCE_H
#define TG_REDUCE_H

#include <cstdint>

#include "tg_rt.h"

/* tgr_plan: the loops of a reduction over NIN inputs (core/ops/reduce.go's
 * fold), planned from the run-time shape and strides. Kept axes are output
 * positions; the block axis (the last kept one here) is walked p->block
 * positions at a time inside the reduced loops, which run in C order. */
enum { tgr_wide = 128, tgr_narrow = 4 };
template <int NIN>
struct tgr_plan {
    int32_t nk, nr;                          // kept axes (block axis last), reduced axes
    int64_t kl[TG_MAXDIM], rl[TG_MAXDIM];    // their lengths
    int64_t ks[NIN][TG_MAXDIM];              // input strides along the kept axes
    int64_t rs[NIN][TG_MAXDIM];              // input strides along the reduced axes (C order)
    int64_t ko[TG_MAXDIM];                   // output strides along the kept axes
    int64_t count, n;                        // elements folded per output; outputs
    int64_t block, blocks, tasks;            // block length; blocks per outer position; tasks
    const char *in[NIN];
    char *out;
};

/* tgr_coalesce merges reduced axes that are contiguous with each other for
 * every input (the outer one's stride is the inner one's times its length)
 * into the innermost of them, and moves axes of length 1 to the front: the
 * C order of the elements is unchanged (so is every fold), and a reduction
 * over a C-contiguous block becomes one long row. The number of reduced
 * axes stays (the generated loops know it), the merged ones get length 1. */
template <int NIN>
static void tgr_coalesce(tgr_plan<NIN> *p) {
    int32_t n = 0;  // axes kept so far, compacted at the end of rl/rs
    int64_t rl[TG_MAXDIM], rs[NIN][TG_MAXDIM];
    for (int32_t d = p->nr - 1; d >= 0; d--) {
        if (p->rl[d] == 1) continue;
        if (n > 0) {
            bool merge = true;
            for (int i = 0; i < NIN; i++) merge = merge && p->rs[i][d] == rs[i][TG_MAXDIM - n] * rl[TG_MAXDIM - n];
            if (merge) {
                rl[TG_MAXDIM - n] *= p->rl[d];
                continue;
            }
        }
        n++;
        rl[TG_MAXDIM - n] = p->rl[d];
        for (int i = 0; i < NIN; i++) rs[i][TG_MAXDIM - n] = p->rs[i][d];
    }
    for (int32_t d = 0; d < p->nr; d++) {
        int32_t from = TG_MAXDIM - (p->nr - d);  // right-aligned
        bool unit = d < p->nr - n;
        p->rl[d] = unit ? 1 : rl[from];
        for (int i = 0; i < NIN; i++) p->rs[i][d] = unit ? 0 : rs[i][from];
    }
}

// tgr_plan_init plans the reduction of an ndim-dimensional index space of
// the given shape; st[i] are input i's strides over it (0: broadcast).
template <int NIN>
static void tgr_plan_init(tgr_plan<NIN> *p, int32_t ndim, const int64_t *shape, const int64_t (*st)[TG_MAXDIM],
                          uint64_t axes, tg_view *out, bool pairwise) {
    int32_t kept[TG_MAXDIM];
    int64_t cost[TG_MAXDIM];
    p->nk = p->nr = 0;
    p->count = p->n = 1;
    bool keepdims = out->ndim == ndim;
    int32_t od = 0;
    for (int32_t d = 0; d < ndim; d++) {
        cost[d] = 0;
        for (int i = 0; i < NIN; i++) cost[d] += st[i][d] < 0 ? -st[i][d] : st[i][d];
        if (axes >> d & 1) {
            p->rl[p->nr] = shape[d];
            for (int i = 0; i < NIN; i++) p->rs[i][p->nr] = st[i][d];
            p->nr++;
            p->count *= shape[d];
            if (keepdims) od++;
            continue;
        }
        p->ko[p->nk] = out->strides[od++];
        kept[p->nk++] = d;
        p->n *= shape[d];
    }
    // The block axis: the kept axis of length > 1 cheapest to step along.
    int32_t b = -1;
    for (int32_t k = 0; k < p->nk; k++) {
        if (shape[kept[k]] > 1 && (b < 0 || cost[kept[k]] <= cost[kept[b]])) b = k;
    }
    int64_t inner = -1;  // the cost of stepping the innermost reduced axis of length > 1
    for (int32_t d = ndim - 1; d >= 0 && inner < 0; d--) {
        if ((axes >> d & 1) && shape[d] > 1) inner = cost[d];
    }
    // A pairwise fold walks one output at a time along its reduced axes
    // (tgr_pairwise_range); a sequential one four outputs together.
    p->block = b >= 0 && (inner < 0 || cost[kept[b]] < inner) ? tgr_wide : pairwise ? 1 : tgr_narrow;
    tgr_coalesce(p);
    if (b >= 0 && b != p->nk - 1) {  // rotate the block axis to the end
        int32_t kb = kept[b];
        int64_t ko = p->ko[b];
        for (int32_t k = b; k + 1 < p->nk; k++) {
            kept[k] = kept[k + 1];
            p->ko[k] = p->ko[k + 1];
        }
        kept[p->nk - 1] = kb;
        p->ko[p->nk - 1] = ko;
    }
    if (p->nk == 0) {  // every axis reduced: one output, a kept axis of length 1
        kept[0] = -1;
        p->ko[0] = 0;
        p->nk = 1;
    }
    for (int32_t k = 0; k < p->nk; k++) {
        int32_t d = kept[k];
        p->kl[k] = d < 0 ? 1 : shape[d];
        for (int i = 0; i < NIN; i++) p->ks[i][k] = d < 0 ? 0 : st[i][d];
    }
    int64_t last = p->kl[p->nk - 1];
    p->blocks = (last + p->block - 1) / p->block;
    p->tasks = last == 0 ? 0 : p->n / last * p->blocks;
    p->out = out->data;
}

// tgr_task finds task t's first element: each input's offset, the output's
// offset, and how many positions of the block axis it covers.
template <int NIN>
static inline void tgr_task(const tgr_plan<NIN> *p, int64_t t, int64_t *off, int64_t *oo, int64_t *w) {
    int32_t last = p->nk - 1;
    int64_t j0 = t % p->blocks * p->block, o = t / p->blocks;
    *w = p->kl[last] - j0 < p->block ? p->kl[last] - j0 : p->block;
    *oo = j0 * p->ko[last];
    for (int i = 0; i < NIN; i++) off[i] = j0 * p->ks[i][last];
    for (int32_t k = last - 1; k >= 0; k--) {
        int64_t q = o % p->kl[k];
        o /= p->kl[k];
        *oo += q * p->ko[k];
        for (int i = 0; i < NIN; i++) off[i] += q * p->ks[i][k];
    }
}

// tgr_run runs the tasks, over the pool when there are at least work
// elements to fold.
template <int NIN>
static void tgr_run(tgr_plan<NIN> *p, tg_range_fn body, int64_t work) {
    int64_t per_task = p->block * (p->count > 0 ? p->count : 1);
    if (p->tasks < 2 || per_task * p->tasks < work) {
        body(p, 0, p->tasks);
        return;
    }
    int64_t grain = work / 2 / per_task;
    tg_parallel_for(p->tasks, grain > 0 ? grain : 1, body, p);
}

/* --- pairwise and parallel folds (DESIGN.md decision 13) -----------------
 *
 * Sums of floats (sum, mean; folded in double) do not follow the
 * evaluator's sequential order: each output's elements, in C order of the
 * reduced axes, are cut into pieces of tgr_piece_len(count) elements
 * (independent of the thread count), each piece folds its rows pairwise
 * (tgr_pairwise_sum, numpy's order: eight accumulators up to 128 elements,
 * halves above), the rows of a piece add up in order, and the pieces'
 * partial sums are combined pairwise. A reduction to one output runs its
 * pieces on the pool. The result depends only on the shape and strides,
 * never on the number of threads; it differs from the sequential fold by
 * at most the tolerance of core/ops/tolerance.go (ReduceTolerance). */
enum { tgr_piece = 1 << 15, tgr_max_pieces = 64 };

/* tgr_pairwise_sum is elem(lo) + ... + elem(lo + n - 1) in numpy's
 * pairwise order; -0.0 (the identity of +, exactly) when n is 0. */
template <class F>
static inline double tgr_pairwise_sum(const F &elem, int64_t lo, int64_t n) {
    if (n < 8) {
        double s = -0.0;
        for (int64_t i = 0; i < n; i++) s += elem(lo + i);
        return s;
    }
    if (n <= 128) {
        double r[8];
        for (int k = 0; k < 8; k++) r[k] = elem(lo + k);
        int64_t i = 8;
        for (; i + 8 <= n; i += 8) {
            for (int k = 0; k < 8; k++) r[k] += elem(lo + i + k);
        }
        double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) s += elem(lo + i);
        return s;
    }
    int64_t h = n / 2;
    h -= h % 8;
    return tgr_pairwise_sum(elem, lo, h) + tgr_pairwise_sum(elem, lo + h, n - h);
}

/* tgr_piece_len: the elements of a piece of a fold of count elements. */
static inline int64_t tgr_piece_len(int64_t count) {
    int64_t len = (count + tgr_max_pieces - 1) / tgr_max_pieces;
    return len > tgr_piece ? len : tgr_piece;
}

/* tgr_range_fn folds elements [f0, f1) (C order of the reduced axes) of
 * the output whose inputs start at off: generated per reduction. */
template <int NIN>
using tgr_range_fn = double (*)(const tgr_plan<NIN> *p, const int64_t *off, int64_t f0, int64_t f1);

template <int NIN>
struct tgr_pieces {
    const tgr_plan<NIN> *p;
    tgr_range_fn<NIN> range;
    const int64_t *off;
    int64_t len;
    double *part;
};

template <int NIN>
static void tgr_pieces_body(void *ctx, int64_t k0, int64_t k1) {
    const tgr_pieces<NIN> *c = (const tgr_pieces<NIN> *)ctx;
    for (int64_t k = k0; k < k1; k++) {
        int64_t f0 = k * c->len, f1 = f0 + c->len < c->p->count ? f0 + c->len : c->p->count;
        c->part[k] = c->range(c->p, c->off, f0, f1);
    }
}

/* tgr_pairwise_fold folds one output's count elements piece by piece, on
 * the pool when the plan has this one output and at least work elements. */
template <int NIN>
static double tgr_pairwise_fold(const tgr_plan<NIN> *p, tgr_range_fn<NIN> range, const int64_t *off, int64_t work) {
    double part[tgr_max_pieces];
    int64_t len = tgr_piece_len(p->count);
    int64_t pieces = (p->count + len - 1) / len;
    tgr_pieces<NIN> c = {p, range, off, len, part};
    if (p->tasks == 1 && p->count >= work && pieces > 1) {
        tg_parallel_for(pieces, 1, tgr_pieces_body<NIN>, &c);
    } else {
        tgr_pieces_body<NIN>(&c, 0, pieces);
    }
    return tgr_pairwise_sum([&](int64_t k) { return part[k]; }, 0, pieces);
}

#endif
