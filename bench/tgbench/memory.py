"""Workload 4c (BENCHMARKS.md): memory. The peak resident memory of the MLP
training loop (float32, batch 600, 20 steps), each peer in a fresh process
(tgbench.child memory), against the live arrays (parameters + minibatch).
Growth = peak minus the resident set after the imports and the data."""

from __future__ import annotations

from . import models
from .common import Settings, table
from .compile_time import child


def run(settings: Settings) -> str:
    """The table, as markdown."""
    steps = 5 if settings.quick else 20
    rows = []
    for peer in models.PEERS:
        r = child("memory", peer, {}, "float32", "600", str(steps))
        if "error" in r:
            rows.append([peer, r["error"], "", "", "", ""])
            continue
        growth = (r["peak_kib"] - r["baseline_kib"]) / 1024
        live = r["live_bytes"] / 2**20
        rows.append([peer, f"{r['baseline_kib'] / 1024:.0f}", f"{r['peak_kib'] / 1024:.0f}", f"{growth:.1f}",
                     f"{live:.1f}", f"{growth / live:.2f}x"])
    return "\n".join([f"- MLP 784-500-10, float32, batch 600, {steps} steps; MiB; one fresh process per peer", "",
                      table(["peer", "RSS after imports + data", "peak RSS", "growth", "live arrays",
                             "growth / live"], rows)]) + "\n"
