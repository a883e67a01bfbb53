"""TensorVariable: the Python face of a Go graph variable.

A TensorVariable holds an integer handle into the Go library and nothing
else that matters; every operator and method is one call into Go, which
type-checks it on the spot (so a shape error is raised on the line that
wrote the expression).

>>> import theanogo.tensor as T
>>> x = T.dmatrix("x")
>>> y = (x * 2 + 1).sum(axis=0)
>>> y.ndim, y.dtype
(1, 'float64')
"""

from __future__ import annotations

import numbers
import weakref
from typing import Any, Sequence

import numpy as np

from .. import _lib
from ..config import config
from .type import TensorType

_INT_DTYPES = ("int8", "int16", "int32", "int64")


class Apply:
    """An op application: what ``var.owner`` returns (``op`` only) and the
    nodes of a compiled function's graph (``f.maker.fgraph.toposort()``,
    with ``inputs`` and ``outputs``).

    ``op`` is the op's name with its parameters, e.g. ``"sum{axis=[0]}"``.
    """

    def __init__(self, op: str, inputs: Sequence["TensorVariable"] = (),
                 outputs: Sequence["TensorVariable"] = ()) -> None:
        self.op = op
        self.inputs = list(inputs)
        self.outputs = list(outputs)

    def __repr__(self) -> str:
        return f"Apply({self.op})"


