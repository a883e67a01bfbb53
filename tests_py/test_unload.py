"""A dropped function gives back what it held: its kernel state and
workspace at once (not when Go's collector gets to it) and its module (the
module is unloaded when no live function uses it). A process that compiles
and drops thousands of functions stays flat."""

import json
import os
import subprocess
import sys
import textwrap

# Run in a fresh process: RSS and /proc/self/maps of this test's own work
# only. Printed as one JSON line.
SCRIPT = textwrap.dedent("""
    import ctypes, gc, json, os, sys
    import numpy as np
    import theanogo, theanogo.tensor as T

    PAGE = os.sysconf("SC_PAGE_SIZE")

    def rss_mb():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * PAGE / 2**20

    def kernel_maps():
        # mappings of compiled kernels (the runtime library is loaded for good)
        with open("/proc/self/maps") as f:
            return sum(1 for line in f if "/tg_fn_" in line)

    x = T.dvector("x")
    small = np.arange(5.0)
    big = np.ones(1_000_000)
    graphs = [lambda v: v + 1, lambda v: T.exp(v) * 2, lambda v: (v ** 2).sum(), lambda v: T.tanh(v) - v]

    def same(i):
        f = theanogo.function([x], graphs[i % len(graphs)](x))
        f(small)
        assert f.backend == "cxx", f.backend

    def workspace():
        # the reversed view needs exp(x) whole: an 8 MB workspace buffer
        f = theanogo.function([x], T.exp(x)[::-1] * x)
        f(big)

    def distinct(i):
        f = theanogo.function([x], (x + float(i)) * 3.5 - x ** 2)
        f(small)

    libc = ctypes.CDLL(None)

    def settle():
        # malloc_trim: give the allocator's free memory back, so that RSS
        # counts what is held, not how glibc's arenas happen to be cut
        gc.collect()
        libc.malloc_trim(0)
        return rss_mb(), kernel_maps()

    n, n_ws, n_distinct = map(int, sys.argv[1:4])
    for i in range(200):
        same(i)
    for i in range(20):
        workspace()
    for i in range(n_distinct):
        distinct(i)
    gc.collect()
    theanogo._lib.go_gc()  # a fair start: what the collector frees anyway is freed
    r0, m0 = settle()
    # Then no Go collection is asked for: what a dropped function held must
    # go when it is dropped.
    for i in range(n):
        same(i)
    r1, m1 = settle()
    for i in range(n_ws):
        workspace()
    r2, m2 = settle()
    for i in range(n_distinct):  # the same distinct graphs again: the cache answers
        distinct(i)
    r3, m3 = settle()
    print(json.dumps({"warm": r0, "same": r1, "workspace": r2, "distinct": r3,
                      "maps": [m0, m1, m2, m3], "handles": theanogo._lib.live_handles()}))
""")


def run_loop(n, n_ws, n_distinct, env=None):
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(n), str(n_ws), str(n_distinct)],
                         capture_output=True, text=True, timeout=600, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_compile_and_drop_stays_flat():
    r = run_loop(10_000, 300, 30)
    print(r)
    warm = r["warm"]
    # 10,000 functions over the same few graphs, compiled (the cache answers),
    # called and dropped.
    assert r["same"] - warm < 10, r
    # 300 functions with an 8 MB workspace each, dropped one after the other:
    # each frees its workspace as it goes (before, they waited for Go's
    # collector, which does not see C memory: tens of them at once).
    assert r["workspace"] - warm < 10, r
    assert r["distinct"] - warm < 10, r
    # No module of a dropped function stays mapped (before, every module
    # loaded stayed: 5 mappings each, up to vm.max_map_count).
    assert r["maps"] == [0, 0, 0, 0], r
    assert r["handles"] <= 1, r
