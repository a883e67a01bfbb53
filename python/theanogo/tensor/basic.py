"""theanogo.tensor's functions: type constructors and the tensor operations.

Each operation is one call into the Go core, which checks types and shapes
when the expression is built:

>>> import numpy as np
>>> import theanogo
>>> import theanogo.tensor as T
>>> x = T.dvector("x")
>>> f = theanogo.function([x], T.maximum(T.exp(x), 2.0).sum())
>>> float(f(np.zeros(3)))
6.0
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import _lib
from ..config import config
from .type import TensorType
from .var import (
    TensorConstant,
    TensorVariable,
    _moment,
    _reduce,
    apply_op,
    as_tensor_variable,
    constant,
    make_input,
    reshape,
)

__all__ = [
    "var", "std", "ptp", "any", "all", "max_and_argmax",  # var shadows the module tensor/var.py, as in Theano
    "TensorType", "TensorVariable", "TensorConstant", "constant", "as_tensor_variable", "tensor",
    "reshape", "transpose", "dimshuffle", "flatten", "dot", "cast", "switch", "where",
    "sum", "prod", "mean", "max", "min", "argmax", "argmin", "arange", "zeros_like", "ones_like",
    "shape", "clip", "round", "iround", "set_subtensor", "inc_subtensor",
]

# --- type constructors ------------------------------------------------------------

# Static shapes by rank name: None is an unknown length, 1 is broadcastable.
_RANKS: dict[str, tuple] = {
    "scalar": (),
    "vector": (None,),
    "row": (1, None),
    "col": (None, 1),
    "matrix": (None, None),
    "tensor3": (None,) * 3,
    "tensor4": (None,) * 4,
    "tensor5": (None,) * 5,
    "tensor6": (None,) * 6,
    "tensor7": (None,) * 7,
}

# Theano's dtype prefixes: T.fmatrix, T.ivector, T.lscalar ...
_PREFIXES = {"b": "int8", "w": "int16", "i": "int32", "l": "int64",
             "f": "float32", "d": "float64", "c": "complex64", "z": "complex128"}


def _rank_constructor(rank: str, shape: tuple) -> Callable[..., TensorVariable]:
    def make(name: str | None = None, dtype: str | None = None) -> TensorVariable:
        return make_input(dtype or config.floatX, shape, name)

    make.__name__ = make.__qualname__ = rank
    make.__doc__ = (
        f"A new {rank} input variable (default dtype config.floatX).\n\n"
        f"    >>> import theanogo.tensor as T\n"
        f"    >>> T.{rank}('x').ndim\n    {len(shape)}\n"
    )
    return make


def _plural(single: Callable[..., TensorVariable], name: str) -> Callable[..., list]:
    def make(*names: Any, dtype: str | None = None) -> list[TensorVariable]:
        if len(names) == 1 and isinstance(names[0], int):
            return [single(dtype=dtype) for _ in range(names[0])]
        if len(names) == 1 and isinstance(names[0], (list, tuple)):
            names = tuple(names[0])
        return [single(n, dtype=dtype) if dtype else single(n) for n in names]

    make.__name__ = make.__qualname__ = name
    make.__doc__ = f"Several variables at once: ``x, y = T.{name}('x', 'y')`` (or a count)."
    return make


_PLURALS = {"scalar": "scalars", "vector": "vectors", "row": "rows", "col": "cols", "matrix": "matrices",
            "tensor3": "tensor3s", "tensor4": "tensor4s"}

for _rank, _shape in _RANKS.items():
    globals()[_rank] = _rank_constructor(_rank, _shape)
    __all__.append(_rank)
    for _prefix, _dtype in _PREFIXES.items():
        globals()[_prefix + _rank] = TensorType(_dtype, shape=_shape)
        __all__.append(_prefix + _rank)

for _rank, _plural_name in _PLURALS.items():
    globals()[_plural_name] = _plural(globals()[_rank], _plural_name)
    __all__.append(_plural_name)
    for _prefix in _PREFIXES:
        globals()[_prefix + _plural_name] = _plural(globals()[_prefix + _rank], _prefix + _plural_name)
        __all__.append(_prefix + _plural_name)


def tensor(dtype: str | None = None, broadcastable: Any = None, name: str | None = None,
           shape: Any = None) -> TensorVariable:
    """A new input of any rank: ``T.tensor('float32', (False,) * 5)``."""
    return TensorType(dtype or config.floatX, broadcastable, shape=shape)(name)


# --- elementwise -------------------------------------------------------------------

def _elemwise(name: str, go_name: str, arity: int, doc: str) -> Callable[..., TensorVariable]:
    def fn(*xs: Any) -> TensorVariable:
        if len(xs) != arity:
            raise TypeError(f"{name} takes {arity} arguments, got {len(xs)}")
        return apply_op(go_name, *xs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise {doc}, with numpy broadcasting (the Go scalar op {go_name!r})."
    return fn


# Python spellings of Go scalar op names that are keywords or builtins, and
# Theano's second names for some ops.
_PY_NAMES = {"and": "and_", "or": "or_", "abs": "abs_"}
_ALIASES = {"floor_div": "int_div", "abs": "abs", "fill": "second"}

# One function per row of the Go scalar op table (core/ops/scalar_table.go):
# a row added there is a function here.
_SCALAR_OPS = {row["name"]: row for row in _lib.scalar_ops()}
for _row in _SCALAR_OPS.values():
    _py = _PY_NAMES.get(_row["name"], _row["name"])
    globals()[_py] = _elemwise(_py, _row["name"], _row["arity"], _row["doc"])
    if _py not in __all__:
        __all__.append(_py)
for _alias, _go in _ALIASES.items():
    _row = _SCALAR_OPS[_go]
    globals()[_alias] = _elemwise(_alias, _go, _row["arity"], _row["doc"])
    __all__.append(_alias)


def switch(cond: Any, ift: Any, iff: Any) -> TensorVariable:
    """Elementwise ``ift if cond else iff`` (both branches are computed).

    >>> import theanogo.tensor as T
    >>> x = T.vector()
    >>> T.switch(x > 0, x, 0).ndim
    1
    """
    return apply_op("switch", cond, ift, iff)


where = switch


def cast(x: Any, dtype: str) -> TensorVariable:
    """x converted to dtype: ``T.cast(x, 'int32')``."""
    x = as_tensor_variable(x)
    dtype = np.dtype(config.floatX if dtype == "floatX" else dtype).name
    return apply_op("cast", x, params={"dtype": dtype})


def clip(x: Any, lo: Any, hi: Any) -> TensorVariable:
    """x limited to [lo, hi]: ``minimum(maximum(x, lo), hi)``.

    Its gradient at a bound is split evenly between x and the bound (0.5 each).
    """
    return apply_op("clip", x, lo, hi)


# Theano's rounding modes and the scalar rows that compute them.
_ROUND_MODES = {"half_away_from_zero": "round_half_away_from_zero", "half_to_even": "round_half_to_even"}


def round(a: Any, mode: str | None = None) -> TensorVariable:  # noqa: A001
    """a rounded to the nearest integer, in its own dtype, as Theano's ``T.round``.

    mode is "half_away_from_zero" (the default: 2.5 -> 3) or "half_to_even"
    (2.5 -> 2, numpy.round's rule). Integers are returned unchanged. The
    gradient is zero.

    >>> import numpy as np, theanogo, theanogo.tensor as T
    >>> x = T.dvector()
    >>> theanogo.function([x], [T.round(x), T.round(x, "half_to_even")])(np.array([0.5, 2.5, -1.5]))
    [array([ 1.,  3., -2.]), array([ 0.,  2., -2.])]
    """
    row = _ROUND_MODES.get("half_away_from_zero" if mode is None else mode)
    if row is None:
        raise ValueError(f"round: mode must be one of {sorted(_ROUND_MODES)} or None, got {mode!r}")
    return apply_op(row, a)


def iround(a: Any, mode: str | None = None) -> TensorVariable:
    """round(a, mode) as int64, Theano's ``T.iround``: ``T.iround(x).dtype == 'int64'``."""
    return cast(round(a, mode), "int64")


# --- reductions ----------------------------------------------------------------------

def sum(x: Any, axis: Any = None, keepdims: bool = False, **_: Any) -> TensorVariable:  # noqa: A001
    """Sum over axis (None: all; an int or a list; negative counts from the end)."""
    return _reduce("sum", x, axis, keepdims)


def prod(x: Any, axis: Any = None, keepdims: bool = False, **_: Any) -> TensorVariable:
    """Product over axis; its gradient is exact where x has zeros."""
    return _reduce("prod", x, axis, keepdims)


def mean(x: Any, axis: Any = None, keepdims: bool = False, **_: Any) -> TensorVariable:
    """Mean over axis."""
    return _reduce("mean", x, axis, keepdims)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> TensorVariable:  # noqa: A001
    """Maximum over axis; its gradient is split evenly among the entries equal to the maximum."""
    return _reduce("max", x, axis, keepdims)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> TensorVariable:  # noqa: A001
    """Minimum over axis; its gradient is split evenly among the entries equal to the minimum."""
    return _reduce("min", x, axis, keepdims)


def argmax(x: Any, axis: Any = None, keepdims: bool = False) -> TensorVariable:
    """Index of the maximum over axis (None: of the flattened array)."""
    return _reduce("argmax", x, axis, keepdims)


def argmin(x: Any, axis: Any = None, keepdims: bool = False) -> TensorVariable:
    """Index of the minimum over axis."""
    return _reduce("argmin", x, axis, keepdims)


def var(input: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False,  # noqa: A002
        corrected: bool = False) -> TensorVariable:
    """Variance over axis (None: all), Theano 1.0's ``T.var``.

    ``ddof == 0`` divides the squared deviations by the count; otherwise, as
    Theano, by the product over the reduced axes of (length - ddof): numpy's
    ``var(x, axis, ddof=ddof)`` for one axis, but not over several.
    ``corrected`` subtracts the two-pass correction term.

    >>> import numpy as np, theanogo, theanogo.tensor as T
    >>> x = T.dmatrix("x")
    >>> f = theanogo.function([x], T.var(x, axis=1, ddof=1))
    >>> f(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 6.0]])).tolist()
    [1.0, 12.0]
    """
    return _moment("var", input, axis, ddof, keepdims, corrected)


def std(input: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False,  # noqa: A002
        corrected: bool = False) -> TensorVariable:
    """Standard deviation: the square root of ``var`` with the same arguments."""
    return _moment("std", input, axis, ddof, keepdims, corrected)


def ptp(a: Any, axis: Any = None, keepdims: bool = False) -> TensorVariable:
    """Range max - min over axis (numpy's ptp)."""
    return _reduce("ptp", a, axis, keepdims)


def any(x: Any, axis: Any = None, keepdims: bool = False) -> TensorVariable:  # noqa: A001
    """Whether some element over axis is non-zero (bool; False when empty)."""
    return _reduce("any", x, axis, keepdims)


def all(x: Any, axis: Any = None, keepdims: bool = False) -> TensorVariable:  # noqa: A001
    """Whether every element over axis is non-zero (bool; True when empty)."""
    return _reduce("all", x, axis, keepdims)


def max_and_argmax(a: Any, axis: Any = None, keepdims: bool = False) -> list:
    """[max, argmax] over axis, Theano's pair (two reductions; the merge pass shares their input)."""
    return [_reduce("max", a, axis, keepdims), _reduce("argmax", a, axis, keepdims)]


# --- shape --------------------------------------------------------------------------

def transpose(x: Any, axes: Any = None) -> TensorVariable:
    """x with its axes permuted (reversed when axes is None)."""
    return as_tensor_variable(x).transpose(axes)


def dimshuffle(x: Any, *pattern: Any) -> TensorVariable:
    """``x.dimshuffle(*pattern)``."""
    return as_tensor_variable(x).dimshuffle(*pattern)


def flatten(x: Any, ndim: int = 1) -> TensorVariable:
    """x with its trailing dimensions merged so that it has ndim dimensions."""
    return as_tensor_variable(x).flatten(ndim)


def shape(x: Any) -> TensorVariable:
    """The symbolic shape of x (an int64 vector)."""
    return as_tensor_variable(x).shape


# --- linear algebra and creation -------------------------------------------------------

def dot(a: Any, b: Any) -> TensorVariable:
    """Matrix/vector products (numpy.dot for ranks 1 and 2).

    >>> import theanogo.tensor as T
    >>> T.dot(T.matrix(), T.vector()).ndim
    1
    """
    return apply_op("dot", a, b)


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: str | None = None) -> TensorVariable:
    """``T.arange(n)`` or ``T.arange(start, stop, step)``; bounds may be symbolic."""
    if stop is None:
        start, stop = 0, start
    params = {"dtype": np.dtype(dtype).name} if dtype else None
    return apply_op("arange", start, stop, step, params=params)


