"""theanogo.tensor.extra_ops: Theano's ``theano.tensor.extra_ops``.

Each function here is one line: it applies an op that the Go core
registered in one place (core/ops: ops.Register), with its parameters.
"""

from __future__ import annotations

import operator
from typing import Any

from .var import TensorVariable, apply_op

__all__: list[str] = []


def _along(name: str, x: Any, axis: Any) -> TensorVariable:
    """Apply the registered op ``name`` to x along axis (None: all)."""
    return apply_op(name, x, params={"axis": None if axis is None else operator.index(axis)})

