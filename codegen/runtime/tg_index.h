/*
 * tg_index.h: indexing for generated kernels — numpy's advanced (integer
 * array) indexing, basic and advanced inc/set_subtensor, and arange. Plain
 * C, callable from C++; the semantics are the Go evaluator's
 * (core/ops/inc_subtensor.go, advanced_subtensor.go,
 * advanced_inc_subtensor.go, arange.go), error messages included.
 *
 * Conventions (tg_rt.h): views carry element strides that may be 0 or
 * negative; `out` views are allocated by the kernel, C-contiguous, with
 * their shape filled; a function returns 0, or 1 after tg_set_error.
 *
 * Writes happen last. An inc/set output may be the OLD memory of the
 * array it updates (`out->data == x->data`: an in-place update of a shared
 * variable), so every function that can fail checks everything — indices,
 * shapes, memory for temporaries — before it writes a single element: a
 * failed call leaves `out` untouched. When `out` is other memory, x is
 * copied into it first. An increment that overlaps `out` in memory (a view
 * of the array being updated in place) is copied aside before writing.
 *
 * Index arrays may have any integer dtype; a value is read as Go's
 * int64(v) reads it (a uint64 above 2^63-1 wraps to a negative index), then
 * a negative index counts from the end and one outside [-n, n) fails with
 * "IndexError: <op>: index 7 is out of bounds for axis 0 with size 5".
 *
 * Increments accumulate where positions repeat (np.add.at), in x's dtype
 * (integers wrap, bools or, float16 adds in float); set keeps the last
 * write in C order over the selection. y may have another dtype than x (one
 * that x's dtype holds without loss); it is converted to x's dtype first.
 */
#ifndef TG_INDEX_H
#define TG_INDEX_H

#include <stdint.h>

#include "tg_rt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One item of a basic index, encoded in TG_INDEX_ITEM int64s:
 *   {0, i, 0, 0, 0, 0, 0}                     x[i]
 *   {1, has_start, start, has_stop, stop, has_step, step}   x[start:stop:step]
 * (an absent entry has has_* = 0 and takes the slice default). */
#define TG_INDEX_ITEM 7

/* x[items] = y (set) or x[items] += y, written into out (x's shape):
 * numpy's basic indexing (integers and slices, negative indices from the
 * end, slices clamped as slice.indices does), items for x's leading
 * dimensions. y broadcasts to the selection from the left; only its
 * dimensions marked in y_static1 (one flag per y dimension: static length
 * 1) broadcast. Errors, in the evaluator's order and words:
 *   IndexError: inc_subtensor: index 5 is out of bounds for axis 0 with size 5
 *   ValueError: inc_subtensor: slice step cannot be zero
 *   ValueError: inc_subtensor: y of shape [3] does not fit the selection of shape [2]
 * (set_subtensor when set). */
int tg_inc_subtensor(tg_view *out, const tg_view *x, const tg_view *y, const uint8_t *y_static1, int32_t n_items,
                     const int64_t *items, int32_t set, char **err);

/* out = x[idx[0], ..., idx[k-1]]: numpy's integer-array indexing of x's k
 * leading dimensions. The index arrays broadcast together from the left,
 * only over dimensions marked in static1 (per index array, one flag per
 * dimension, concatenated: 1 where the array's static length is 1); out
 * has the broadcast shape followed by x's dimensions after the k indexed
 * ones. Errors:
 *   IndexError: advanced_subtensor: index 7 is out of bounds for axis 1 with size 5
 *   ValueError: advanced_subtensor: shape mismatch: the index arrays cannot be broadcast together: ... */
int tg_advanced_subtensor(tg_view *out, const tg_view *x, int32_t k, const tg_view *const *idx,
                          const uint8_t *static1, char **err);

/* x[idx...] = y (set; the last write wins where positions repeat) or
 * np.add.at(x, idx, y) (inc), written into out (x's shape). The selection
 * is tg_advanced_subtensor's; y broadcasts to it as in tg_inc_subtensor.
 * Errors as tg_advanced_subtensor's (op advanced_inc_subtensor or
 * advanced_set_subtensor), then y's fit. */
int tg_advanced_inc_subtensor(tg_view *out, const tg_view *x, const tg_view *y, const uint8_t *y_static1, int32_t k,
                              const tg_view *const *idx, const uint8_t *static1, int32_t set, char **err);

/* out = numpy.arange(start, stop, step) in out's dtype, from three real
 * 0-d views: exact int64 arithmetic when all three are bools or integers,
 * else start + i*step in float64 (no fused multiply-add), then converted
 * as the evaluator converts. out->shape[0] must be the evaluator's length
 * ceil((stop - start) / step), at least 0. Errors:
 *   ValueError: arange: step cannot be zero
 *   ValueError: arange: cannot compute the length of arange(0, NaN, 1) */
int tg_arange(tg_view *out, const tg_view *start, const tg_view *stop, const tg_view *step, char **err);

#ifdef __cplusplus
}
#endif

#endif /* TG_INDEX_H */
