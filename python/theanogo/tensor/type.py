"""TensorType: a dtype plus a broadcastable pattern, as in Theano.

Calling a type makes a new input variable of that type:

>>> from theanogo.tensor.type import TensorType
>>> t = TensorType("float64", (False, True))    # a column type
>>> x = t("x")
>>> x.broadcastable, x.dtype
((False, True), 'float64')
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

_RANK_NAMES = ("scalar", "vector", "matrix", "tensor3", "tensor4", "tensor5", "tensor6", "tensor7")


class TensorType:
    """The type of a tensor variable: ``TensorType(dtype, broadcastable)``.

    A broadcastable dimension has static length 1 (it can broadcast against
    any length); the others have unknown length. ``shape`` gives a static
    shape instead (``None`` for unknown lengths); it is what Go stores.
    """

    def __init__(self, dtype: str, broadcastable: Sequence[bool] | None = None, name: str | None = None,
                 shape: Sequence[int | None] | None = None) -> None:
        try:
            self.dtype: str = np.dtype(dtype).name
        except TypeError as exc:
            raise TypeError(f"TensorType: unknown dtype {dtype!r}") from exc
        if shape is None:
            if broadcastable is None:
                raise TypeError("TensorType needs broadcastable or shape")
            shape = tuple(1 if b else None for b in broadcastable)
        self.shape: tuple[int | None, ...] = tuple(shape)
        self.name = name

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        return tuple(d == 1 for d in self.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __call__(self, name: str | None = None):
        """Make a new input variable of this type."""
        from .var import make_input
        return make_input(self.dtype, self.shape, name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TensorType) and (self.dtype, self.shape) == (other.dtype, other.shape)

    def __hash__(self) -> int:
        return hash((TensorType, self.dtype, self.shape))

    def __repr__(self) -> str:
        if self.name:
            return self.name
        rank = _RANK_NAMES[self.ndim] if self.ndim < len(_RANK_NAMES) else f"{self.ndim}-d"
        if self.broadcastable == (True, False):
            rank = "row"
        elif self.broadcastable == (False, True):
            rank = "col"
        elif any(self.broadcastable):
            rank = "(" + ", ".join(str(b) for b in self.broadcastable) + ")"
        return f"TensorType({self.dtype}, {rank})"

    __str__ = __repr__
