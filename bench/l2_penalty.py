"""The MLP training step (bench/tgbench/models.py: 784-500-10, tanh, softmax,
mean negative log-likelihood, SGD lr 0.01) with and without the L2 penalty of
the Theano tutorial's mlp.py, ``1e-4 * ((W1 ** 2).sum() + (W2 ** 2).sum())``,
float32, batch 60 and 600, on theanogo's default backend (FAST_RUN).

    .venv/bin/python bench/l2_penalty.py [--calls N] [--batches 60 600]

Prints µs per step, the best of N single calls with the median beside it,
and the ratio of the best step with the penalty to the best without it; the
first loss of each function is checked against numpy's. Both functions are
compiled in the same process and called alternately (one call each, N
times), so that both see the same load: on the shared 2-core machines a
call is often preempted, and the best single call is the figure that
survives it (tgbench's best-of-repeats averages the preemptions in).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tgbench import models  # noqa: E402

L2 = 1e-4


def build(dtype: str, penalty: bool):
    """(function, shared variables) for the training step."""
    import theanogo
    import theanogo.tensor as T

    params, _, _ = models.initial(dtype, 1)
    x, y = T.matrix("x", dtype=dtype), T.ivector("y")
    shared = [theanogo.shared(p.copy(), name=n) for p, n in zip(params, ("W1", "b1", "W2", "b2"))]
    w1, b1, w2, b2 = shared
    p_y = T.nnet.softmax(T.dot(T.tanh(T.dot(x, w1) + b1), w2) + b2)
    cost = -T.mean(T.log(p_y)[T.arange(y.shape[0]), y])
    if penalty:
        cost = cost + np.asarray(L2, dtype) * ((w1 ** 2).sum() + (w2 ** 2).sum())
    grads = theanogo.grad(cost, shared)
    lr = np.asarray(models.LR, dtype=dtype)
    f = theanogo.function([x, y], cost, updates=[(v, v - lr * g) for v, g in zip(shared, grads)])
    return f, shared


def numpy_loss(params, x, y, penalty: bool) -> float:
    w1, b1, w2, b2 = (p.astype(np.float64) for p in params)
    z = np.tanh(x @ w1 + b1) @ w2 + b2
    z -= z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(len(y)), y].mean()
    if penalty:
        loss += L2 * ((w1 ** 2).sum() + (w2 ** 2).sum())
    return float(loss)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=300, help="timed calls of each function per batch size")
    ap.add_argument("--batches", type=int, nargs="+", default=[60, 600])
    args = ap.parse_args()
    dtype = "float32"
    import theanogo

    funcs = {pen: build(dtype, pen) for pen in (False, True)}
    print(f"theanogo {getattr(theanogo, '__version__', '?')}, backend {funcs[True][0].maker.describe_backend()}, "
          f"{dtype}; µs per step: best of {args.calls} single calls (median in parentheses), the two functions "
          f"called alternately")
    print()
    print("| batch | step (µs) | step + L2 penalty (µs) | ratio of best |")
    print(f"|---:|---:|---:|---:|")
    for batch in args.batches:
        params, x, y = models.initial(dtype, batch)
        notes = []
        for pen in (False, True):
            f, shared = funcs[pen]
            for v, p in zip(shared, params):
                v.set_value(p.copy())
            loss = float(f(x, y))
            want = numpy_loss(params, x, y, pen)
            if abs(loss - want) > 1e-4 * max(1.0, abs(want)):
                notes.append(f"penalty={pen}: first loss {loss:.6g}, numpy {want:.6g}")
        # single calls, the two functions alternately, so that both see the
        # same machine load; the best call is the figure, the median shows
        # the load
        calls = {False: [], True: []}
        fs = {pen: funcs[pen][0] for pen in funcs}
        for _ in range(args.calls):
            for pen in (False, True):
                f = fs[pen]
                start = time.perf_counter()
                f(x, y)
                calls[pen].append(time.perf_counter() - start)
        best = {pen: min(calls[pen]) * 1e6 for pen in calls}
        med = {pen: float(np.median(calls[pen])) * 1e6 for pen in calls}
        print(f"| {batch} | {best[False]:.0f} ({med[False]:.0f}) | {best[True]:.0f} ({med[True]:.0f}) | "
              f"{best[True] / best[False]:.2f}x |")
        for n in notes:
            print(f"  ! {n}")


if __name__ == "__main__":
    main()
