"""Workload 4a (BENCHMARKS.md): compile time of the MLP training function
(float32), each measurement in a FRESH process (tgbench.child): theanogo's
``theanogo.function(...)`` and pytensor's ``pytensor.function(...)`` call,
JAX's first call of the jitted step (trace + compile + one run). Cold: an
empty cache folder (THEANOGO_CACHE_DIR; pytensor's base_compiledir and
NUMBA_CACHE_DIR; JAX's persistent cache); warm: a second process on the
same folder. Also the optimizer alone on a 10,000-node graph (the Go
benchmark of bench/optimizer_speed.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

from .common import Settings, progress, table

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = ("theanogo", "pytensor (default)", "pytensor (C, cvm)", "jax.jit")
QUICK_PEERS = ("theanogo", "jax.jit")  # pytensor's cold compiles take a minute or more here


def child(task: str, peer: str, env: dict[str, str], *extra: str, timeout: float = 300) -> dict:
    """Run tgbench.child in a fresh interpreter (this one's executable) and
    return its JSON (or {"error": ...})."""
    cmd = [sys.executable, "-m", "tgbench.child", task, peer, *extra]
    try:
        out = subprocess.run(cmd, cwd=BENCH_DIR, env={**os.environ, **env}, capture_output=True, text=True,
                             timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        return {"error": f"exit {out.returncode}: {(out.stderr or out.stdout).strip().splitlines()[-1:]}"}
    return json.loads(lines[-1])


def _cache_env(peer: str, folder: str) -> dict[str, str]:
    if peer == "theanogo":
        return {"THEANOGO_CACHE_DIR": folder}
    if peer == "jax.jit":
        return {"BENCH_JAX_CACHE": folder}
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    return {"PYTENSOR_FLAGS": f"{flags},base_compiledir={folder}".lstrip(","), "NUMBA_CACHE_DIR": folder}


def run(settings: Settings) -> str:
    """The tables, as markdown."""
    rows = []
    for peer in QUICK_PEERS if settings.quick else PEERS:
        progress(f"compile: {peer}")
        with tempfile.TemporaryDirectory(prefix="tgbench-cache-") as folder:
            env = _cache_env(peer, folder)
            cold = child("compile", peer, env, "float32", "60")
            warm = child("compile", peer, env, "float32", "60")
        rows.append([peer, _cell(cold, "compile_s"), _cell(cold, "first_call_s"), _cell(warm, "compile_s"),
                     _cell(warm, "first_call_s"), _cell(warm, "import_s"), cold.get("backend") or warm.get("backend") or ""])
    lines = ["- MLP 784-500-10 training step, float32, batch 60; cold and warm each one fresh process; seconds",
             "- compile = the `function(...)` call (theanogo, pytensor) or JAX's first call (trace + compile + run); "
             "first call = the call after it (PyTensor's Numba mode compiles there)",
             "- theanogo's target: under 0.5 s cold and 20 ms warm", "",
             table(["peer", "cold: compile", "cold: first call", "warm: compile", "warm: first call",
                    "import of the peer", "backend"], rows), ""]
    lines += _optimizer(settings)
    return "\n".join(lines) + "\n"


def _cell(result: dict, key: str) -> str:
    if "error" in result:
        return str(result["error"])
    value = result.get(key)
    return "" if value is None else f"{value:.3f}"


def _optimizer(settings: Settings) -> list[str]:
    """bench/optimizer_speed.py's measurement as a table (go test)."""
    sys.path.insert(0, BENCH_DIR)
    import optimizer_speed

    try:
        rows = optimizer_speed.measure(1 if settings.quick else 3)
    except RuntimeError as exc:
        return [f"- optimizer speed: n/a ({str(exc).strip().splitlines()[-1][:160] if str(exc).strip() else 'go test failed'})"]
    return ["### optimizer alone (go test -bench BenchmarkOptimizer, best of runs; target: 10k nodes under 200 ms)",
            "", table(["graph/what", "nodes", "nodes after", "ms"], [[n, a, b, f"{ms:.2f}"] for n, a, b, ms in rows])]
