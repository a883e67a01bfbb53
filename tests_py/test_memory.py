"""Building and dropping many expressions keeps memory flat, and handles are released."""

import gc
import os

import numpy as np

import theanogo
import theanogo.tensor as T
from theanogo import _lib


def rss_mb():
    with open("/proc/self/statm") as f:
        resident_pages = int(f.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def build_and_drop(x, n):
    for i in range(n):
        y = ((x * i + 1.5).sum(axis=0) - x[0]).mean()  # a new constant and new nodes each time
        del y


def settle():
    gc.collect()
    _lib.go_gc()
    gc.collect()


def test_rss_stays_flat_over_100k_expressions():
    x = T.dmatrix("x")
    build_and_drop(x, 10_000)  # warm-up: caches, arenas, interned constants
    settle()
    before = rss_mb()
    build_and_drop(x, 100_000)
    settle()
    growth = rss_mb() - before
    assert growth < 30, f"RSS grew by {growth:.1f} MB"


def test_handles_are_released():
    settle()
    live = _lib.live_handles()
    x = T.dvector("x")
    f = theanogo.function([x], [(x * 2).sum(), x + 1])
    for _ in range(100):
        f(np.ones(3))
    s = theanogo.shared(np.zeros(2))
    s.get_value()
    del x, f, s
    settle()
    assert _lib.live_handles() == live


def test_graph_nodes_are_collected():
    x = T.dmatrix("x")
    settle()
    nodes_before, _ = _lib.interned()
    ys = [x * i + i for i in range(1000)]
    assert _lib.interned()[0] >= nodes_before + 1000
    del ys
    settle()
    assert _lib.interned()[0] < nodes_before + 100
