"""The peers, imported only if installed: a missing one gives None and its
cells read "n/a (not installed)". Also the version lines of the header and
what theanogo's FAST_RUN runs on (its backend), probed once.

JAX is switched to 64-bit mode (``jax_enable_x64``) on import so that its
float64 rows really are float64; float32 arrays stay float32.
"""

from __future__ import annotations

import functools
import importlib
import os
import types
from typing import Any

import numpy as np

NOT_INSTALLED = "n/a (not installed)"


@functools.lru_cache(maxsize=None)
def load(name: str) -> types.ModuleType | None:
    """Import a peer's module by name, or None when it is not installed or
    fails to import (then the reason is kept in ``failures``)."""
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - any other import failure: installed but broken
        failures[name] = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        return None
    if name == "jax":
        module.config.update("jax_enable_x64", True)
    if name == "torch":
        try:
            import torch._dynamo  # noqa: F401  (makes torch.compile's errors catchable later)
        except Exception:  # noqa: BLE001
            pass
    return module


failures: dict[str, str] = {}


def theanogo_backend() -> str:
    """The backend FAST_RUN compiles to now ('evaluator' until the C++
    backend is merged), from ``f.maker.backend`` of a probe function."""
    tg = load("theanogo")
    if tg is None:
        return NOT_INSTALLED
    import theanogo.tensor as T

    x = T.dvector("x")
    f = tg.function([x], x + 1.0)
    return str(getattr(f.maker, "backend", "unknown"))


def theanogo_out(expr: Any) -> tuple[Any, bool]:
    """``theanogo.Out(expr, borrow=True)`` when theanogo has ``Out`` (the
    C++ backend's reusable output), else ``expr`` itself; and whether Out
    was used."""
    tg = load("theanogo")
    if tg is not None and hasattr(tg, "Out"):
        return tg.Out(expr, borrow=True), True
    return expr, False


def pytensor_modes() -> dict[str, Any]:
    """PyTensor's modes we run: its default (Numba in PyTensor 3) and the C
    backend (the VM linker over C thunks, Theano's FAST_RUN). Keys are the
    column names."""
    pt = load("pytensor")
    if pt is None:
        return {"pytensor": None}
    from pytensor.compile.mode import Mode, get_default_mode

    default = get_default_mode()
    name = type(default.linker).__name__.replace("Linker", "").lower() or "default"
    return {f"pytensor ({name}, default)": default, "pytensor (C, cvm)": Mode(linker="cvm", optimizer="fast_run")}


def version_lines() -> list[str]:
    """One markdown bullet with every peer's version (or why it is missing),
    thread settings, and theanogo's backend."""
    parts = [f"numpy {np.__version__}"]
    for name in ("numexpr", "torch", "jax", "jaxlib", "pytensor", "numba", "theanogo"):
        module = load(name)
        parts.append(f"{name} {getattr(module, '__version__', '?')}" if module else f"{name} {NOT_INSTALLED}")
    lines = ["- versions: " + ", ".join(parts)]
    threads = []
    ne = load("numexpr")
    if ne is not None:
        threads.append(f"numexpr {ne.get_num_threads()}")
    torch = load("torch")
    if torch is not None:
        threads.append(f"torch {torch.get_num_threads()}")
    blas = _numpy_blas()
    lines.append(f"- threads (each peer's default): {', '.join(threads) or 'n/a'}; numpy BLAS: {blas}; "
                 f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    lines.append(f"- theanogo FAST_RUN backend: {theanogo_backend()}; theanogo.Out: "
                 f"{'present' if load('theanogo') is not None and hasattr(load('theanogo'), 'Out') else 'absent'}")
    if load("pytensor") is not None:
        lines.append("- pytensor columns: " + ", ".join(pytensor_modes()))
    if failures:
        lines.append("- import failures: " + "; ".join(f"{k}: {v}" for k, v in failures.items()))
    return lines


def _numpy_blas() -> str:
    """numpy's BLAS library name and thread count, as far as numpy tells."""
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001
        return "unknown"