class TensorVariable:
    """A symbolic tensor. Build expressions with operators and methods:

    >>> import theanogo.tensor as T
    >>> x = T.vector("x")
    >>> (x[1:] - x[:-1]).ndim
    1
    """

    __slots__ = ("_h", "_dtype", "_shape", "_name", "__weakref__")
    # numpy defers to our reflected operators: np.ones(3) + x is symbolic.
    __array_ufunc__ = None

    def __init__(self, handle: int) -> None:
        self._h = handle
        self._dtype: str | None = None
        self._shape: tuple | None = None
        self._name: Any = _UNSET

    def __del__(self, _release=_lib.release) -> None:
        h = getattr(self, "_h", 0)
        if h:
            self._h = 0
            _release(h)

    def __copy__(self) -> "TensorVariable":
        """Variables are immutable: a copy is the variable itself (a second
        object would release the same handle twice)."""
        return self

    def __deepcopy__(self, memo: dict) -> "TensorVariable":
        return self

    def __reduce__(self) -> tuple:
        """Pickle the graph computing this variable (see compile.pickling)."""
        from ..compile.pickling import reduce_variable
        return reduce_variable(self)

    # --- type information (fetched from Go once) ---

    def _meta(self) -> None:
        self._dtype, self._shape = _lib.var_meta(self._h)

    @property
    def dtype(self) -> str:
        if self._dtype is None:
            self._meta()
        return self._dtype  # type: ignore[return-value]

    @property
    def static_shape(self) -> tuple:
        """The static shape: known lengths, None where unknown."""
        if self._shape is None:
            self._meta()
        return self._shape  # type: ignore[return-value]

    @property
    def ndim(self) -> int:
        return len(self.static_shape)

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        return tuple(d == 1 for d in self.static_shape)

    @property
    def type(self) -> TensorType:
        return TensorType(self.dtype, shape=self.static_shape)

    @property
    def name(self) -> str | None:
        if self._name is _UNSET:
            self._name = _lib.var_info(self._h)["name"] or None
        return self._name

    @name.setter
    def name(self, value: str | None) -> None:
        _lib.var_set_name(self._h, value)
        self._name = value

    @property
    def owner(self) -> Apply | None:
        op = _lib.var_info(self._h)["owner"]
        return Apply(op) if op else None

    def __repr__(self) -> str:
        if self.name:
            return self.name
        info = _lib.var_info(self._h)
        if info["owner"]:
            return f"{info['owner']}.0"
        return f"<{self.type}>"

    __str__ = __repr__

    # --- Theano's refusals ---

    def __bool__(self) -> bool:
        raise TypeError(
            "Variables do not support boolean operations. "
            "Use T.switch, T.and_/T.or_ or the comparison functions instead."
        )

    def __iter__(self):
        n = self.static_shape[0] if self.ndim else None
        if n is None:
            raise TypeError("TensorVariable does not support iteration: its length is not known statically")
        return (self[i] for i in range(n))

    def __len__(self) -> int:
        raise TypeError("TensorVariable has no len(); use x.shape[0]")

    # --- arithmetic: one Go op each ---

    def __add__(self, other): return apply_op("add", self, other)
    def __radd__(self, other): return apply_op("add", other, self)
    def __sub__(self, other): return apply_op("sub", self, other)
    def __rsub__(self, other): return apply_op("sub", other, self)
    def __mul__(self, other): return apply_op("mul", self, other)
    def __rmul__(self, other): return apply_op("mul", other, self)
    def __truediv__(self, other): return apply_op("true_div", self, other)
    def __rtruediv__(self, other): return apply_op("true_div", other, self)
    def __floordiv__(self, other): return apply_op("int_div", self, other)
    def __rfloordiv__(self, other): return apply_op("int_div", other, self)
    def __mod__(self, other): return apply_op("mod", self, other)
    def __rmod__(self, other): return apply_op("mod", other, self)
    def __pow__(self, other): return apply_op("pow", self, other)
    def __rpow__(self, other): return apply_op("pow", other, self)
    def __matmul__(self, other): return apply_op("dot", self, other)
    def __rmatmul__(self, other): return apply_op("dot", other, self)
    def __neg__(self): return apply_op("neg", self)
    def __abs__(self): return apply_op("abs", self)
    def __lt__(self, other): return apply_op("lt", self, other)
    def __le__(self, other): return apply_op("le", self, other)
    def __gt__(self, other): return apply_op("gt", self, other)
    def __ge__(self, other): return apply_op("ge", self, other)
    def __and__(self, other): return apply_op("and", self, other)
    def __rand__(self, other): return apply_op("and", other, self)
    def __or__(self, other): return apply_op("or", self, other)
    def __ror__(self, other): return apply_op("or", other, self)
    def __xor__(self, other): return apply_op("xor", self, other)
    def __rxor__(self, other): return apply_op("xor", other, self)
    def __invert__(self): return apply_op("invert", self)
    # == and != stay Python identity, as in Theano (use T.eq / T.neq).
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    # --- methods ---

    @property
    def T(self) -> "TensorVariable":
        return apply_op("transpose", self, params={"axes": None})

    @property
    def shape(self) -> "TensorVariable":
        """The symbolic shape, an int64 vector: ``x.shape[0]`` is a scalar."""
        return apply_op("shape", self)

    def sum(self, axis=None, keepdims: bool = False, **_: Any) -> "TensorVariable":
        return _reduce("sum", self, axis, keepdims)

    def prod(self, axis=None, keepdims: bool = False, **_: Any) -> "TensorVariable":
        return _reduce("prod", self, axis, keepdims)

    def mean(self, axis=None, keepdims: bool = False, **_: Any) -> "TensorVariable":
        return _reduce("mean", self, axis, keepdims)

    def max(self, axis=None, keepdims: bool = False) -> "TensorVariable":
        return _reduce("max", self, axis, keepdims)

    def min(self, axis=None, keepdims: bool = False) -> "TensorVariable":
        return _reduce("min", self, axis, keepdims)

    def argmax(self, axis=None, keepdims: bool = False) -> "TensorVariable":
        return _reduce("argmax", self, axis, keepdims)

    def argmin(self, axis=None, keepdims: bool = False) -> "TensorVariable":
        return _reduce("argmin", self, axis, keepdims)

    def var(self, axis=None, ddof=0, keepdims: bool = False, corrected: bool = False) -> "TensorVariable":
        """Variance over axis, as ``theanogo.tensor.var``."""
        return _moment("var", self, axis, ddof, keepdims, corrected)

    def std(self, axis=None, ddof=0, keepdims: bool = False, corrected: bool = False) -> "TensorVariable":
        """Standard deviation over axis, as ``theanogo.tensor.std``."""
        return _moment("std", self, axis, ddof, keepdims, corrected)

    def ptp(self, axis=None, keepdims: bool = False) -> "TensorVariable":
        return _reduce("ptp", self, axis, keepdims)

    def any(self, axis=None, keepdims: bool = False) -> "TensorVariable":
        return _reduce("any", self, axis, keepdims)

    def all(self, axis=None, keepdims: bool = False) -> "TensorVariable":
        return _reduce("all", self, axis, keepdims)

    def dimshuffle(self, *pattern: Any) -> "TensorVariable":
        """Reorder dimensions; 'x' inserts a broadcastable one: ``v.dimshuffle('x', 0)``."""
        if len(pattern) == 1 and isinstance(pattern[0], (list, tuple)):
            pattern = tuple(pattern[0])
        return apply_op("dimshuffle", self, params={"pattern": [p if p == "x" else int(p) for p in pattern]})

    def transpose(self, *axes: Any) -> "TensorVariable":
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (list, tuple))):
            axes = axes[0]
        return apply_op("transpose", self, params={"axes": [int(a) for a in axes] if axes else None})

    def reshape(self, shape: Any, ndim: int | None = None) -> "TensorVariable":
        """Reshape to ``shape``: a tuple of ints and symbolic scalars, or an int vector.

        A length of -1 is inferred, as in numpy.
        """
        return reshape(self, shape, ndim)

    def flatten(self, ndim: int = 1) -> "TensorVariable":
        return apply_op("flatten", self, params={"ndim": int(ndim)})

    def ravel(self) -> "TensorVariable":
        return self.flatten(1)

    def astype(self, dtype: str) -> "TensorVariable":
        return apply_op("cast", self, params={"dtype": np.dtype(dtype).name})

    def copy(self, name: str | None = None) -> "TensorVariable":
        """A new variable with this one's value (Theano's tensor_copy):
        naming or freezing the copy leaves this variable alone."""
        out = apply_op("tensor_copy", self)
        if name is not None:
            out.name = name
        return out

    def __getitem__(self, index: Any) -> "TensorVariable":
        return _subtensor(self, index)

    def eval(self, inputs_to_values: dict | None = None) -> np.ndarray:
        """Compile and run this expression: ``(x + 1).eval({x: np.ones(2)})``."""
        from ..compile.function import function
        inputs_to_values = inputs_to_values or {}
        inputs = list(inputs_to_values)
        return function(inputs, self, on_unused_input="ignore")(*[inputs_to_values[i] for i in inputs])


