"""What every workload shares: the timer, the machine description and the
markdown table.

Timing method (printed in every result header): ``time.perf_counter``; one
warm-up call (it also compiles, for the peers that compile on first call),
then a calibration call; the number of calls ``n`` per repeat is chosen so
that a repeat takes about ``budget / repeats`` seconds (at least one call);
the result is the best (lowest) of ``repeats`` repeats, divided by ``n``.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import os
import platform
import sys
import time
import warnings
from typing import Callable, Sequence, TypeVar

TIMING_METHOD = ("time.perf_counter; one warm-up call, then the best of k repeats of n calls each "
                 "(n chosen so that a repeat takes about budget/k seconds, at least 1 call; "
                 "k=3 when one call alone exceeds budget/k); time per call = best repeat / n")


@dataclasses.dataclass(frozen=True)
class Settings:
    """How hard to measure: ``budget`` seconds per measurement, split over
    ``repeats`` repeats. ``quick`` also trims the workloads' sizes."""

    quick: bool
    budget: float
    repeats: int

    @staticmethod
    def make(quick: bool) -> "Settings":
        return Settings(quick=True, budget=0.05, repeats=3) if quick else Settings(quick=False, budget=0.15, repeats=5)


def per_call(fn: Callable[..., object], args: Sequence[object] = (), *, budget: float, repeats: int) -> float:
    """Seconds per call of ``fn(*args)``: warm-up, calibration, best of
    ``repeats`` repeats of ``n`` calls (see the module docstring)."""
    fn(*args)  # warm-up (and compile)
    start = time.perf_counter()
    fn(*args)
    one = max(time.perf_counter() - start, 1e-9)
    calls = max(1, int(budget / repeats / one))
    if one * repeats > budget:  # slow calls: fewer repeats of one call each
        repeats = min(repeats, 3)
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn(*args)
        best = min(best, (time.perf_counter() - start) / calls)
    return best


_START = time.perf_counter()


def progress(message: str) -> None:
    """One line on stderr with the seconds since the run started (the
    tables go to stdout and the result files)."""
    print(f"[{time.perf_counter() - _START:6.1f} s] {message}", file=sys.stderr, flush=True)


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or platform's guess)."""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> float:
    """Total memory in GiB from /proc/meminfo (nan when unknown)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return math.nan


def machine_lines() -> list[str]:
    """Markdown bullet lines describing the machine and the moment."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (math.nan,) * 3
    return [
        f"- machine: {cpu_model()}, {os.cpu_count()} logical CPUs, {memory_gib():.1f} GiB memory; "
        f"{platform.platform()}",
        f"- python {platform.python_version()}; run {datetime.datetime.now().isoformat(timespec='seconds')}; "
        f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
    ]


def fmt_time(seconds: float | None, unit: str = "ms") -> str:
    """A time in ``unit`` (ms or us) with 3 significant digits; '' for None/nan."""
    if seconds is None or math.isnan(seconds):
        return ""
    value = seconds * (1e3 if unit == "ms" else 1e6)
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def fmt_ratio(r: float | None) -> str:
    """A ratio like 1.23x; '' when missing."""
    if r is None or math.isnan(r) or math.isinf(r):
        return ""
    return f"{r:.2f}x" if r < 10 else f"{r:.1f}x"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def best_of(values: dict[str, float | None]) -> tuple[str, float] | tuple[None, float]:
    """The (name, value) with the lowest finite value, or (None, nan)."""
    finite = {k: v for k, v in values.items() if v is not None and not math.isnan(v)}
    if not finite:
        return None, math.nan
    name = min(finite, key=finite.__getitem__)
    return name, finite[name]


T = TypeVar("T")


def try_peer(peer: str, measure: Callable[[], T], cells: dict[str, str], notes: set[str]) -> T | None:
    """measure() for one peer, warnings silenced; None when the peer is not
    installed (cells says so) or fails (cells says "failed", notes why): a
    failing peer is reported, never fatal to the run."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return measure()
    except LookupError as exc:
        cells[peer] = str(exc)
    except Exception as exc:  # noqa: BLE001 - a failing peer is reported, not fatal
        cells[peer] = f"failed: {type(exc).__name__}"
        notes.add(f"{peer}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
    return None


def value_and_time(fn: Callable[[], T], settings: Settings) -> tuple[T, float]:
    """fn's result and its time per call (settings' budget and repeats)."""
    return fn(), per_call(fn, budget=settings.budget, repeats=settings.repeats)
