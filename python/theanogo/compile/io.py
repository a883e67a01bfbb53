"""Theano's theano.compile.io: how a function returns an output (``Out``).

``Out(y, borrow=True)`` lets the function return, call after call, the
same array for ``y``, overwritten by each call, instead of a new one: the
Theano contract of a borrowed output. It saves the allocation and, for
large outputs, the page faults of fresh memory, which is what keeps a
memory-bound function at memory speed. Keep a copy of a borrowed result
you need after the next call.

>>> import numpy as np, theanogo, theanogo.tensor as T
>>> x = T.dvector("x")
>>> f = theanogo.function([x], theanogo.Out(x * 2, borrow=True))
>>> a = f(np.ones(3)); b = f(np.full(3, 5.0))
>>> bool(np.shares_memory(a, b)), b.tolist()
(True, [10.0, 10.0, 10.0])

The memory is never one of the call's inputs, nor a shared variable's
value: ``shared.set_value(a, borrow=True)`` makes every function forget
``a``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Out", "SymbolicOutput"]


class SymbolicOutput:
    """An output of theanogo.function with how it is returned: ``variable``
    (any expression) and ``borrow`` (False: a new array each call; True: the
    previous call's array may be reused, overwritten)."""

    def __init__(self, variable: Any, borrow: bool = False) -> None:
        self.variable = variable
        self.borrow = bool(borrow)

    def __repr__(self) -> str:
        return f"Out({self.variable!r}{', borrow=True' if self.borrow else ''})"


Out = SymbolicOutput
