/*
 * tg_nnet.h: the runtime functions of the neural-network ops that are not
 * plain loops: softmax and log-softmax (ops.SoftmaxOp), their gradient
 * (ops.SoftmaxGradOp) and argmax/argmin (ops.ArgReduce). Reductions
 * (sum, max, mean ...) are generated loops, not runtime calls
 * (codegen/cxx/lower_reduce.go).
 *
 * Each function computes exactly what the Go evaluator computes (the oracle
 * of the differential tests): softmax and its gradient compute every row in
 * double and round once to the output dtype; argmax and argmin follow
 * numpy (first occurrence wins, a NaN is the extreme).
 *
 * Inputs are any views (element strides, 0 or negative allowed); outputs
 * are views of memory the kernel allocated with the output's shape. Each
 * function returns 0, or sets *err (tg_set_error) and returns 1.
 *
 *   x = [[1, 1], [0, ln 3]]  ->  tg_softmax(&x, &out, 0, err): out = [[0.5, 0.5], [0.25, 0.75]]
 */
#ifndef TG_NNET_H
#define TG_NNET_H

#include "tg_rt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* tg_double_to_half rounds a double to IEEE binary16 bits once, ties to
 * even, as the evaluator's tensor.Float64ToHalf (going through float
 * would round twice): too large is +-inf, NaN is 0x7e00. Generated
 * reductions of float16 store their double results with it. */
uint16_t tg_double_to_half(double v);

/* out = softmax(x) along the last axis (log != 0: log(softmax(x))), each
 * row shifted by its maximum first: exp(x - max) / sum exp(x - max), or
 * (x - max) - log(sum exp(x - max)). x is float16, float32 or float64 of
 * rank >= 1 (every leading index is a row); out has x's shape and dtype. */
int tg_softmax(const tg_view *x, tg_view *out, int log, char **err);

/* out = (gz - sum(gz * s)) * s along the last axis: softmax's gradient for
 * the output gradient gz of s = softmax(x). gz, s and out have one shape
 * and float dtype; a shape mismatch is a ValueError. */
int tg_softmax_grad(const tg_view *gz, const tg_view *s, tg_view *out, char **err);

/* out = argmax (is_min: argmin) of x over the axes in the bit set `axes`
 * (bit d: axis d): for each position of the kept axes, the int64 index of
 * the first extreme element counted in C order within the reduced axes. A
 * NaN is the extreme (the first NaN wins). out is int64 with the kept
 * axes' lengths in order (keepdims' length-1 axes may be there too). An
 * empty reduced block with a nonempty output is a ValueError. */
int tg_argreduce(const tg_view *x, uint64_t axes, int is_min, tg_view *out, char **err);

#ifdef __cplusplus
}
#endif

#endif /* TG_NNET_H */
