"""Call overhead of a compiled function against numpy, in one run.

    .venv/bin/python bench/call_overhead.py [calls]

f = theanogo.function([x], x + 1.0) on 1,000 float64, called N times, next to
numpy's x + 1.0 on the same array; also a 0-d call (x + 1.0 on a scalar),
where nearly all of the time is the call path itself. Best of several
repeats, microseconds per call. The table goes to
bench/results/call_overhead.txt with the machine and the versions.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from typing import Callable

import numpy as np

import theanogo
import theanogo.tensor as T

REPEATS = 7


def per_call_us(fn: Callable[[], object], calls: int) -> float:
    """Best of REPEATS runs of `calls` calls, in microseconds per call."""
    for _ in range(min(calls, 1000)):  # warm-up
        fn()
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, time.perf_counter() - start)
    return best / calls * 1e6


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    x = T.dvector("x")
    f = theanogo.function([x], x + 1.0)
    a = np.random.default_rng(0).random(1000)
    s = T.dscalar("s")
    g = theanogo.function([s], s + 1.0)
    b = np.array(0.5)
    np.testing.assert_array_equal(f(a), a + 1.0)
    rows = [
        ("x + 1.0, 1,000 float64", per_call_us(lambda: f(a), calls), per_call_us(lambda: a + 1.0, calls)),
        ("x + 1.0, 0-d float64", per_call_us(lambda: g(b), calls), per_call_us(lambda: b + 1.0, calls)),
    ]
    backend = f.maker.backend
    lines = [
        "Call overhead: theanogo function vs numpy, microseconds per call (best of "
        f"{REPEATS} x {calls:,} calls; each includes the Python loop and a lambda call)",
        "",
        f"{'workload':<26}{'theanogo (' + backend + ')':>24}{'numpy':>10}{'ratio':>8}",
    ]
    for name, ours, theirs in rows:
        lines.append(f"{name:<26}{ours:>24.2f}{theirs:>10.2f}{ours / theirs:>8.1f}")
    lines += [
        "",
        f"machine: {' '.join(os.uname())}",
        f"cpu: {cpu_model()} ({os.cpu_count()} logical CPUs)",
        f"python {platform.python_version()}, numpy {np.__version__}, theanogo {theanogo.__version__}, "
        f"mode {f.maker.mode}",
    ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "call_overhead.txt")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