def zeros_like(x: Any, dtype: str | None = None) -> TensorVariable:
    """Zeros with x's shape and dtype (or dtype)."""
    return apply_op("zeros_like", x, params=_dtype_param(dtype))


def ones_like(x: Any, dtype: str | None = None) -> TensorVariable:
    """Ones with x's shape and dtype (or dtype)."""
    return apply_op("ones_like", x, params=_dtype_param(dtype))


def _dtype_param(dtype: str | None) -> dict | None:
    if dtype is None:
        return None
    return {"dtype": np.dtype(config.floatX if dtype == "floatX" else dtype).name}


# --- updating parts of a tensor ----------------------------------------------------------

def set_subtensor(x: TensorVariable, y: Any) -> TensorVariable:
    """A copy of the variable that x indexes, with the region x replaced by y.

    >>> import numpy as np, theanogo, theanogo.tensor as T
    >>> v = T.dvector("v")
    >>> theanogo.function([v], T.set_subtensor(v[1:], 5.0))(np.zeros(3))
    array([0., 5., 5.])
    """
    y = as_tensor_variable(y)
    return TensorVariable(_lib.inc_subtensor(x._h, y._h, True))


def inc_subtensor(x: TensorVariable, y: Any) -> TensorVariable:
    """A copy of the variable that x indexes, with y added to the region x."""
    y = as_tensor_variable(y)
    return TensorVariable(_lib.inc_subtensor(x._h, y._h, False))
