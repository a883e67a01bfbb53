"""Workload (issue 12): sums of a 1000x1000 matrix, the fold policy's figure.
float64 ``x.sum()`` against numpy (numpy folds pairwise; theanogo's compiled
float sums fold pairwise, blocked and in parallel pieces, in double), and
the sums along each axis and a float32 ``x.sum()`` beside it; every peer
that compiles or dispatches a sum.

Each peer's result is compared with numpy's before timing: a difference
beyond the fold tolerance, max(n·eps, ReduceTolerance(dtype, n))·Σ|x|
(core/ops/tolerance.go: any order, in double or in the dtype), is marked
"!". The last column is theanogo's largest difference from numpy relative
to Σ|x|.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from . import peers
from .common import Settings, best_of, fmt_ratio, fmt_time, progress, table, try_peer, value_and_time

N = 1000
# (label, dtype, axis)
CASES = [("x.sum()", "float64", None), ("x.sum(axis=0)", "float64", 0), ("x.sum(axis=1)", "float64", 1),
         ("x.sum()", "float32", None)]
QUICK_CASES = CASES[:2]
PEERS = ("numpy", "torch", "jax.jit", "pytensor (C, cvm)", "theanogo")


def _numpy(x: np.ndarray, axis: int | None) -> Callable[[], Any]:
    return lambda: x.sum(axis=axis)


def _torch(x: np.ndarray, axis: int | None) -> Callable[[], Any]:
    torch = peers.load("torch")
    if torch is None:
        raise LookupError(peers.NOT_INSTALLED)
    xt = torch.from_numpy(x)
    if axis is None:
        return lambda: xt.sum().numpy()
    return lambda: xt.sum(dim=axis).numpy()


def _jax(x: np.ndarray, axis: int | None) -> Callable[[], Any]:
    jax = peers.load("jax")
    if jax is None:
        raise LookupError(peers.NOT_INSTALLED)
    f = jax.jit(lambda v: v.sum(axis=axis))
    xj = jax.device_put(x)
    return lambda: np.asarray(f(xj).block_until_ready())


def _symbolic(lib: str, x: np.ndarray, axis: int | None) -> Callable[[], Any]:
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
    f = module.function([v], v.sum(axis=axis), **kwargs)
    return lambda: f(x)


MAKERS: dict[str, Callable[[np.ndarray, int | None], Callable[[], Any]]] = {
    "numpy": _numpy, "torch": _torch, "jax.jit": _jax,
    "pytensor (C, cvm)": lambda x, a: _symbolic("pytensor", x, a),
    "theanogo": lambda x, a: _symbolic("theanogo", x, a),
}


def _tolerance(dtype: str, n: int) -> float:
    """max(n·eps, ReduceTolerance(dtype, n)): how far two correct folds of n
    elements may differ, relative to Σ|x| (theanogo's own formula when it
    is installed)."""
    eps = float(np.finfo(dtype).eps)
    tg = peers.load("theanogo")
    reduce_tol = 2 * (n - 1) * 2.0 ** -53 + eps
    if tg is not None:
        try:
            from theanogo import _lib
            reduce_tol = _lib.reduce_tolerance(dtype, n)
        except Exception:  # noqa: BLE001 - an older theanogo: the formula above
            pass
    return max(n * eps, reduce_tol)


def run(settings: Settings) -> str:
    """The table, as markdown: µs per call."""
    rows, notes = [], set()
    for label, dtype, axis in QUICK_CASES if settings.quick else CASES:
        x = np.random.default_rng(0).standard_normal((N, N)).astype(dtype)
        want = x.sum(axis=axis, dtype="float64")
        n = N * N if axis is None else N
        scale = np.abs(x.astype("float64")).sum(axis=axis)
        tol = _tolerance(dtype, n)
        cells, times, worst = {}, {}, math.nan
        for peer in PEERS:
            progress(f"reduction {label} {dtype}: {peer}")
            measured = try_peer(peer, lambda: value_and_time(MAKERS[peer](x, axis), settings), cells, notes)
            if measured is None:
                continue
            got, t = np.asarray(measured[0], dtype="float64"), measured[1]
            rel = float(np.max(np.abs(got - want) / scale))
            ok = got.shape == want.shape and rel <= tol
            if not ok:
                notes.add(f"{peer} {label} {dtype}: differs from the exact-order float64 sum by {rel:.2g}·Σ|x| "
                          f"(tolerance {tol:.2g}; marked !)")
            if peer == "theanogo":
                worst = rel
            times[peer] = t
            cells[peer] = fmt_time(t, "us") + ("" if ok else " !")
        ours = times.get("theanogo", math.nan)
        name, best = best_of({k: v for k, v in times.items() if k != "theanogo"})
        rows.append([label, dtype] + [cells.get(p, "") for p in PEERS]
                    + [fmt_ratio(ours / times.get("numpy", math.nan)), f"{fmt_ratio(ours / best)} ({name})" if name else "",
                       "" if math.isnan(worst) else f"{worst:.2g}"])
    header = ["sum", "dtype"] + list(PEERS) + ["theanogo / numpy", "theanogo / best peer", "theanogo error (of Σ abs x)"]
    text = [f"- x: {N}x{N} standard normal; cells: µs per call (the result returned as a numpy array or scalar)",
            "- error: |result - the float64 sum| / Σ|x| per output, the largest; the tolerance is "
            "max(n·eps, ReduceTolerance(dtype, n))", "", table(header, rows)]
    if notes:
        text += [""] + [f"- {n}" for n in sorted(notes)]
    return "\n".join(text) + "\n"
