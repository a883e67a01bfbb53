"""Workload 4b (BENCHMARKS.md): call overhead, ``x + 1`` on 1,000 float64
(and on a 0-d float64, where nearly all of the time is the call path),
microseconds per call, every peer; many calls per repeat, best of several.

Each peer is called directly in the timing loop (``fn(*args)``): numpy and
torch through ``operator.add(a, 1.0)`` (the same C path as ``a + 1.0``),
jax's jitted function with ``block_until_ready``, pytensor's and theanogo's
compiled functions as users call them. The target is theanogo at or below
half of numpy's time.
"""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any, Callable

import numpy as np

from . import peers
from .common import Settings, fmt_ratio, fmt_time, per_call, progress, table

Entry = tuple[str, Callable[..., Any] | None, tuple[Any, ...], str]


def entries(a: np.ndarray) -> list[Entry]:
    """(name, fn, args, note) for each peer on the input ``a``."""
    out: list[Entry] = [("numpy `a + 1.0`", operator.add, (a, 1.0), "")]
    torch = peers.load("torch")
    out.append(("torch `t + 1.0`", operator.add, (torch.from_numpy(a), 1.0), "") if torch
               else ("torch", None, (), peers.NOT_INSTALLED))
    jax = peers.load("jax")
    if jax:
        jf = jax.jit(lambda v: v + 1.0)
        out.append(("jax.jit (+ block_until_ready)", lambda v: jf(v).block_until_ready(), (jax.device_put(a),), ""))
    else:
        out.append(("jax.jit", None, (), peers.NOT_INSTALLED))
    if peers.load("pytensor"):
        import pytensor
        import pytensor.tensor as pt

        for name, mode in peers.pytensor_modes().items():
            x = pt.tensor("x", dtype="float64", shape=(None,) * a.ndim)
            f = pytensor.function([x], x + 1.0, mode=mode)
            out.append((name, f, (a,), ""))
            g = pytensor.function([x], x + 1.0, mode=mode)
            g.trust_input = True
            out.append((f"{name}, trust_input", g, (a,), ""))
    else:
        out.append(("pytensor", None, (), peers.NOT_INSTALLED))
    tg = peers.load("theanogo")
    if tg:
        import theanogo.tensor as T

        x = T.dvector("x") if a.ndim == 1 else T.dscalar("x")
        f = tg.function([x], x + 1.0)
        out.append((f"theanogo ({f.maker.backend})", f, (a,), ""))
        expr, used = peers.theanogo_out(x + 1.0)
        if used:
            g = tg.function([x], expr)
            out.append((f"theanogo Out(borrow=True) ({g.maker.backend})", g, (a,), ""))
        else:
            out.append(("theanogo Out(borrow=True)", None, (), "n/a (theanogo has no Out yet)"))
    else:
        out.append(("theanogo", None, (), peers.NOT_INSTALLED))
    return out


def run(settings: Settings, calls: int | None = None) -> str:
    """The table, as markdown. ``calls`` fixes the calls per repeat
    (bench/call_overhead.py's argument); by default the budget decides."""
    repeats = 7
    budget = (0.5 if settings.quick else 1.5) if calls is None else math.inf
    cases = [("1,000 float64", np.random.default_rng(0).random(1000)), ("0-d float64", np.array(0.5))]
    results: dict[str, dict[str, str]] = {}
    numpy_t: dict[str, float] = {}
    order: list[str] = []
    for label, a in cases:
        progress(f"call overhead: {label}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, fn, args, note in entries(a):
                if name not in order:
                    order.append(name)
                if fn is None:
                    results.setdefault(name, {})[label] = note
                    continue
                try:
                    np.testing.assert_allclose(np.asarray(_to_numpy(fn(*args))), a + 1.0)
                    t = _fixed(fn, args, calls, repeats) if calls else per_call(fn, args, budget=budget, repeats=repeats)
                except Exception as exc:  # noqa: BLE001
                    results.setdefault(name, {})[label] = f"failed: {type(exc).__name__}: {str(exc)[:80]}"
                    continue
                if name.startswith("numpy"):
                    numpy_t[label] = t
                ratio = fmt_ratio(t / numpy_t[label]) if label in numpy_t else ""
                results.setdefault(name, {})[label] = f"{fmt_time(t, 'us')} ({ratio})" if ratio else fmt_time(t, "us")
    header = ["peer"] + [f"x + 1, {label} (µs per call, x numpy)" for label, _ in cases]
    rows = [[name] + [results.get(name, {}).get(label, "") for label, _ in cases] for name in order]
    how = f"{calls:,} calls per repeat" if calls else f"calls per repeat chosen for about {budget / repeats * 1e3:.0f} ms"
    return "\n".join([f"- best of {repeats} repeats, {how}; the target is theanogo <= 0.5x numpy", "",
                      table(header, rows)]) + "\n"


def _to_numpy(value: Any) -> Any:
    return value.numpy() if hasattr(value, "numpy") and not isinstance(value, np.ndarray) else value


def _fixed(fn: Callable[..., Any], args: tuple[Any, ...], calls: int, repeats: int) -> float:
    """Best of ``repeats`` runs of exactly ``calls`` calls, seconds per call."""
    import time

    for _ in range(min(calls, 1000)):
        fn(*args)
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn(*args)
        best = min(best, (time.perf_counter() - start) / calls)
    return best
