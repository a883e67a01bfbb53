"""Symbolic differentiation: theanogo.grad.

>>> import numpy as np, theanogo, theanogo.tensor as T
>>> x = T.dscalar("x")
>>> g = theanogo.grad(x ** 3, x)
>>> float(theanogo.function([x], g)(2.0))
12.0
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

from . import _lib
from ._lib import DisconnectedInputError  # noqa: F401  (theano.gradient.DisconnectedInputError)
from .tensor.var import TensorVariable, as_tensor_variable

__all__ = ["grad", "DisconnectedInputError"]


def grad(cost: TensorVariable, wrt: Any, consider_constant: Sequence[TensorVariable] | None = None,
         disconnected_inputs: str = "raise", add_names: bool = True, known_grads: Any = None,
         return_disconnected: str = "zero", null_gradients: str = "raise") -> Any:
    """The gradient of a scalar cost with respect to wrt (a variable or a list).

    Returns the same structure as wrt. consider_constant variables are
    treated as constants (no gradient flows through them). For a wrt the cost
    does not depend on, disconnected_inputs chooses: 'raise' a
    DisconnectedInputError, 'warn' (a UserWarning, then zeros) or 'ignore'
    (zeros).
    """
    if known_grads is not None:
        raise NotImplementedError("grad: known_grads is not supported yet")
    if disconnected_inputs not in ("raise", "warn", "ignore"):
        raise ValueError(f"grad: disconnected_inputs must be 'raise', 'warn' or 'ignore', got {disconnected_inputs!r}")
    cost = as_tensor_variable(cost)
    single = isinstance(wrt, TensorVariable)
    wrt_list = [wrt] if single else list(wrt)
    for w in wrt_list:
        if not isinstance(w, TensorVariable):
            raise TypeError(f"grad: wrt must be variables, got {w!r}")
    consider = [as_tensor_variable(c) for c in (consider_constant or [])]
    handles, disconnected = _lib.grad(cost._h, [w._h for w in wrt_list], [c._h for c in consider],
                                      disconnected_inputs)
    grads = [TensorVariable(h) for h in handles]
    if disconnected_inputs == "warn":
        for i in disconnected:
            warnings.warn(
                "grad method was asked to compute the gradient with respect to a variable that is not "
                f"part of the computational graph of the cost, or is used only by a non-differentiable "
                f"operator: {wrt_list[i]}", UserWarning, stacklevel=2)
    if add_names:
        for g, w in zip(grads, wrt_list):
            if w.name and g.name is None:
                g.name = f"(d{cost.name or 'cost'}/d{w.name})"
    return grads[0] if single else grads
