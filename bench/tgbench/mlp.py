"""Workload 2 (BENCHMARKS.md): one MLP training step, every peer, batch 1,
60 and 600, float32 and float64; ms per step and examples per second, next
to the gemm floor measured in the same run (floors.mlp_gemm_floor).

Before timing, every peer's first step (the loss at the same initial
parameters and minibatch) is compared with numpy's; a mismatch is marked "!".
"""

from __future__ import annotations

import math

from . import models
from .common import Settings, best_of, fmt_ratio, fmt_time, per_call, progress, table, try_peer
from .floors import mlp_gemm_floor



def _step(model: models.Model, settings: Settings) -> tuple[models.Model, float, float]:
    """The model, its loss after one step, and its time per step."""
    return model, model.step(), per_call(model.step, budget=settings.budget * 2, repeats=settings.repeats)

def run(settings: Settings) -> str:
    """The tables, as markdown."""
    dtypes = ["float32"] if settings.quick else ["float32", "float64"]
    sections = ["- gemm floor: the five matmuls of a step (x@W1, h@W2, gz@W2.T, h.T@gz, x.T@gh) with numpy "
                "at the step's batch and dtype, best of 15; GFLOP/s in parentheses (about 1.6 MFLOP per example)",
                "- cells: ms per step (examples per second); ratios are theanogo's time over the floor and over "
                "the fastest peer in the row", "- theanogo and pytensor compile one function per dtype (their "
                "functions do not depend on the batch size) and reset the parameters before each batch", ""]
    for dtype in dtypes:
        sections.append(step_table(settings, dtype, (60,) if settings.quick else (1, 60, 600)))
    return "\n".join(sections)


def step_table(settings: Settings, dtype: str, batches: tuple[int, ...], penalty: bool = False) -> str:
    """One dtype's table: a row per batch, a column per peer, the floor and
    theanogo's ratios (models.build's step, with mlp.py's penalties when
    ``penalty``)."""
    rows, notes = [], set()
    what = "mlp_penalty" if penalty else "mlp"
    for batch in batches:
        floor, gflops = mlp_gemm_floor(batch, dtype)
        times: dict[str, float] = {}
        cells: dict[str, str] = {}
        reference = math.nan
        for peer in models.peers_for(settings.quick):
            progress(f"{what} {dtype} batch {batch}: {peer}")
            measured = try_peer(peer, lambda: _step(models.build(peer, dtype, batch, penalty), settings), cells, notes)
            if measured is None:
                continue
            model, loss, t = measured
            if peer == "numpy":
                reference = loss
            ok = math.isnan(reference) or abs(loss - reference) <= 1e-4 * max(1.0, abs(reference))
            if not ok:
                notes.add(f"{peer} batch {batch}: first loss {loss:.6g}, numpy's {reference:.6g} (marked !)")
            if peer == "theanogo" and model.backend:
                notes.add(f"theanogo backend: {model.backend}")
            times[peer] = t
            cells[peer] = f"{fmt_time(t)} ({batch / t / 1e3:.1f}k/s)" + ("" if ok else " !")
        ours = times.get("theanogo", math.nan)
        name, best = best_of({k: v for k, v in times.items() if k != "theanogo"})
        rows.append([str(batch), f"{fmt_time(floor)} ({gflops:.0f} GFLOP/s)"] + [cells.get(p, "") for p in models.peers_for(settings.quick)]
                    + [fmt_ratio(ours / floor), f"{fmt_ratio(ours / best)} ({name})" if name else ""])
    header = ["batch", "gemm floor"] + list(models.peers_for(settings.quick)) + ["theanogo / floor", "theanogo / best peer"]
    text = [f"### {dtype} (ms per step)", "", table(header, rows)]
    if notes:
        text += [""] + [f"- {n}" for n in sorted(notes)]
    return "\n".join(text) + "\n"
