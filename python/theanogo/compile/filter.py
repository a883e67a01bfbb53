"""Turning call arguments into arrays of an input's dtype, by Theano's rules.

A value of the exact dtype is taken as is. Otherwise it is converted when

- ``allow_downcast`` is true, or
- numpy says the cast is safe (``np.can_cast(..., 'safe')``: int32 into
  float64, float32 into float64 ...), or
- it is a Python scalar or list whose values survive the conversion
  (``1.0`` into an int input, ``0.5`` into float32), or a Python float
  going into a ``config.floatX`` input while ``allow_downcast`` is None;

and a TypeError is raised in every other case.

>>> import numpy as np
>>> from theanogo.tensor.type import TensorType
>>> filter_value(np.arange(3, dtype="int32"), TensorType("float64", (False,))).dtype
dtype('float64')
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._lib import _native
from ..config import config
from ..tensor.type import TensorType


def _downcast_message(type_: TensorType, dtype: Any, what: str) -> str:
    return (
        f"{what}: {type_} cannot store a value of dtype {dtype} without risking loss of precision. "
        f"If you do not mind this loss, you can: 1) explicitly cast your data to {type_.dtype}, or "
        f'2) set "allow_input_downcast=True" when calling "function".'
    )


def filter_value(value: Any, type_: TensorType, allow_downcast: bool | None = None, what: str = "argument") -> np.ndarray:
    """Return value as a C-contiguous native-order array of type_.dtype."""
    if hasattr(value, "_h") and not isinstance(value, np.ndarray):
        raise TypeError(f"{what}: expected a value, got the symbolic variable {value!r}")
    is_python = not isinstance(value, (np.ndarray, np.generic))
    arr = np.asarray(value)
    target = np.dtype(type_.dtype)
    if arr.dtype != target:
        if arr.dtype == object or arr.dtype.kind in "USV":
            raise TypeError(f"{what}: {type_} cannot store a value of type {type(value).__name__}")
        if allow_downcast or np.can_cast(arr.dtype, target, "safe"):
            arr = arr.astype(target)
        elif is_python:
            with np.errstate(all="ignore"):
                converted = arr.astype(target)
            floatx_ok = (allow_downcast is None and arr.dtype.kind == "f" and type_.dtype == config.floatX)
            same = np.array_equal(converted.astype(arr.dtype), arr, equal_nan=arr.dtype.kind in "fc")
            if not (floatx_ok or same):
                raise TypeError(_downcast_message(type_, arr.dtype, what))
            arr = converted
        else:
            raise TypeError(_downcast_message(type_, arr.dtype, what))
    return _native(arr)
