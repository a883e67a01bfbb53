"""Baseline timings of the Go evaluator against NumPy, in one run.

The Go evaluator is the reference backend (no C++ yet), so these figures are
the starting point the compiled backend is measured against, not targets:

    .venv/bin/python bench/evaluator_baseline.py

Workloads (BENCHMARKS.md): call overhead of `x + 1` on 1,000 float64; the
element-wise formula a**2 + b**2 + 2*a*b at N = 1e5; one MLP training step
784-500-10 (tanh, softmax, NLL, SGD 0.01) at batch 60, float32.
"""

from __future__ import annotations

import time

import numpy as np

import theanogo
import theanogo.tensor as T


def per_call(fn, *args, seconds: float = 0.5) -> float:
    """Best-of-5 mean time per call, in microseconds."""
    fn(*args)
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn(*args)
        if time.perf_counter() - start > seconds / 5:
            break
        n *= 2
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            fn(*args)
        best = min(best, (time.perf_counter() - start) / n)
    return best * 1e6


def call_overhead() -> tuple[float, float]:
    x = T.dvector("x")
    f = theanogo.function([x], x + 1)
    a = np.ones(1000)
    return per_call(f, a), per_call(lambda v: v + 1.0, a)


def elementwise() -> tuple[float, float]:
    a, b = T.dvectors("a", "b")
    f = theanogo.function([a, b], a ** 2 + b ** 2 + 2 * a * b)
    rng = np.random.default_rng(0)
    va, vb = rng.random(100_000), rng.random(100_000)
    return per_call(f, va, vb), per_call(lambda p, q: p ** 2 + q ** 2 + 2 * p * q, va, vb)


def mlp_step(batch: int = 60) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    f32 = np.float32
    W1 = rng.uniform(-0.05, 0.05, (784, 500)).astype(f32)
    W2 = rng.uniform(-0.05, 0.05, (500, 10)).astype(f32)
    b1, b2 = np.zeros(500, f32), np.zeros(10, f32)
    xs = rng.random((batch, 784)).astype(f32)
    ys = rng.integers(0, 10, batch)
    onehot = np.eye(10, dtype=f32)[ys]

    x, t = T.fmatrix("x"), T.fmatrix("t")
    sW1, sb1 = theanogo.shared(W1.copy()), theanogo.shared(b1.copy())
    sW2, sb2 = theanogo.shared(W2.copy()), theanogo.shared(b2.copy())
    h = T.tanh(T.dot(x, sW1) + sb1)
    p = T.nnet.softmax(T.dot(h, sW2) + sb2)
    cost = -T.mean(T.sum(t * T.log(p), axis=1))
    params = [sW1, sb1, sW2, sb2]
    grads = theanogo.grad(cost, params)
    lr = np.float32(0.01)
    step = theanogo.function([x, t], cost, updates=[(v, v - lr * g) for v, g in zip(params, grads)])

    def numpy_step(x, t, P=[W1.copy(), b1.copy(), W2.copy(), b2.copy()]):
        w1, c1, w2, c2 = P
        hh = np.tanh(x @ w1 + c1)
        z = hh @ w2 + c2
        e = np.exp(z - z.max(axis=1, keepdims=True))
        pp = e / e.sum(axis=1, keepdims=True)
        gz = (pp - t) / len(x)
        gw2, gc2 = hh.T @ gz, gz.sum(axis=0)
        gh = (gz @ w2.T) * (1 - hh * hh)
        gw1, gc1 = x.T @ gh, gh.sum(axis=0)
        for v, g in zip(P, (gw1, gc1, gw2, gc2)):
            v -= lr * g
        return -np.mean(np.sum(t * np.log(pp), axis=1))

    return per_call(step, xs, onehot) / 1000, per_call(numpy_step, xs, onehot) / 1000


def main() -> None:
    rows = [("x + 1, N=1e3, float64 (us/call)", *call_overhead()),
            ("a**2+b**2+2*a*b, N=1e5, float64 (us/call)", *elementwise()),
            ("MLP 784-500-10 step, batch 60, float32 (ms/step)", *mlp_step())]
    print(f"{'workload':52s} {'theanogo(Go eval)':>18s} {'numpy':>10s} {'ratio':>7s}")
    for name, ours, ref in rows:
        print(f"{name:52s} {ours:18.2f} {ref:10.2f} {ours / ref:7.2f}")


if __name__ == "__main__":
    main()