class TensorConstant(TensorVariable):
    """A constant. ``.data`` (or ``.value``) is a copy of its value."""

    __slots__ = ()

    @property
    def data(self) -> np.ndarray:
        return _lib.var_value(self._h)

    value = data

    def __repr__(self) -> str:
        if self.name:
            return self.name
        data = self.data
        return f"TensorConstant{{{data}}}" if data.size <= 8 else f"TensorConstant{{{self.type}}}"

    __str__ = __repr__


class _Unset:
    pass


_UNSET = _Unset()


# --- building ---------------------------------------------------------------------

def make_input(dtype: str, shape: Sequence[int | None], name: str | None = None) -> TensorVariable:
    """A new free input variable (what ``T.matrix('x')`` calls)."""
    var = TensorVariable(_lib.input(np.dtype(dtype).name, [-1 if d is None else int(d) for d in shape], name))
    _inputs[_lib.var_info(var._h)["id"]] = var
    return var


# Go variable id -> the live Python object of each free input, so that a
# pickled graph refers to its inputs by the objects the user holds (and
# pickle's memo keeps an input pickled twice one variable).
_inputs: "weakref.WeakValueDictionary[int, TensorVariable]" = weakref.WeakValueDictionary()


def input_object(handle: int) -> TensorVariable:
    """The Python object of the free input behind handle (which it takes
    ownership of): the live one, or a new one when that was collected."""
    vid = _lib.var_info(handle)["id"]
    var = _inputs.get(vid)
    if var is not None:
        _lib.release(handle)
        return var
    var = TensorVariable(handle)
    _inputs[vid] = var
    return var


def apply_op(name: str, *inputs: Any, params: dict | None = None) -> TensorVariable:
    """Apply the Go op ``name`` to ``inputs`` (variables or Python/numpy values)."""
    ins = [as_tensor_variable(x) for x in inputs]
    return TensorVariable(_lib.apply(name, params, [x._h for x in ins]))


def _smallest_int(value: int) -> str:
    for dt in _INT_DTYPES:
        info = np.iinfo(dt)
        if info.min <= value <= info.max:
            return dt
    return "uint64" if 0 <= value <= np.iinfo("uint64").max else "object"


