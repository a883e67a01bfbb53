"""Issue 12's softmax sharing: the logistic regression training step of
DeepLearningTutorials' logistic_sgd.py (p_y_given_x = softmax(x W + b), cost
-mean(log(p_y_given_x)[arange(n), y]), SGD on W and b) compiled with the
softmax_share pass (one logsoftmax, softmax = exp of it fused into the
gradient) and without it (a softmax and a logsoftmax kernel).

    .venv/bin/python bench/softmax_share.py [--repeats N]

µs per call, the best of N calls (median in parentheses); the two variants
are timed alternately, in one process. Timings on the shared 2-core
machines are noisy: compare within one run.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import theanogo
import theanogo.tensor as T


def step(dtype, n, n_in, n_out, share):
    rng = np.random.default_rng(0)
    w = theanogo.shared(np.zeros((n_in, n_out), dtype=dtype), name="W")
    b = theanogo.shared(np.zeros(n_out, dtype=dtype), name="b")
    x, y = T.matrix("x", dtype=dtype), T.ivector("y")
    p = T.nnet.softmax(T.dot(x, w) + b)
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    gw, gb = theanogo.grad(cost, [w, b])
    lr = np.asarray(0.13, dtype)
    mode = theanogo.Mode(optimizer="fast_run")
    if not share:
        mode = mode.excluding("softmax_share")
    f = theanogo.function([x, y], cost, updates=[(w, w - lr * gw), (b, b - lr * gb)], mode=mode)
    xv = rng.normal(size=(n, n_in)).astype(dtype)
    yv = rng.integers(0, n_out, size=n).astype(np.int32)
    return lambda: f(xv, yv)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=2000)
    args = ap.parse_args()
    print("| dtype | batch x inputs -> classes | shared (µs) | not shared (µs) | ratio |")
    print("|---|---|---|---|---|")
    for dtype in ("float32", "float64"):
        for n, n_in, n_out in ((20, 64, 10), (600, 784, 10), (600, 64, 500)):
            fs = {share: step(dtype, n, n_in, n_out, share) for share in (True, False)}
            ts = {True: [], False: []}
            for f in fs.values():
                f()
            for _ in range(args.repeats):
                for share, f in fs.items():
                    t = time.perf_counter()
                    f()
                    ts[share].append(time.perf_counter() - t)
            best = {k: min(v) * 1e6 for k, v in ts.items()}
            med = {k: statistics.median(v) * 1e6 for k, v in ts.items()}
            print(f"| {dtype} | {n} x {n_in} -> {n_out} | {best[True]:.1f} ({med[True]:.1f}) | "
                  f"{best[False]:.1f} ({med[False]:.1f}) | {best[False] / best[True]:.2f}x |")


if __name__ == "__main__":
    main()
