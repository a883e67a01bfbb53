"""Theano's lazy ``ifelse``: ``theanogo.ifelse.ifelse`` (``theano.ifelse.ifelse``
after ``import theanogo as theano``).

>>> import numpy as np, theanogo as theano, theanogo.tensor as T
>>> from theanogo.ifelse import ifelse
>>> a, b = T.dscalars("a", "b")
>>> f = theano.function([a, b], ifelse(T.lt(a, b), a * 2, b * 3))
>>> float(f(1.0, 2.0)), float(f(3.0, 2.0))
(2.0, 6.0)

Unlike ``T.switch``, only the taken branch is computed: the compiler moves
every node that one branch alone needs into that branch (on the C++
backend, a region function of the kernel that only runs when taken; on the
evaluator, an inner graph). The graph logic is Go's (core/control).
"""

from __future__ import annotations

from typing import Any

from .tensor.var import TensorVariable, apply_op, as_tensor_variable
from .tensor.basic import cast

__all__ = ["ifelse"]


def _branch(values: Any) -> list[Any]:
    return list(values) if isinstance(values, (list, tuple)) else [values]


def ifelse(condition: Any, then_branch: Any, else_branch: Any, name: str | None = None) -> Any:
    """Return ``then_branch`` when the scalar ``condition`` is nonzero, else
    ``else_branch``, computing only the taken one. The branches are variables
    (or lists of variables, then a list is returned) of matching types: the
    same dtype, number of dimensions and broadcastable pattern, else a
    TypeError names ifelse, both types and your line."""
    thens, elses = _branch(then_branch), _branch(else_branch)
    cond = as_tensor_variable(condition)
    ts, es = [], []
    for t, e in zip(thens, elses):
        # a Python value on one side takes the other side's dtype, as Theano converts it
        if isinstance(t, TensorVariable) and not isinstance(e, TensorVariable):
            e = cast(as_tensor_variable(e), t.dtype)
        elif isinstance(e, TensorVariable) and not isinstance(t, TensorVariable):
            t = cast(as_tensor_variable(t), e.dtype)
        ts.append(as_tensor_variable(t))
        es.append(as_tensor_variable(e))
    ts += [as_tensor_variable(t) for t in thens[len(ts):]]
    es += [as_tensor_variable(e) for e in elses[len(es):]]
    params = {"then": len(ts), "else": len(es)}
    outs = [apply_op("ifelse", cond, *ts, *es, params=dict(params, output=i)) for i in range(max(len(ts), 1))]
    if name is not None:
        for i, o in enumerate(outs):
            o.name = name if len(outs) == 1 else f"{name}[{i}]"
    if isinstance(then_branch, (list, tuple)):
        return outs
    return outs[0]
