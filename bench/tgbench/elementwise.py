"""Workload 1 (BENCHMARKS.md): element-wise expressions, every peer, fresh
output and reused output, float64 and float32, N from 1e3 to 1e7.

A formula is a Python expression in ``a`` and ``b``; each peer evaluates the
same text (numpy, torch and jax on arrays, pytensor and theanogo on symbolic
variables, numexpr on the string). Reused output: theanogo and pytensor
``Out(expr, borrow=True)``; numexpr ``out=``; numpy and torch a sequence of
ufunc calls with ``out=`` into the output and one preallocated temporary;
JAX and torch.compile have no output argument (n/a). Every result is checked
against numpy once per size (a mismatch is marked "!").
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable

import numpy as np

from . import peers
from .common import Settings, best_of, fmt_ratio, fmt_time, per_call, progress, table
from .floors import Bandwidth

FORMULAS: dict[str, tuple[str, ...]] = {
    "a+1": ("a",),
    "2*a + 3*b": ("a", "b"),
    "a**2 + b**2 + 2*a*b": ("a", "b"),
    "2*a + b**10": ("a", "b"),
}


def _numpy_out(xp: Any, formula: str) -> Callable[..., Any]:
    """The formula as ufunc calls writing into ``o`` with one temporary
    ``t`` (numpy or torch: both spell ``out=`` the same way)."""
    mul, add, power = xp.multiply, xp.add, (xp.power if hasattr(xp, "power") else xp.pow)

    def f1(a, b, o, t):
        return add(a, 1, out=o)

    def f2(a, b, o, t):
        mul(a, 2, out=o)
        mul(b, 3, out=t)
        return add(o, t, out=o)

    def f3(a, b, o, t):
        mul(a, a, out=o)
        mul(b, b, out=t)
        add(o, t, out=o)
        mul(a, b, out=t)
        mul(t, 2, out=t)
        return add(o, t, out=o)

    def f4(a, b, o, t):
        power(b, 10, out=o)
        mul(a, 2, out=t)
        return add(o, t, out=o)

    return dict(zip(FORMULAS, (f1, f2, f3, f4)))[formula]


class Peer:
    """One column: builds, per formula and dtype, a callable over the
    numpy inputs (``prepare`` converts them once, outside the timing)."""

    def __init__(self, name: str, reuse: bool) -> None:
        self.name = name
        self.reuse = reuse
        self.note = ""

    def available(self) -> str | None:
        """None when the peer can run, else the cell text."""
        return None

    def build(self, formula: str, dtype: str) -> Callable[..., Any] | None:
        raise NotImplementedError

    def prepare(self, arrays: list[np.ndarray], n: int, dtype: str) -> list[Any]:
        return arrays

    def to_numpy(self, result: Any) -> np.ndarray:
        return np.asarray(result)


class NumpyPeer(Peer):
    def build(self, formula, dtype):
        names = FORMULAS[formula]
        if not self.reuse:
            return eval(f"lambda {', '.join(names)}: {formula}")  # noqa: S307 - our own formula text
        return _numpy_out(np, formula)

    def prepare(self, arrays, n, dtype):
        if not self.reuse:
            return arrays
        a, b = arrays + [arrays[0]] * (2 - len(arrays))
        return [a, b, np.empty(n, dtype), np.empty(n, dtype)]


class NumexprPeer(Peer):
    def available(self):
        return None if peers.load("numexpr") else peers.NOT_INSTALLED

    def build(self, formula, dtype):
        ne = peers.load("numexpr")
        names = FORMULAS[formula]
        if self.reuse:
            return lambda *args: ne.evaluate(formula, local_dict=dict(zip(names, args)), out=args[-1])
        return lambda *args: ne.evaluate(formula, local_dict=dict(zip(names, args)))

    def prepare(self, arrays, n, dtype):
        return arrays + [np.empty(n, dtype)] if self.reuse else arrays


class TorchPeer(Peer):
    def __init__(self, name: str, reuse: bool, compiled: bool = False) -> None:
        super().__init__(name, reuse)
        self.compiled = compiled

    def available(self):
        if peers.load("torch") is None:
            return peers.NOT_INSTALLED
        if self.compiled and self.reuse:
            return "n/a (no out=)"
        return None

    def build(self, formula, dtype):
        torch = peers.load("torch")
        names = FORMULAS[formula]
        if self.reuse:
            f = _numpy_out(torch, formula)
            return lambda a, b, o, t: f(a, b, o, t)
        fn = eval(f"lambda {', '.join(names)}: {formula}")  # noqa: S307
        if self.compiled:
            fn = torch.compile(fn, dynamic=True)
        return fn

    def prepare(self, arrays, n, dtype):
        torch = peers.load("torch")
        tensors = [torch.from_numpy(x) for x in arrays]
        if self.reuse:
            a, b = tensors + [tensors[0]] * (2 - len(tensors))
            return [a, b, torch.empty(n, dtype=a.dtype), torch.empty(n, dtype=a.dtype)]
        return tensors

    def to_numpy(self, result):
        return result.detach().numpy()


class JaxPeer(Peer):
    def available(self):
        if peers.load("jax") is None:
            return peers.NOT_INSTALLED
        return "n/a (no out=)" if self.reuse else None

    def build(self, formula, dtype):
        jax = peers.load("jax")
        fn = jax.jit(eval(f"lambda {', '.join(FORMULAS[formula])}: {formula}"))  # noqa: S307
        return lambda *args: fn(*args).block_until_ready()

    def prepare(self, arrays, n, dtype):
        jax = peers.load("jax")
        return [jax.device_put(x) for x in arrays]


class PytensorPeer(Peer):
    def __init__(self, name: str, reuse: bool, mode: Any) -> None:
        super().__init__(name, reuse)
        self.mode = mode

    def available(self):
        return None if self.mode is not None else peers.NOT_INSTALLED

    def build(self, formula, dtype):
        pytensor = peers.load("pytensor")
        import pytensor.tensor as pt

        names = FORMULAS[formula]
        variables = [pt.vector(name, dtype=dtype) for name in names]
        expr = eval(f"lambda {', '.join(names)}: {formula}")(*variables)  # noqa: S307
        out = pytensor.Out(expr, borrow=True) if self.reuse else expr
        return pytensor.function(variables, out, mode=self.mode)


class TheanogoPeer(Peer):
    def available(self):
        return None if peers.load("theanogo") else peers.NOT_INSTALLED

    def build(self, formula, dtype):
        theanogo = peers.load("theanogo")
        import theanogo.tensor as T

        names = FORMULAS[formula]
        make = {"float64": T.dvector, "float32": T.fvector}[dtype]
        variables = [make(name) for name in names]
        expr = eval(f"lambda {', '.join(names)}: {formula}")(*variables)  # noqa: S307
        out, used = peers.theanogo_out(expr) if self.reuse else (expr, False)
        if self.reuse and not used:
            self.note = "theanogo has no Out yet: its 'reused output' cells are a plain (fresh) output"
        f = theanogo.function(variables, out)
        self.backend = f.maker.backend
        return f


def make_peers(reuse: bool, quick: bool) -> list[Peer]:
    """The columns, in table order."""
    cols: list[Peer] = [NumpyPeer("numpy", reuse), NumexprPeer("numexpr", reuse), TorchPeer("torch", reuse)]
    if not quick:
        cols.append(TorchPeer("torch.compile", reuse, compiled=True))
    cols.append(JaxPeer("jax.jit", reuse))
    cols += [PytensorPeer(name, reuse, mode) for name, mode in peers.pytensor_modes().items()]
    cols.append(TheanogoPeer("theanogo", reuse))
    return cols


def floor_seconds(formula: str, n: int, dtype: str, bw: Bandwidth) -> float:
    """Bytes an ideal kernel moves (inputs once, output once) over the copy bandwidth."""
    return (len(FORMULAS[formula]) + 1) * n * np.dtype(dtype).itemsize / bw.best


def run(settings: Settings, bw: Bandwidth) -> str:
    """All the tables, as markdown."""
    sizes = [10**4, 10**6] if settings.quick else [10**3, 10**4, 10**5, 10**6, 10**7]
    dtypes = ["float64"] if settings.quick else ["float64", "float32"]
    rng = np.random.default_rng(0)
    base = {n: (rng.random(n), rng.random(n)) for n in sizes}
    sections = [f"- {bw.describe()}",
                "- floor = (inputs + 1 output) x N x itemsize / bandwidth; ratios are theanogo's time over the "
                "floor and over the fastest peer in the same row (named)",
                "- below about N=1e5 the arrays fit in the caches, where the DRAM floor is no bound (ratios under "
                "1x are possible); the floor matters from N=1e6", ""]
    for dtype in dtypes:
        for reuse in (False, True):
            sections.append(_one_table(settings, bw, dtype, reuse, sizes, base))
    return "\n".join(sections)


def _one_table(settings: Settings, bw: Bandwidth, dtype: str, reuse: bool, sizes: list[int],
               base: dict[int, tuple[np.ndarray, np.ndarray]]) -> str:
    cols = make_peers(reuse, settings.quick)
    cells: dict[tuple[int, str], dict[str, str]] = {}
    times: dict[tuple[int, str], dict[str, float]] = {}
    notes: set[str] = set()
    for col in cols:
        progress(f"elementwise {dtype} {'reused' if reuse else 'fresh'}: {col.name}")
        missing = col.available()
        for formula in FORMULAS:
            fn, err = None, missing
            if missing is None:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        fn = col.build(formula, dtype)
                except Exception as exc:  # noqa: BLE001 - a peer that fails is reported, not fatal
                    err = f"failed: {type(exc).__name__}"
                    notes.add(f"{col.name} {formula}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
            for n in sizes:
                key = (n, formula)
                cells.setdefault(key, {})
                times.setdefault(key, {})
                if fn is None:
                    cells[key][col.name] = err or ""
                    continue
                arrays = [x.astype(dtype) for x in base[n][: len(FORMULAS[formula])]]
                try:
                    args = col.prepare(arrays, n, dtype)
                    ok = _check(col, fn, args, arrays, formula, dtype)
                    t = per_call(fn, args, budget=settings.budget, repeats=settings.repeats)
                except Exception as exc:  # noqa: BLE001
                    cells[key][col.name] = f"failed: {type(exc).__name__}"
                    notes.add(f"{col.name} {formula} N={n}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
                    continue
                times[key][col.name] = t
                cells[key][col.name] = fmt_time(t) + ("" if ok else " !")
                if not ok:
                    notes.add(f"{col.name} {formula}: result differs from numpy (marked !)")
        if col.note:
            notes.add(col.note)
    names = [c.name for c in cols]
    header = ["N", "formula", "floor"] + names + ["theanogo / floor", "theanogo / best peer"]
    rows = []
    for n in sizes:
        for formula in FORMULAS:
            key = (n, formula)
            floor = floor_seconds(formula, n, dtype, bw)
            ours = times[key].get("theanogo", math.nan)
            peer, best = best_of({k: v for k, v in times[key].items() if k != "theanogo"})
            rows.append([f"1e{round(math.log10(n))}", f"`{formula}`", fmt_time(floor)]
                        + [cells[key].get(name, "") for name in names]
                        + [fmt_ratio(ours / floor), f"{fmt_ratio(ours / best)} ({peer})" if peer else ""])
    title = f"### {dtype}, {'reused output' if reuse else 'fresh output each call'} (ms per call)"
    text = [title, "", table(header, rows)]
    if notes:
        text += [""] + [f"- {note}" for note in sorted(notes)]
    return "\n".join(text) + "\n"


def _check(col: Peer, fn: Callable[..., Any], args: list[Any], arrays: list[np.ndarray], formula: str,
           dtype: str) -> bool:
    """Whether ``fn(*args)`` equals numpy's float64 result (to the dtype's precision)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = col.to_numpy(fn(*args))
    want = eval(f"lambda {', '.join(FORMULAS[formula])}: {formula}")(*(x.astype("float64") for x in arrays))  # noqa: S307
    rtol = 1e-4 if dtype == "float32" else 1e-9
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=rtol))
