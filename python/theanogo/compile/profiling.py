"""Per-node times of a compiled function: ``function(..., profile=True)``.

With ``profile=True`` (or ``config.profile``) the generated C++ counts, for
every node of the optimized graph, the time spent in it and how often it
ran; ``f.profile`` reads the counters (``nodes()``) and ``f.profile.summary()``
prints them, the slowest node first, with the line of the user's program
that built each node. ``theanogo.printing.debugprint(f, print_profile=True)``
puts the times on the graph. A function that runs on the Go evaluator has
no per-node counters; its profile says so.

>>> import io, numpy as np, theanogo, theanogo.tensor as T
>>> x = T.dvector("x")
>>> f = theanogo.function([x], T.exp(x).sum(), profile=True)
>>> _ = f(np.ones(10))
>>> out = io.StringIO()
>>> f.profile.summary(file=out)
>>> out.getvalue().startswith("Function profile")
True
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from .. import _lib

__all__ = ["ProfileStats"]


class ProfileStats:
    """A compiled function's per-node times, as Theano's ProfileStats.

    ``nodes()`` gives one dict per node: ``node`` (its id in debugprint),
    ``op``, ``source`` (the user's file:line), ``ns`` (total nanoseconds)
    and ``calls``. The counters live in the compiled function and grow
    with each call."""

    def __init__(self, compiled: Any, name: str | None = None) -> None:
        self._compiled = compiled  # keeps the compiled function (and its counters) alive
        self.name = name

    @property
    def backend(self) -> str:
        """'cxx' or 'evaluator': what ran the nodes."""
        return str(self._compiled.info.get("backend", "evaluator"))

    def nodes(self) -> list[dict]:
        """The per-node counters now, in the order the nodes run."""
        return list(_lib.function_profile(self._compiled.handle))

    def summary(self, file: TextIO | None = None, n_apply_to_print: int = 20, **_: Any) -> None:
        """Print the nodes, the slowest first: share of the total time,
        cumulative share, total time, calls, time per call, node, op and
        source line (at most n_apply_to_print of them)."""
        out = file if file is not None else sys.stderr
        records = sorted(self.nodes(), key=lambda r: -int(r.get("ns", 0)))
        total = sum(int(r.get("ns", 0)) for r in records)
        title = f"Function profile{' ' + self.name if self.name else ''} (backend: {self.backend})"
        out.write(title + "\n")
        if not records:
            out.write("  no per-node times: the function runs on the evaluator, or was not compiled with "
                      "profile=True\n")
            return
        out.write(f"  total time in nodes: {total / 1e9:.6f} s\n")
        out.write(f"  {'<% time>':>8} {'<sum %>':>8} {'<time s>':>11} {'<calls>':>8} {'<per call>':>11}"
                  "  <node> <op> <source>\n")
        cumulative = 0
        for r in records[:n_apply_to_print]:
            ns, calls = int(r.get("ns", 0)), int(r.get("calls", 0))
            cumulative += ns
            share = 100.0 * ns / total if total else 0.0
            running = 100.0 * cumulative / total if total else 0.0
            per_call = ns / calls / 1e9 if calls else 0.0
            out.write(f"  {share:7.1f}% {running:7.1f}% {ns / 1e9:11.3e} {calls:8d} {per_call:11.3e}"
                      f"  {r.get('node', '')} {r.get('op', '')} {r.get('source', '')}\n".rstrip() + "\n")
        if len(records) > n_apply_to_print:
            out.write(f"  ... ({len(records) - n_apply_to_print} more nodes)\n")

    def __repr__(self) -> str:
        return f"<ProfileStats {self.name or ''} backend={self.backend} nodes={len(self.nodes())}>"
