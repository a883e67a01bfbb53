"""The floors the targets are measured against, measured in the same run.

- copy bandwidth: ``np.copyto`` of a large float64 array (80 MB, 1e7
  elements) into a preallocated one, on one thread and split over every
  logical CPU (numpy releases the GIL while it copies); bytes read + bytes
  written (2 x 80 MB) over the best time. The element-wise floor is the
  bytes an ideal kernel reads and writes (each input once, the output once)
  over the better of the two bandwidths.
- gemm: the five matrix products of one MLP training step (forward x@W1,
  h@W2; backward gz@W2.T, h.T@gz, x.T@gh) timed with numpy's matmul at the
  step's batch size and dtype, the best of 15 repeats of about 20 ms; GFLOP/s = 2*m*n*k
  summed over the five, over that time. The MLP floor is that time, the
  same as 1.6 MFLOP per example x batch / GFLOP/s.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import math
import os
import time

import numpy as np


@dataclasses.dataclass(frozen=True)
class Bandwidth:
    """Copy bandwidth in bytes/s, one thread and all threads."""

    one_thread: float
    all_threads: float
    threads: int

    @property
    def best(self) -> float:
        return max(self.one_thread, self.all_threads)

    def describe(self) -> str:
        return (f"copy bandwidth (np.copyto of 80 MB float64 into a preallocated array, read+written bytes / "
                f"best time): {self.one_thread / 1e9:.1f} GB/s on 1 thread, {self.all_threads / 1e9:.1f} GB/s on "
                f"{self.threads} threads; the floor uses {self.best / 1e9:.1f} GB/s")


def copy_bandwidth(repeats: int = 7, n: int = 10_000_000) -> Bandwidth:
    """Measure the copy bandwidth (see the module docstring)."""
    src = np.random.default_rng(0).random(n)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    threads = os.cpu_count() or 1
    bounds = np.linspace(0, n, threads + 1).astype(int)
    chunks = [(dst[lo:hi], src[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]

    def best(fn) -> float:
        fn()
        t = math.inf
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            t = min(t, time.perf_counter() - start)
        return t

    one = best(lambda: np.copyto(dst, src))
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        many = best(lambda: list(pool.map(lambda c: np.copyto(*c), chunks)))
    moved = 2 * src.nbytes
    return Bandwidth(moved / one, moved / many, threads)


MLP_SHAPES = (784, 500, 10)


def mlp_gemm_floor(batch: int, dtype: str, repeats: int = 15) -> tuple[float, float]:
    """(seconds, GFLOP/s) of the five matmuls of one MLP step at ``batch``."""
    n_in, n_hid, n_out = MLP_SHAPES
    rng = np.random.default_rng(0)
    x = rng.random((batch, n_in)).astype(dtype)
    w1 = rng.random((n_in, n_hid)).astype(dtype)
    w2 = rng.random((n_hid, n_out)).astype(dtype)
    h = rng.random((batch, n_hid)).astype(dtype)
    gz = rng.random((batch, n_out)).astype(dtype)
    gh = rng.random((batch, n_hid)).astype(dtype)
    flops = 2 * batch * (n_in * n_hid + n_hid * n_out + n_out * n_hid + n_hid * n_out + n_in * n_hid)

    def step() -> None:
        x @ w1
        h @ w2
        gz @ w2.T
        h.T @ gz
        x.T @ gh

    for _ in range(3):
        step()
    calls = max(1, int(0.02 / max(_time(step), 1e-9)))
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            step()
        best = min(best, (time.perf_counter() - start) / calls)
    return best, flops / best / 1e9


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
