"""Workload 4c (BENCHMARKS.md): memory. The peak resident memory of the MLP
training loop (float32, batch 600, 20 steps), each peer in a fresh process
(tgbench.child memory), against the live arrays (parameters + minibatch).
Growth = peak minus the resident set after the imports and the data."""

from __future__ import annotations

from . import models
from .common import Settings, progress, table
from .compile_time import child


def run(settings: Settings) -> str:
    """The table, as markdown."""
    steps = 5 if settings.quick else 20
    rows = []
    for peer in models.peers_for(settings.quick):
        progress(f"memory: {peer}")
        r = child("memory", peer, {}, "float32", "600", str(steps))
        if "error" in r:
            rows.append([peer, r["error"], "", "", "", "", ""])
            continue
        mib = {k: v / 1024 for k, v in r.items() if k.endswith("_kib")}
        growth = mib["peak_loop_kib"] - mib["baseline_kib"]
        live = r["live_bytes"] / 2**20
        rows.append([peer, f"{mib['baseline_kib']:.0f}", f"{mib['peak_build_kib']:.0f}", f"{mib['peak_loop_kib']:.0f}",
                     f"{growth:.1f}", f"{live:.1f}", f"{growth / live:.2f}x"])
    return "\n".join([f"- MLP 784-500-10, float32, batch 600; MiB; one fresh process per peer: RSS after the imports, "
                      f"peak over building the step and its first call (compiling included), peak over the next "
                      f"{steps} steps; growth = loop peak - RSS after imports; live arrays = parameters + minibatch",
                      "", table(["peer", "RSS after imports", "peak, build + first step", "peak, training loop",
                                 "growth", "live arrays", "growth / live"], rows)]) + "\n"
