"""theanogo.tensor.extra_ops: Theano's ``theano.tensor.extra_ops``.

Each function here is one line: it applies an op that the Go core
registered in one place (core/ops: ops.Register), with its parameters.

>>> import numpy as np, theanogo, theanogo.tensor as T
>>> x = T.dmatrix("x")
>>> theanogo.function([x], T.extra_ops.cumsum(x, axis=1))(np.ones((2, 3)))
array([[1., 2., 3.],
       [1., 2., 3.]])
"""

from __future__ import annotations

import operator
from typing import Any

from .var import TensorVariable, apply_op

__all__ = ["cumsum", "cumprod"]


def _along(name: str, x: Any, axis: Any) -> TensorVariable:
    """Apply the registered op ``name`` to x along axis (None: all)."""
    return apply_op(name, x, params={"axis": None if axis is None else operator.index(axis)})


def cumsum(x: Any, axis: Any = None) -> TensorVariable:
    """Cumulative sum along axis (None: of the flattened array), as numpy.cumsum."""
    return _along("cumsum", x, axis)


def cumprod(x: Any, axis: Any = None) -> TensorVariable:
    """Cumulative product along axis (None: of the flattened array), as numpy.cumprod."""
    return _along("cumprod", x, axis)
