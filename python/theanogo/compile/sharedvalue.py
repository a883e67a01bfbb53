"""Shared variables: values that live between function calls.

>>> import numpy as np
>>> import theanogo
>>> w = theanogo.shared(np.zeros(3), name="w")
>>> w.set_value(np.arange(3.0))
>>> w.get_value()
array([0., 1., 2.])
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import _lib
from ..config import config
from ..tensor.var import TensorVariable
from .filter import filter_value


class SharedVariable(TensorVariable):
    """A variable with a value stored in Go; functions read it and updates
    replace it (after the whole call succeeded)."""

    __slots__ = ()

    def get_value(self, borrow: bool = False, return_internal_type: bool = False) -> np.ndarray:
        """A copy of the current value (borrow is accepted and ignored: the
        value lives in Go, so it is always copied)."""
        return _lib.var_value(self._h)

    def set_value(self, value: Any, borrow: bool = False) -> None:
        """Replace the value (copied). It must keep the dtype, unless the
        conversion is safe, and fit the variable's static shape."""
        arr = filter_value(value, self.type, allow_downcast=None, what=f"shared variable {self.name or ''}".strip())
        _lib.shared_set(self._h, arr)

    @property
    def value(self) -> np.ndarray:
        return self.get_value()


def _shared_array(value: Any) -> np.ndarray:
    if isinstance(value, (np.ndarray, np.generic)):
        return np.array(value)
    if isinstance(value, (bool, np.bool_)):
        return np.array(value, dtype=bool)
    if isinstance(value, int):
        return np.array(value, dtype="int64")
    if isinstance(value, float):
        return np.array(value, dtype=config.floatX)
    arr = np.array(value)
    if arr.dtype == object:
        raise TypeError(f"shared: cannot store a value of type {type(value).__name__}")
    return arr


def shared(value: Any, name: str | None = None, strict: bool = False, allow_downcast: Any = None,
           borrow: bool = False, broadcastable: Sequence[bool] | None = None) -> SharedVariable:
    """A shared variable holding a copy of value.

    numpy values keep their dtype; a Python float becomes config.floatX and a
    Python int int64. Every dimension has unknown length (so set_value may
    change the shape) unless broadcastable marks it True (length 1).

    >>> import numpy as np, theanogo
    >>> b = theanogo.shared(np.zeros((1, 3)), broadcastable=(True, False))
    >>> b.broadcastable
    (True, False)
    """
    arr = _shared_array(value)
    if broadcastable is None:
        broadcastable = (False,) * arr.ndim
    if len(broadcastable) != arr.ndim:
        raise TypeError(f"shared: broadcastable {tuple(broadcastable)} does not match the value's rank {arr.ndim}")
    static = [1 if b else -1 for b in broadcastable]
    return SharedVariable(_lib.shared(arr, static, name))
