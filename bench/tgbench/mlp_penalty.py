"""Workload (issue 12): the MLP step of workload 2 with DeepLearningTutorials'
mlp.py penalties in the cost, ``L1 = abs(W1).sum() + abs(W2).sum()`` and
``L2_sqr = (W1 ** 2).sum() + (W2 ** 2).sum()`` weighted by mlp.py's 0.00
and 0.0001 (models.py), float32 as the tutorial runs it, batch 20 (mlp.py's
batch size) and 60; every peer, next to the gemm floor.

The penalties add four reductions of the weight matrices and their
gradients to every step: ``W ** 2`` must be ``W * W`` (not ``pow``) and the
SGD update of W one pass, or they cost as much as the network at batch 20.
"""

from __future__ import annotations

from . import mlp
from .common import Settings


def run(settings: Settings) -> str:
    """The table, as markdown (the same columns as mlp's)."""
    notes = ["- cost = mean NLL + 0.00 * L1 + 0.0001 * L2_sqr, mlp.py's lines; SGD lr 0.01 on W1, b1, W2, b2",
             "- gemm floor: the five matmuls of a step with numpy (the penalties add no matmul)",
             "- cells: ms per step (examples per second); ratios are theanogo's time over the floor and over "
             "the fastest peer in the row", ""]
    return "\n".join(notes + [mlp.step_table(settings, "float32", (20,) if settings.quick else (20, 60), penalty=True)])
