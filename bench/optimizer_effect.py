"""What the graph optimizer buys on the Go evaluator: each workload compiled
without rewrites (optimizer=None), with FAST_COMPILE and with FAST_RUN, and
NumPy, in one run; plus the MLP training graph's node count before and after.

    .venv/bin/python bench/optimizer_effect.py

Writes the table to bench/results/optimizer_effect.txt too. Workloads
(BENCHMARKS.md sections 1 and 2): the element-wise formulas at N = 1e5,
float64, a fresh output each call; one MLP 784-500-10 SGD step at batch 60,
float32.
"""

from __future__ import annotations

import os
import platform
import sys

import numpy as np

import theanogo
import theanogo.tensor as T

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evaluator_baseline import per_call  # noqa: E402

MODES = [("None", theanogo.Mode(optimizer=None)), ("FAST_COMPILE", "FAST_COMPILE"), ("FAST_RUN", "FAST_RUN")]
FORMULAS = [
    ("a+1", lambda a, b: a + 1),
    ("2*a + 3*b", lambda a, b: 2 * a + 3 * b),
    ("a**2 + b**2 + 2*a*b", lambda a, b: a ** 2 + b ** 2 + 2 * a * b),
    ("2*a + b**10", lambda a, b: 2 * a + b ** 10),
]


def elementwise_rows(n: int = 100_000) -> list[tuple[str, list[float], float]]:
    rng = np.random.default_rng(0)
    va, vb = rng.random(n), rng.random(n)
    rows = []
    for name, formula in FORMULAS:
        a, b = T.dvectors("a", "b")
        times = [per_call(theanogo.function([a, b], formula(a, b), mode=m, on_unused_input="ignore"), va, vb)
                 for _, m in MODES]
        rows.append((f"{name}, N=1e5 float64 (us)", times, per_call(formula, va, vb)))
    return rows


def mlp_graph():
    x, y = T.fmatrix("x"), T.ivector("y")
    rng = np.random.default_rng(1)
    f32 = np.float32
    params = [theanogo.shared(rng.uniform(-0.05, 0.05, (784, 500)).astype(f32), name="W1"),
              theanogo.shared(np.zeros(500, f32), name="b1"),
              theanogo.shared(rng.uniform(-0.05, 0.05, (500, 10)).astype(f32), name="W2"),
              theanogo.shared(np.zeros(10, f32), name="b2")]
    W1, b1, W2, b2 = params
    h = T.tanh(T.dot(x, W1) + b1)
    p = T.nnet.softmax(T.dot(h, W2) + b2)
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    grads = theanogo.grad(cost, params)
    lr = np.float32(0.01)
    updates = [(v, v - lr * g) for v, g in zip(params, grads)]
    data = (rng.random((60, 784)).astype(f32), rng.integers(0, 10, 60).astype(np.int32))
    return [x, y], cost, updates, data


def mlp_rows() -> tuple[list, dict]:
    inputs, cost, updates, data = mlp_graph()
    times, nodes = [], {}
    for name, m in MODES:
        f = theanogo.function(inputs, cost, updates=updates, mode=m)
        nodes[name] = len(f.maker.fgraph.toposort())
        times.append(per_call(f, *data) / 1000)
    return [("MLP 784-500-10 step, batch 60, float32 (ms)", times, float("nan"))], nodes


def main() -> None:
    rows = elementwise_rows()
    mlp, nodes = mlp_rows()
    rows += mlp
    lines = ["Go evaluator with and without the graph optimizer (best of 5), NumPy beside it",
             "", f"{'workload':46s} {'optimizer=None':>15s} {'FAST_COMPILE':>13s} {'FAST_RUN':>10s} {'numpy':>9s}"]
    for name, times, ref in rows:
        lines.append(f"{name:46s} {times[0]:15.2f} {times[1]:13.2f} {times[2]:10.2f} {ref:9.2f}")
    lines += ["", "MLP training graph, nodes: " + ", ".join(f"{k} {v}" for k, v in nodes.items())]
    inputs, cost, updates, _ = mlp_graph()
    f = theanogo.function(inputs, cost, updates=updates)
    lines += ["", "MLP training graph after FAST_RUN:", theanogo.printing.debugprint(f, file="str")]
    lines += [f"machine: {platform.platform()}, python {platform.python_version()}, numpy {np.__version__}"]
    text = "\n".join(lines)
    print(text)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "optimizer_effect.txt")
    with open(out, "w") as fh:
        fh.write(text + "\n")


if __name__ == "__main__":
    main()
