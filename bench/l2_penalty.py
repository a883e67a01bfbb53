"""The MLP training step (bench/tgbench/models.py: 784-500-10, tanh, softmax,
mean negative log-likelihood, SGD lr 0.01) with and without the L2 penalty of
the Theano tutorial's mlp.py, ``1e-4 * ((W1 ** 2).sum() + (W2 ** 2).sum())``,
float32, batch 60 and 600, on theanogo's default backend (FAST_RUN).

    .venv/bin/python bench/l2_penalty.py [--repeats K] [--budget S]

Prints µs per step (best of K repeats, tgbench.common.per_call) and the ratio
of the step with the penalty to the step without it; the first loss of each
function is checked against numpy's. Both functions are compiled in the same
process and timed alternately, batch by batch.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tgbench import models  # noqa: E402
from tgbench.common import per_call  # noqa: E402

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
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--budget", type=float, default=0.7, help="seconds per measurement")
    ap.add_argument("--batches", type=int, nargs="+", default=[60, 600])
    args = ap.parse_args()
    dtype = "float32"
    import theanogo

    funcs = {pen: build(dtype, pen) for pen in (False, True)}
    print(f"theanogo {getattr(theanogo, '__version__', '?')}, backend {funcs[True][0].maker.describe_backend()}, "
          f"{dtype}, best of {args.repeats} repeats, ~{args.budget:.2f} s per measurement")
    print()
    print(f"| batch | step (µs) | step + L2 penalty (µs) | ratio |")
    print(f"|---:|---:|---:|---:|")
    for batch in args.batches:
        params, x, y = models.initial(dtype, batch)
        times, notes = {}, []
        for pen in (False, True):
            f, shared = funcs[pen]
            for v, p in zip(shared, params):
                v.set_value(p.copy())
            loss = float(f(x, y))
            want = numpy_loss(params, x, y, pen)
            if abs(loss - want) > 1e-4 * max(1.0, abs(want)):
                notes.append(f"penalty={pen}: first loss {loss:.6g}, numpy {want:.6g}")
        # alternate the two, so that both see the same machine load
        best = {False: np.inf, True: np.inf}
        for _ in range(2):
            for pen in (False, True):
                f = funcs[pen][0]
                best[pen] = min(best[pen], per_call(lambda: f(x, y), budget=args.budget / 2, repeats=args.repeats))
        times = {pen: best[pen] * 1e6 for pen in best}
        print(f"| {batch} | {times[False]:.0f} | {times[True]:.0f} | {times[True] / times[False]:.2f}x |")
        for n in notes:
            print(f"  ! {n}")


if __name__ == "__main__":
    main()
