"""Workload (issue 13): the variance of a 1000x1000 float64 matrix (1e6
elements) along each axis, ``x.var(axis=a)`` (ddof 0), against every peer
that compiles or dispatches one. theanogo builds var as a composition
(mean, subtract, square, mean: core/ops/stats.go), so its time shows what
fusion makes of two passes over x.

Each peer's result is compared with numpy's before timing; a relative
difference above 1e-10 is marked "!".
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from . import peers
from .common import Settings, best_of, fmt_ratio, fmt_time, progress, table, try_peer, value_and_time

N = 1000
AXES = [1, 0]
PEERS = ("numpy", "torch", "jax.jit", "pytensor (C, cvm)", "theanogo")


def _numpy(x: np.ndarray, axis: int) -> Callable[[], Any]:
    return lambda: x.var(axis=axis)


def _torch(x: np.ndarray, axis: int) -> Callable[[], Any]:
    torch = peers.load("torch")
    if torch is None:
        raise LookupError(peers.NOT_INSTALLED)
    xt = torch.from_numpy(x)
    return lambda: torch.var(xt, dim=axis, correction=0).numpy()


def _jax(x: np.ndarray, axis: int) -> Callable[[], Any]:
    jax = peers.load("jax")
    if jax is None:
        raise LookupError(peers.NOT_INSTALLED)
    f = jax.jit(lambda v: v.var(axis=axis))
    xj = jax.device_put(x)
    return lambda: np.asarray(f(xj).block_until_ready())


def _symbolic(lib: str, x: np.ndarray, axis: int) -> Callable[[], Any]:
    module = peers.load(lib)
    if module is None:
        raise LookupError(peers.NOT_INSTALLED)
    kwargs: dict[str, Any] = {}
    if lib == "theanogo":
        import theanogo.tensor as T
    else:
        import pytensor.tensor as T
        from pytensor.compile.mode import Mode
        kwargs["mode"] = Mode(linker="cvm", optimizer="fast_run")
    v = T.matrix("x", dtype=str(x.dtype))
    f = module.function([v], T.var(v, axis=axis), **kwargs)
    return lambda: f(x)


MAKERS: dict[str, Callable[[np.ndarray, int], Callable[[], Any]]] = {
    "numpy": _numpy, "torch": _torch, "jax.jit": _jax,
    "pytensor (C, cvm)": lambda x, a: _symbolic("pytensor", x, a),
    "theanogo": lambda x, a: _symbolic("theanogo", x, a),
}


def run(settings: Settings) -> str:
    """The table, as markdown: µs per call."""
    rows, notes = [], set()
    x = np.random.default_rng(0).standard_normal((N, N))
    for axis in AXES[:1] if settings.quick else AXES:
        label = f"x.var(axis={axis})"
        want = x.var(axis=axis)
        cells, times = {}, {}
        for peer in PEERS:
            progress(f"variance {label}: {peer}")
            measured = try_peer(peer, lambda: value_and_time(MAKERS[peer](x, axis), settings), cells, notes)
            if measured is None:
                continue
            got, t = np.asarray(measured[0], dtype="float64"), measured[1]
            ok = got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-10, atol=0))
            if not ok:
                notes.add(f"{peer} {label}: differs from numpy by more than 1e-10 relative (marked !)")
            times[peer] = t
            cells[peer] = fmt_time(t, "us") + ("" if ok else " !")
        ours = times.get("theanogo", math.nan)
        name, best = best_of({k: v for k, v in times.items() if k != "theanogo"})
        rows.append([label] + [cells.get(p, "") for p in PEERS]
                    + [fmt_ratio(ours / times.get("numpy", math.nan)), f"{fmt_ratio(ours / best)} ({name})" if name else ""])
    header = ["var", *PEERS, "theanogo / numpy", "theanogo / best peer"]
    text = [f"- x: {N}x{N} float64 standard normal; cells: µs per call (the result returned as a numpy array)",
            "", table(header, rows)]
    if notes:
        text += [""] + [f"- {n}" for n in sorted(notes)]
    return "\n".join(text) + "\n"
