"""Workload: a 1,000-step scan of a small RNN, h_t = tanh(x_t W + h_{t-1} U + b),
float32, hidden 32 and 128 (input width = hidden), returning every h_t.

Peers, one run: a Python loop over numpy, theanogo.scan (FAST_RUN, and the
Go evaluator for reference), PyTensor's scan compiled with its default mode
and with its C backend, and ``jax.lax.scan`` under ``jax.jit``. Every
peer's result is compared with numpy's before timing ("!" marks a
mismatch beyond float32 tolerance).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable

import numpy as np

from . import peers
from .common import Settings, best_of, fmt_ratio, fmt_time, per_call, progress, table

STEPS = 1000


def _values(hidden: int) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    scale = 1.0 / math.sqrt(hidden)
    return [rng.standard_normal((STEPS, hidden)).astype("float32"),
            np.zeros(hidden, dtype="float32"),
            (scale * rng.standard_normal((hidden, hidden))).astype("float32"),
            (scale * rng.standard_normal((hidden, hidden))).astype("float32"),
            (0.1 * rng.standard_normal(hidden)).astype("float32")]


def _numpy(vals: list[np.ndarray]) -> Callable[[], np.ndarray]:
    x, h0, W, U, b = vals

    def run() -> np.ndarray:
        out = np.empty((x.shape[0], h0.shape[0]), dtype=x.dtype)
        h = h0
        for t in range(x.shape[0]):
            h = np.tanh(x[t] @ W + h @ U + b)
            out[t] = h
        return out
    return run


def _theanogo(vals: list[np.ndarray], mode: str) -> Callable[[], np.ndarray]:
    import theanogo
    import theanogo.tensor as T

    x, h0, W, U = T.fmatrix("x"), T.fvector("h0"), T.fmatrix("W"), T.fmatrix("U")
    b = T.fvector("b")
    hs, _ = theanogo.scan(lambda x_t, h, W, U, b: T.tanh(T.dot(x_t, W) + T.dot(h, U) + b),
                          sequences=x, outputs_info=h0, non_sequences=[W, U, b])
    f = theanogo.function([x, h0, W, U, b], hs, mode=mode)
    return lambda: f(*vals)


def _pytensor(vals: list[np.ndarray], mode: Any) -> Callable[[], np.ndarray]:
    import pytensor
    import pytensor.tensor as pt

    x, h0, W, U = pt.fmatrix("x"), pt.fvector("h0"), pt.fmatrix("W"), pt.fmatrix("U")
    b = pt.fvector("b")
    hs, _ = pytensor.scan(lambda x_t, h, W, U, b: pt.tanh(pt.dot(x_t, W) + pt.dot(h, U) + b),
                          sequences=x, outputs_info=h0, non_sequences=[W, U, b])
    f = pytensor.function([x, h0, W, U, b], hs, mode=mode)
    return lambda: f(*vals)


def _jax(vals: list[np.ndarray]) -> Callable[[], np.ndarray]:
    jax = peers.load("jax")
    import jax.numpy as jnp

    @jax.jit
    def rnn(x, h0, W, U, b):
        def step(h, x_t):
            h = jnp.tanh(x_t @ W + h @ U + b)
            return h, h
        return jax.lax.scan(step, h0, x)[1]
    args = [jnp.asarray(v) for v in vals]
    return lambda: np.asarray(rnn(*args).block_until_ready())


def _peers() -> dict[str, Callable[[list[np.ndarray]], Callable[[], np.ndarray]]]:
    out: dict[str, Callable[[list[np.ndarray]], Callable[[], np.ndarray]]] = {
        "numpy loop": _numpy,
        "theanogo": lambda v: _theanogo(v, "FAST_RUN"),
        "theanogo (evaluator)": lambda v: _theanogo(v, "FAST_COMPILE"),
    }
    if peers.load("pytensor") is not None:
        for name, mode in peers.pytensor_modes().items():
            out[name.replace("pytensor", "pytensor scan")] = lambda v, m=mode: _pytensor(v, m)
    else:
        out["pytensor scan"] = None  # type: ignore[assignment]
    out["jax.lax.scan (jit)"] = _jax if peers.load("jax") is not None else None  # type: ignore[assignment]
    return out


def run(settings: Settings) -> str:
    """The table, as markdown: ms per 1,000-step call."""
    sizes = (32,) if settings.quick else (32, 128)
    names = list(_peers())
    rows, notes = [], set()
    for hidden in sizes:
        vals = _values(hidden)
        want = _numpy(vals)()
        cells, times = {}, {}
        for name, make in _peers().items():
            if make is None:
                cells[name] = peers.NOT_INSTALLED
                continue
            progress(f"scan_rnn hidden {hidden}: {name}")
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fn = make(vals)
                    got = np.asarray(fn())
                    t = per_call(fn, budget=settings.budget * 2, repeats=settings.repeats)
            except Exception as exc:  # noqa: BLE001 - a failing peer is reported, not fatal
                cells[name] = f"failed: {type(exc).__name__}"
                notes.add(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
                continue
            ok = got.shape == want.shape and np.allclose(got, want, rtol=1e-3, atol=1e-4)
            if not ok:
                notes.add(f"{name} hidden {hidden}: result differs from numpy's (marked !)")
            times[name] = t
            cells[name] = fmt_time(t) + ("" if ok else " !")
        ours = times.get("theanogo", math.nan)
        best_name, best = best_of({k: v for k, v in times.items() if not k.startswith("theanogo")})
        rows.append([str(hidden)] + [cells.get(n, "") for n in names]
                    + [f"{fmt_ratio(ours / best)} ({best_name})" if best_name else ""])
    text = [f"- {STEPS} steps, float32, input width = hidden; cells: ms per call (all {STEPS} h_t returned)", "",
            table(["hidden"] + names + ["theanogo / best peer"], rows)]
    if notes:
        text += [""] + [f"- {n}" for n in sorted(notes)]
    return "\n".join(text) + "\n"
