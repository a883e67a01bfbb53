"""Issue 12's fold and epilogue figures, side by side in one run:

1. float64 ``x.sum()`` of a 1000x1000 matrix: theanogo FAST_RUN against
   ``numpy.sum`` (run it with main's build and with this branch's to compare
   the sequential and the pairwise/parallel folds);
2. the MLP step with DeepLearningTutorials' mlp.py penalties
   (``L1 = abs(W1).sum() + abs(W2).sum()``, ``L2_sqr = (W1 ** 2).sum() +
   (W2 ** 2).sum()``, cost = NLL + 0.00*L1 + 0.0001*L2_sqr, SGD lr 0.01 on
   W1, b1, W2, b2), float32, batch 20 and 60: numpy, PyTorch, jax.jit,
   PyTensor (C backend) and theanogo.

    .venv/bin/python bench/fold_penalty.py [--repeats N]

µs per call, the best of N calls (median in parentheses). Peers that are not
installed read n/a. Timings on the shared 2-core machines are noisy: compare
within one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tgbench import models  # noqa: E402

L1_REG, L2_REG = 0.00, 0.0001


def timed(fn, repeats):
    fn()
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return min(ts) * 1e6, statistics.median(ts) * 1e6


def symbolic_step(lib, dtype, x, y):
    """theanogo or pytensor: mlp.py's graph with both penalties."""
    if lib == "theanogo":
        import theanogo as module
        import theanogo.tensor as T
        softmax = T.nnet.softmax
        kwargs = {}
    else:
        import pytensor as module
        import pytensor.tensor as T
        from pytensor.compile.mode import Mode
        from pytensor.tensor.special import softmax as sm
        softmax = lambda z: sm(z, axis=-1)  # noqa: E731
        kwargs = {"mode": Mode(linker="cvm", optimizer="fast_run")}
    params, _, _ = models.initial(dtype, 1)
    xv, yv = T.matrix("x", dtype=dtype), T.ivector("y")
    shared = [module.shared(p.copy(), name=n) for p, n in zip(params, ("W1", "b1", "W2", "b2"))]
    w1, b1, w2, b2 = shared
    p_y = softmax(T.dot(T.tanh(T.dot(xv, w1) + b1), w2) + b2)
    nll = -T.mean(T.log(p_y)[T.arange(yv.shape[0]), yv])
    l1 = abs(w1).sum() + abs(w2).sum()
    l2 = (w1 ** 2).sum() + (w2 ** 2).sum()
    c = lambda v: np.asarray(v, dtype)  # noqa: E731  (floatX=float32 in the tutorial)
    cost = nll + c(L1_REG) * l1 + c(L2_REG) * l2
    grads = module.grad(cost, shared)
    f = module.function([xv, yv], cost, updates=[(v, v - c(models.LR) * g) for v, g in zip(shared, grads)], **kwargs)
    return lambda: float(f(x, y))


def numpy_step(dtype, x, y):
    w1, b1, w2, b2 = [p.copy() for p in models.initial(dtype, 1)[0]]
    rows = np.arange(len(x))
    lr, l1, l2 = (x.dtype.type(v) for v in (models.LR, L1_REG, L2_REG))

    def step():
        nonlocal w1, b1, w2, b2  # updated in place (-=)
        h = np.tanh(x @ w1 + b1)
        z = h @ w2 + b2
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[rows, y])) + l1 * (np.abs(w1).sum() + np.abs(w2).sum()) + l2 * ((w1 ** 2).sum() + (w2 ** 2).sum())
        p[rows, y] -= 1
        p /= len(x)
        gh = (p @ w2.T) * (1 - h * h)
        w2 -= lr * (h.T @ p + l1 * np.sign(w2) + 2 * l2 * w2)
        b2 -= lr * p.sum(axis=0)
        w1 -= lr * (x.T @ gh + l1 * np.sign(w1) + 2 * l2 * w1)
        b1 -= lr * gh.sum(axis=0)
        return float(loss)
    return step


def torch_step(dtype, x, y):
    import torch
    F = torch.nn.functional
    ps = [torch.tensor(p, requires_grad=True) for p in models.initial(dtype, 1)[0]]
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))

    def step():
        w1, b1, w2, b2 = ps
        loss = (F.cross_entropy(torch.tanh(xt @ w1 + b1) @ w2 + b2, yt)
                + L1_REG * (w1.abs().sum() + w2.abs().sum()) + L2_REG * ((w1 ** 2).sum() + (w2 ** 2).sum()))
        grads = torch.autograd.grad(loss, ps)
        with torch.no_grad():
            for p, g in zip(ps, grads):
                p.add_(g, alpha=-models.LR)
        return float(loss.detach())
    return step


def jax_step(dtype, x, y):
    import jax
    jnp = jax.numpy

    def loss(ps, xb, yb):
        w1, b1, w2, b2 = ps
        logp = jax.nn.log_softmax(jnp.tanh(xb @ w1 + b1) @ w2 + b2)
        return (-jnp.mean(logp[jnp.arange(xb.shape[0]), yb]) + L1_REG * (jnp.abs(w1).sum() + jnp.abs(w2).sum())
                + L2_REG * ((w1 ** 2).sum() + (w2 ** 2).sum()))

    def update(ps, xb, yb):
        value, grads = jax.value_and_grad(loss)(ps, xb, yb)
        return [p - models.LR * g for p, g in zip(ps, grads)], value

    jitted = jax.jit(update, donate_argnums=0)
    state = [[jax.device_put(p) for p in models.initial(dtype, 1)[0]]]
    xj, yj = jax.device_put(x), jax.device_put(y)

    def step():
        state[0], value = jitted(state[0], xj, yj)
        jax.block_until_ready(state[0])
        return float(value)
    return step


PEERS = {
    "numpy": numpy_step,
    "torch": torch_step,
    "jax.jit": jax_step,
    "pytensor (C, cvm)": lambda d, x, y: symbolic_step("pytensor", d, x, y),
    "theanogo": lambda d, x, y: symbolic_step("theanogo", d, x, y),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=100)
    ap.add_argument("--batches", type=int, nargs="*", default=[20, 60], help="none: the sum only")
    args = ap.parse_args()
    import theanogo
    import theanogo.tensor as T

    a = np.random.default_rng(0).standard_normal((1000, 1000))
    xs = T.dmatrix("x")
    f = theanogo.function([xs], xs.sum())
    print("## float64 x.sum(), 1000x1000 (µs, best (median))\n")
    print("| numpy | theanogo | |theanogo - numpy| |")
    print("|---:|---:|---:|")
    tn, tt = timed(lambda: a.sum(), args.repeats), timed(lambda: f(a), args.repeats)
    print(f"| {tn[0]:.0f} ({tn[1]:.0f}) | {tt[0]:.0f} ({tt[1]:.0f}) | {abs(float(f(a)) - a.sum()):.2g} |")
    print("\n## MLP step with mlp.py's L1/L2 penalties, float32 (µs, best (median))\n")
    print("| batch | " + " | ".join(PEERS) + " |")
    print("|---:|" + "---:|" * len(PEERS))
    for batch in args.batches:
        _, x, y = models.initial("float32", batch)
        cells = []
        for name, make in PEERS.items():
            try:
                step = make("float32", x, y)
                best, med = timed(step, args.repeats)
                cells.append(f"{best:.0f} ({med:.0f})")
            except ImportError:
                cells.append("n/a")
            except Exception as e:  # noqa: BLE001 - a failing peer is a cell, not a crash
                cells.append(f"failed: {type(e).__name__}")
        print(f"| {batch} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
