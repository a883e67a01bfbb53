"""Shared variables: values that live between function calls.

The value lives in Python, in the SharedVariable's ``container`` (a list of
one numpy array); Go knows only the variable's type and id. A compiled
function holds the containers of the shared variables it reads, snapshots
them at each call and commits its updates into them (theanogo._rt). Every
read and write of a container here goes through _rt.load and _rt.store,
which take the lock those snapshots and commits take: a value is never read
while an update in flight writes into it (an in-place update writes into
the old array only when nobody else holds it), and never replaced under one.

>>> import numpy as np
>>> import theanogo
>>> w = theanogo.shared(np.zeros(3), name="w")
>>> w.set_value(np.arange(3.0))
>>> w.get_value()
array([0., 1., 2.])
"""

from __future__ import annotations

import copy
import weakref
from typing import Any, Sequence

import numpy as np

from .. import _lib, _rt
from ..config import config
from ..tensor.var import TensorVariable
from .filter import filter_value

# Go variable id -> (container, numpy type number, static shape with -1 for
# unknown lengths), for every shared variable Go still knows: functions find
# the containers of the variables they read here. Entries leave when Go
# reports the variable collected (drain_dead_shared).
_registry: dict[int, tuple[list, int, tuple[int, ...]]] = {}


# Go variable id -> the live SharedVariable object for it, so that pickling
# a graph refers to the shared variables by the objects the user holds (and
# pickle's memo keeps them one variable).
_objects: "weakref.WeakValueDictionary[int, SharedVariable]" = weakref.WeakValueDictionary()


def drain_dead_shared() -> None:
    """Forget the containers of shared variables Go has collected."""
    for vid in _lib.dead_shared():
        _registry.pop(vid, None)


def registered(vid: int) -> tuple[list, int, tuple[int, ...]]:
    """The container, numpy type number and static shape (-1 unknown) of
    the shared variable with Go id vid."""
    try:
        return _registry[vid]
    except KeyError:
        raise RuntimeError(f"theanogo: no value is stored for shared variable id {vid}") from None


class SharedVariable(TensorVariable):
    """A variable with a value that functions read and updates replace
    (after the whole call succeeded). ``container`` is a list holding the
    current value, a C-contiguous native-order array of the variable's dtype."""

    __slots__ = ("container", "id")

    def get_value(self, borrow: bool = False, return_internal_type: bool = False) -> np.ndarray:
        """The current value: a copy, or with borrow=True the stored array
        itself (do not write into it while a function may read it)."""
        value = _rt.load(self.container)  # while we hold it, no update writes into it
        return value if borrow else value.copy()

    def set_value(self, value: Any, borrow: bool = False) -> None:
        """Replace the value. It must keep the dtype, unless the conversion
        is safe, and fit the variable's static shape. With borrow=True an
        array that already has the dtype and layout is stored as it is."""
        arr = _checked_value(self, value, borrow)
        _rt.release_borrowed(arr)  # no function's borrowed output may be written into it any more
        _rt.store(self.container, arr)

    @property
    def value(self) -> np.ndarray:
        return self.get_value()

    def __copy__(self) -> "SharedVariable":
        """A new, independent shared variable holding the same array (updates
        replace the stored array, so the two never see each other's)."""
        return _new_shared(_rt.load(self.container), self.static_shape, self.name)

    def __reduce__(self) -> tuple:
        """Pickle the value, the static shape and the name; loading makes a
        new shared variable (the original is never aliased)."""
        return _rebuild_shared, (_rt.load(self.container), self.static_shape, self.name)

    def __deepcopy__(self, memo: dict) -> "SharedVariable":
        """A new, independent shared variable holding a copy of the value."""
        return _new_shared(copy.deepcopy(_rt.load(self.container), memo), self.static_shape, self.name)


def _checked_value(var: SharedVariable, value: Any, borrow: bool) -> np.ndarray:
    what = f"shared variable {var.name or ''}".strip()
    arr = filter_value(value, var.type, allow_downcast=None, what=what)
    if arr.ndim != var.ndim:
        raise TypeError(f"{what}: expected {var.ndim} dimensions for {var.type}, got an array of shape {arr.shape}")
    for got, want in zip(arr.shape, var.static_shape):
        if want is not None and got != want:
            raise TypeError(f"{what}: shape {arr.shape} does not fit {var.type} (static shape {var.static_shape})")
    if arr is value and not borrow:
        arr = arr.copy()
    return arr


def _new_shared(arr: np.ndarray, static_shape: Sequence[int | None], name: str | None) -> SharedVariable:
    """A new Go shared variable of arr's dtype whose container holds arr."""
    drain_dead_shared()
    static = tuple(-1 if d is None else int(d) for d in static_shape)
    _rt.release_borrowed(arr)  # no function's borrowed output may be written into it any more
    return wrap_shared(_lib.shared(arr.dtype.name, static, name), [arr], arr.dtype.num, static)


def wrap_shared(handle: int, container: list, typenum: int, static: tuple[int, ...]) -> SharedVariable:
    """A SharedVariable object owning handle, registered with its container."""
    var = SharedVariable(handle)
    var.id = _lib.var_info(handle)["id"]
    var.container = container
    _registry[var.id] = (container, typenum, static)
    _objects.setdefault(var.id, var)
    return var


def shared_object(handle: int) -> "SharedVariable":
    """The SharedVariable object for the Go shared variable behind handle
    (which it takes ownership of): the live one the user holds, or a new
    object over the same container when that one was collected."""
    vid = _lib.var_info(handle)["id"]
    var = _objects.get(vid)
    if var is not None:
        _lib.release(handle)
        return var
    container, typenum, static = registered(vid)
    return wrap_shared(handle, container, typenum, static)


def _rebuild_shared(value: np.ndarray, static_shape: tuple, name: str | None) -> "SharedVariable":
    """Unpickle a shared variable: a new one holding value."""
    return _new_shared(_lib._native(np.asarray(value)), static_shape, name)


def _shared_array(value: Any, borrow: bool) -> np.ndarray:
    if isinstance(value, np.ndarray):
        arr = value if borrow else value.copy()
        return arr if arr.dtype.isnative and arr.flags.c_contiguous and arr.flags.aligned else _lib._native(np.array(arr))
    if isinstance(value, np.generic):
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
    """A shared variable holding a copy of value (value itself with
    borrow=True, when it is a C-contiguous native-order array).

    numpy values keep their dtype; a Python float becomes config.floatX and a
    Python int int64. Every dimension has unknown length (so set_value may
    change the shape) unless broadcastable marks it True (length 1).

    >>> import numpy as np, theanogo
    >>> b = theanogo.shared(np.zeros((1, 3)), broadcastable=(True, False))
    >>> b.broadcastable
    (True, False)
    """
    arr = _shared_array(value, borrow)
    if broadcastable is None:
        broadcastable = (False,) * arr.ndim
    if len(broadcastable) != arr.ndim:
        raise TypeError(f"shared: broadcastable {tuple(broadcastable)} does not match the value's rank {arr.ndim}")
    for b, n in zip(broadcastable, arr.shape):
        if b and n != 1:
            raise TypeError(f"shared: a broadcastable dimension must have length 1, got shape {arr.shape}")
    return _new_shared(arr, [1 if b else None for b in broadcastable], name)