def _float_dtype(value: Any) -> str:
    """Theano's autocast of Python floats: floatX if it is float32, else the
    narrowest of float32/float64 that holds the value exactly."""
    if config.floatX == "float32":
        return "float32"
    with np.errstate(over="ignore"):
        narrow = np.asarray(value, dtype="float32")
    exact = np.asarray(value, dtype="float64")
    same = (narrow == exact) | (np.isnan(narrow) & np.isnan(exact))
    return "float32" if np.all(same) else "float64"


def to_array(value: Any, dtype: str | None = None) -> np.ndarray:
    """Turn a Python or numpy value into the array a constant holds.

    Python ints take the smallest of int8..int64 that holds them, floats
    float32 when floatX is float32 or the value is exact in float32, else
    float64; numpy values keep their dtype.

    >>> to_array(3).dtype, to_array(1000).dtype, to_array(0.5).dtype, to_array(0.1).dtype
    (dtype('int8'), dtype('int16'), dtype('float32'), dtype('float64'))
    """
    if dtype is not None:
        return np.asarray(value, dtype=dtype)
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(value)
    if isinstance(value, (bool, np.bool_)):
        return np.asarray(value, dtype=bool)
    if isinstance(value, numbers.Integral):
        return np.asarray(value, dtype=_smallest_int(int(value)))
    if isinstance(value, float):
        return np.asarray(value, dtype=_float_dtype(value))
    arr = np.asarray(value)
    if arr.size == 0 and arr.dtype == np.float64:
        return arr.astype(config.floatX)
    if arr.dtype == np.float64:
        return arr.astype(_float_dtype(arr))
    if arr.dtype == object:
        raise TypeError(f"cannot turn {type(value).__name__} {value!r} into a tensor constant")
    return arr


def constant(value: Any, name: str | None = None, ndim: int | None = None, dtype: str | None = None) -> TensorConstant:
    """A constant variable holding ``value`` (see :func:`to_array` for its dtype).

    >>> import theanogo.tensor as T
    >>> T.constant(2).dtype, T.constant([1.5, 2.5]).ndim
    ('int8', 1)
    """
    arr = to_array(value, dtype)
    if ndim is not None and arr.ndim != ndim:
        if arr.ndim < ndim and all(d == 1 for d in arr.shape):
            arr = arr.reshape((1,) * ndim)
        else:
            raise ValueError(f"constant: value of shape {arr.shape} does not have {ndim} dimensions")
    c = TensorConstant(_lib.constant(arr))
    if name is not None:
        c.name = name
    return c


def as_tensor_variable(x: Any, name: str | None = None, ndim: int | None = None) -> TensorVariable:
    """Return x if it is a variable, else a constant holding it.

    >>> import theanogo.tensor as T
    >>> T.as_tensor_variable([[1, 2], [3, 4]]).type
    TensorType(int64, matrix)
    """
    if isinstance(x, TensorVariable):
        if ndim is not None and x.ndim != ndim:
            raise TypeError(f"{x} has {x.ndim} dimensions, expected {ndim}")
        return x
    if hasattr(x, "_as_TensorVariable"):
        return x._as_TensorVariable()
    return constant(x, name=name, ndim=ndim)


# --- helpers shared by methods and theanogo.tensor functions -------------------------

def _axis_param(axis: Any) -> Any:
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return [int(a) for a in axis]
    return int(axis)


def _reduce(name: str, x: Any, axis: Any, keepdims: bool) -> TensorVariable:
    return apply_op(name, x, params={"axis": _axis_param(axis), "keepdims": bool(keepdims)})


def _moment(name: str, x: Any, axis: Any, ddof: Any, keepdims: bool, corrected: bool) -> TensorVariable:
    """var or std: the Go core checks ddof (an integer) and builds the composition."""
    ddof = int(ddof) if _is_int_like(ddof) else ddof
    return apply_op(name, x, params={"axis": _axis_param(axis), "keepdims": bool(keepdims),
                                     "ddof": ddof, "corrected": bool(corrected)})


def _is_int_like(value: Any) -> bool:
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def reshape(x: Any, shape: Any, ndim: int | None = None) -> TensorVariable:
    """Reshape x; shape is a tuple of ints/symbolic scalars or an int vector variable."""
    if _is_int_like(shape):
        shape = (shape,)
    if isinstance(shape, TensorVariable):
        if ndim is None:
            if shape.ndim != 1 or shape.static_shape[0] is None:
                raise ValueError("reshape: give ndim when the shape is a vector of unknown length")
            ndim = shape.static_shape[0]
        shape_var = shape
    else:
        shape = tuple(shape)
        ndim = len(shape) if ndim is None else ndim
        if all(_is_int_like(s) for s in shape):
            shape_var = constant(np.asarray(shape, dtype="int64").reshape(len(shape)))
        else:
            parts = [s if isinstance(s, TensorVariable) else constant(np.int64(s)) for s in shape]
            shape_var = apply_op("make_vector", *parts, params={"dtype": "int64"})
    return apply_op("reshape", x, shape_var, params={"ndim": int(ndim)})


def _subtensor(x: TensorVariable, index: Any) -> TensorVariable:
    """Basic indexing: ints, slices (negative, None, step), symbolic int
    scalars, None (a new broadcastable axis) and Ellipsis. An index holding
    arrays of indices goes to :func:`_advanced_subtensor`."""
    if not isinstance(index, tuple):
        index = (index,)
    if sum(i is Ellipsis for i in index) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if any(i is Ellipsis for i in index):
        at = next(k for k, i in enumerate(index) if i is Ellipsis)
        fill = x.ndim - (len(index) - 1 - sum(i is None for i in index))
        index = index[:at] + (slice(None),) * max(fill, 0) + index[at + 1:]
    if any(_is_index_array(i) for i in index):
        return _advanced_subtensor(x, index)
    symbolic: list[TensorVariable] = []

    def part(p: Any) -> Any:
        if p is None:
            return None
        if isinstance(p, TensorVariable):
            symbolic.append(p)
            return "input"
        if _is_int_like(p):
            return int(p)
        raise TypeError(f"slice bounds must be ints, None or symbolic integer scalars, got {p!r}")

    items: list[dict] = []
    for i in index:
        if i is None:
            items.append({"newaxis": True})
        elif isinstance(i, slice):
            items.append({"slice": [part(i.start), part(i.stop), part(i.step)]})
        elif isinstance(i, TensorVariable):
            items.append({"index": part(i)})
        elif _is_int_like(i):
            items.append({"index": int(i)})
        else:
            raise TypeError(f"invalid index {i!r} of type {type(i).__name__}")
    return apply_op("subtensor", x, *symbolic, params={"items": items})


def _is_index_array(i: Any) -> bool:
    """An array of indices (or a mask): a variable of rank >= 1, a list or a numpy array."""
    if isinstance(i, TensorVariable):
        return i.ndim >= 1
    return isinstance(i, (list, np.ndarray))


def _advanced_subtensor(x: TensorVariable, index: tuple) -> TensorVariable:
    """Integer-array indexing of the leading dimensions, as numpy does it:
    ``x[ivec]``, ``x[imatrix]``, ``x[iv1, iv2]``, ``x[[0, 2, 2], :]``.

    The index arrays (and integers among them) must come first and be
    adjacent; only full slices ``:`` may follow. Lists and numpy arrays
    become int64 constants; Go checks and broadcasts them.
    """
    n = 0
    while n < len(index) and not (index[n] is None or isinstance(index[n], slice)):
        n += 1
    rest = index[n:]
    if any(not (isinstance(i, slice) and i.start is None and i.stop is None and i.step is None) for i in rest):
        raise NotImplementedError(
            "advanced indexing is supported on the leading dimensions only, optionally followed by "
            f"full slices ':'; got index {index!r}")
    arrays = []
    for i in index[:n]:
        if isinstance(i, TensorVariable):
            if i.dtype == "bool":
                raise NotImplementedError("indexing with a boolean mask is not supported")
            arrays.append(i)
            continue
        if _is_int_like(i):
            arrays.append(constant(np.int64(i)))
            continue
        if not isinstance(i, (list, np.ndarray)):
            raise TypeError(f"invalid index {i!r} of type {type(i).__name__}")
        arr = np.asarray(i)
        if arr.dtype == bool:
            raise NotImplementedError("indexing with a boolean mask is not supported")
        if arr.size == 0 or arr.dtype.kind in "iu":
            arr = arr.astype("int64")
        elif arr.dtype.kind != "O":
            raise IndexError(f"arrays used as indices must be of integer type, got {arr.dtype} in {i!r}")
        else:
            raise IndexError(f"invalid index {i!r}: nested lists of different lengths or of non-integers")
        arrays.append(constant(arr))
    return apply_op("advanced_subtensor", x, *arrays)
