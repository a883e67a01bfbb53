"""Loading of libtheanogo.so and the ctypes bindings of its C ABI.

Everything here is private. The rest of the package calls the small Python
functions below; each is one call into Go (plus freeing what Go returned).
Go reports errors as "ExceptionClass: message" strings, which `_check` turns
back into Python exceptions.

Handles are plain ints naming Go objects (variables, arrays, functions) in the
library's handle table; whoever receives one must `release` it.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from typing import Any, Sequence

import numpy as np

__all__ = ["MissingInputError", "DisconnectedInputError"]


class MissingInputError(Exception):
    """A function's outputs need an input that was not given (as in Theano)."""


class DisconnectedInputError(ValueError):
    """grad was asked for a variable the cost does not depend on."""


_EXCEPTIONS: dict[str, type] = {
    "TypeError": TypeError,
    "ValueError": ValueError,
    "MissingInputError": MissingInputError,
    "DisconnectedInputError": DisconnectedInputError,
    "MemoryError": MemoryError,
    "IndexError": IndexError,
    "RuntimeError": RuntimeError,
    "IndexError": IndexError,
    "MemoryError": MemoryError,
}

MAX_RANK = 64  # the room Go writes shapes into; numpy's own limit


def _library_path() -> str:
    override = os.environ.get("THEANOGO_LIBRARY")
    if override:
        return override
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "libtheanogo.so")


def _load() -> ctypes.CDLL:
    path = _library_path()
    try:
        lib = ctypes.CDLL(path)
    except OSError as exc:
        raise ImportError(
            f"theanogo: cannot load the Go core library {path!r} ({exc}). "
            "Install the package with `pip install .` (it builds the library with Go)."
        ) from exc
    i64, i32, vp, cp = ctypes.c_int64, ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p
    p64, pi32, err = ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_void_p)
    signatures = {
        # name: (restype, argtypes)
        "tg_free": (None, [vp]),
        "tg_release": (None, [i64]),
        "tg_array_meta": (vp, [i64, p64, pi32, err]),
        "tg_array_copy": (None, [i64, vp, i64, err]),
        "tg_input": (i64, [cp, i32, p64, cp, err]),
        "tg_constant": (i64, [cp, i32, p64, vp, i64, err]),
        "tg_apply": (i64, [cp, cp, p64, i32, cp, err]),
        "tg_var_meta": (vp, [i64, p64, pi32, err]),
        "tg_var_info": (vp, [i64, err]),
        "tg_var_set_name": (None, [i64, cp, err]),
        "tg_var_value": (i64, [i64, err]),
        "tg_op_names": (vp, [err]),
        "tg_scalar_ops": (vp, [err]),
        "tg_inc_subtensor": (i64, [i64, i64, i32, err]),
        "tg_shared": (i64, [cp, i32, p64, cp, err]),
        "tg_dead_shared": (vp, [err]),
        "tg_grad": (None, [i64, p64, i32, p64, i32, cp, cp, p64, p64, pi32, err]),
        "tg_function": (i64, [p64, i32, p64, i32, p64, i32, p64, i32, cp, cp, err]),
        "tg_function_info": (vp, [i64, err]),
        "tg_function_fgraph": (vp, [i64, err]),
        "tg_function_debugprint": (vp, [i64, err]),
        "tg_graph_dump": (vp, [p64, i32, i32, p64, pi32, p64, pi32, err]),
        "tg_graph_load": (i32, [cp, p64, i32, p64, i32, p64, i32, err]),
        "tg_debugprint": (vp, [p64, i32, err]),
        "tg_pp": (vp, [p64, i32, err]),
        "tg_scan": (vp, [cp, cp, err]),
        "tg_debug_panic": (None, [err]),
        "tg_gc": (None, []),
        "tg_live_handles": (i64, []),
    }
    # Exports of the C++ backend's wiring: a library built before it lacks them.
    optional = {
        "tg_function_source": (vp, [i64, err]),
        "tg_function_profile": (vp, [i64, err]),
        "tg_sync_environ": (None, [cp, i64, err]),
        "tg_reduce_tolerance": (ctypes.c_double, [cp, i64, err]),
    }
    for name, (restype, argtypes) in signatures.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    for name, (restype, argtypes) in optional.items():
        fn = getattr(lib, name, None)
        if fn is not None:
            fn.restype = restype
            fn.argtypes = argtypes
    _sync_environ(lib)
    return lib


def _sync_environ(lib: ctypes.CDLL) -> None:
    """Give Go the environment as os.environ has it now. In c-shared mode Go
    copies the environment the process started with, so what a program sets
    in os.environ before ``import theanogo`` (THEANOGO_CACHE_DIR,
    THEANOGO_FLAGS, THEANO_FLAGS, XDG_CACHE_HOME, HOME, THEANOGO_CXX,
    THEANOGO_BLAS, PATH for the compiler...) would not reach Go: this runs
    when the library loads, before Go reads any of them. Changes made after
    the import are not seen, as in Theano, which reads its flags once."""
    fn = getattr(lib, "tg_sync_environ", None)
    if fn is None:  # a library built before the export
        return
    environ = getattr(os, "environb", None)
    if environ is None:  # pragma: no cover - not POSIX
        entries = [f"{k}={v}".encode("utf-8", "surrogateescape") for k, v in os.environ.items()]
    else:
        entries = [k + b"=" + v for k, v in environ.items()]
    block = b"".join(e + b"\0" for e in entries if b"\0" not in e)
    err = ctypes.c_void_p()
    fn(block, len(block), ctypes.byref(err))
    if err.value:
        message = ctypes.string_at(err.value).decode("utf-8", "replace")
        lib.tg_free(err.value)
        raise ImportError(f"theanogo: cannot pass the environment to the Go library: {message}")


_lib = _load()


def _take_string(ptr: int | None) -> str:
    """Decode a C string Go returned and free it."""
    if not ptr:
        return ""
    try:
        return ctypes.string_at(ptr).decode("utf-8", "replace")
    finally:
        _lib.tg_free(ptr)


def _call(fn: Any, *args: Any) -> Any:
    """Call a Go export with a trailing error out-parameter; raise on error."""
    err = ctypes.c_void_p()
    result = fn(*args, ctypes.byref(err))
    if err.value:
        raise_error(_take_string(err.value))
    return result


def raise_error(text: str) -> None:
    """Raise Go's "ExceptionClass: message" error as that Python exception,
    with the user's file and line appended. theanogo._rt calls this when a
    kernel fails."""
    cls_name, sep, msg = text.partition(": ")
    cls = _EXCEPTIONS.get(cls_name) if sep else None
    if cls is None:
        cls, msg = RuntimeError, text
    where = _user_location()
    raise cls(f"{msg}\n  (at {where})" if where else msg)


EVAL_KERNEL: int = ctypes.cast(_lib.tg_eval_kernel, ctypes.c_void_p).value or 0
"""The address of the Go evaluator's kernel (tg_kernel.h), for theanogo._rt."""


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_PACKAGE_PREFIX = _PACKAGE_DIR + os.sep


def _user_location() -> str:
    """The file and line of the innermost caller outside theanogo: where the
    user wrote the expression or the call that failed."""
    frame = sys._getframe(1)
    while frame is not None:
        path = frame.f_code.co_filename
        if not path.startswith(_PACKAGE_PREFIX) and not os.path.abspath(path).startswith(_PACKAGE_PREFIX):
            return f"{path}:{frame.f_lineno}"
        frame = frame.f_back
    return ""


def _int64s(values: Sequence[int]) -> Any:
    return (ctypes.c_int64 * max(len(values), 1))(*values)


def _c(s: str | None) -> bytes:
    return (s or "").encode("utf-8")


def _native(arr: np.ndarray) -> np.ndarray:
    """Return arr C-contiguous and in native byte order (what Go copies)."""
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    if not arr.flags.c_contiguous:
        arr = arr.copy(order="C")
    return arr


def _buffer_args(arr: np.ndarray) -> tuple:
    arr = _native(arr)
    return (_c(arr.dtype.name), arr.ndim, _int64s(arr.shape), arr.ctypes.data, arr.nbytes), arr


# --- handles -----------------------------------------------------------------

def release(handle: int, _lib: Any = _lib) -> None:
    """Drop a handle. Safe to call from finalizers, also at interpreter exit."""
    try:
        _lib.tg_release(handle)
    except Exception:  # pragma: no cover - interpreter shutdown
        pass


# --- arrays ------------------------------------------------------------------

def array_take(handle: int) -> np.ndarray:
    """Copy the Go array behind handle into a new numpy array and release it."""
    try:
        shape = (ctypes.c_int64 * MAX_RANK)()
        ndim = ctypes.c_int()
        dtype = _take_string(_call(_lib.tg_array_meta, handle, shape, ctypes.byref(ndim)))
        out = np.empty(tuple(shape[: ndim.value]), dtype=dtype)
        _call(_lib.tg_array_copy, handle, out.ctypes.data, out.nbytes)
        return out
    finally:
        release(handle)


# --- variables -----------------------------------------------------------------

def input(dtype: str, shape: Sequence[int], name: str | None) -> int:
    return _call(_lib.tg_input, _c(dtype), len(shape), _int64s(shape), _c(name))


def constant(arr: np.ndarray) -> int:
    args, keep = _buffer_args(arr)
    h = _call(_lib.tg_constant, *args)
    del keep
    return h


def apply(name: str, params: dict | None, inputs: Sequence[int]) -> int:
    text = json.dumps(params) if params else ""
    return _call(_lib.tg_apply, _c(name), _c(text), _int64s(inputs), len(inputs), _c(_user_location()))


def inc_subtensor(sub: int, y: int, set_: bool) -> int:
    return _call(_lib.tg_inc_subtensor, sub, y, 1 if set_ else 0)


def var_meta(handle: int) -> tuple[str, tuple[int, ...]]:
    """The dtype name and static shape (None for unknown lengths) of a variable."""
    shape = (ctypes.c_int64 * MAX_RANK)()
    ndim = ctypes.c_int()
    dtype = _take_string(_call(_lib.tg_var_meta, handle, shape, ctypes.byref(ndim)))
    return dtype, tuple(None if d < 0 else d for d in shape[: ndim.value])


def var_info(handle: int) -> dict:
    return json.loads(_take_string(_call(_lib.tg_var_info, handle)))


def var_set_name(handle: int, name: str | None) -> None:
    _call(_lib.tg_var_set_name, handle, _c(name))


def var_value(handle: int) -> np.ndarray:
    """A copy of a constant's value."""
    return array_take(_call(_lib.tg_var_value, handle))


def reduce_tolerance(dtype: str, n: int) -> float:
    """core/ops.ReduceTolerance: how far, relative to the sum of the folded
    magnitudes, two correct folds of n elements with a result of dtype may
    differ (2*(n-1)*2**-53 + eps(dtype) for floats, 0 for integers)."""
    return float(_call(_lib.tg_reduce_tolerance, _c(dtype), int(n)))


def op_names() -> list[str]:
    return json.loads(_take_string(_call(_lib.tg_op_names)))


def scalar_ops() -> list[dict]:
    """The Go scalar op table's rows: [{"name": "add", "arity": 2, "doc": "x + y"}, ...]."""
    return json.loads(_take_string(_call(_lib.tg_scalar_ops)))


# --- shared variables ------------------------------------------------------------

def shared(dtype: str, static_shape: Sequence[int], name: str | None) -> int:
    """A new shared variable of the given type (-1 unknown length). Go knows
    only its type and id; its value lives in Python."""
    return _call(_lib.tg_shared, _c(dtype), len(static_shape), _int64s(static_shape), _c(name))


def dead_shared() -> list[int]:
    """Ids of the shared variables Go has collected since the last call."""
    return json.loads(_take_string(_call(_lib.tg_dead_shared)))


# --- gradients, functions, printing ------------------------------------------------

def grad(cost: int, wrt: Sequence[int], consider: Sequence[int], disconnected: str) -> tuple[list[int], list[int]]:
    """Gradient handles for each wrt, and the indices of disconnected ones."""
    n = len(wrt)
    out = (ctypes.c_int64 * max(n, 1))()
    disc = (ctypes.c_int64 * max(n, 1))()
    ndisc = ctypes.c_int()
    _call(_lib.tg_grad, cost, _int64s(wrt), n, _int64s(consider), len(consider),
          _c(disconnected), _c(_user_location()), out, disc, ctypes.byref(ndisc))
    return list(out[:n]), list(disc[: ndisc.value])


def function(inputs: Sequence[int], outputs: Sequence[int], updates: Sequence[tuple[int, int]],
             givens: Sequence[tuple[int, int]], on_unused_input: str, mode: str) -> int:
    """Compile a function; mode is "FAST_RUN", "FAST_COMPILE" or "" (the default)."""
    flat_up = [h for pair in updates for h in pair]
    flat_gv = [h for pair in givens for h in pair]
    return _call(_lib.tg_function, _int64s(inputs), len(inputs), _int64s(outputs), len(outputs),
                 _int64s(flat_up), len(updates), _int64s(flat_gv), len(givens), _c(on_unused_input), _c(mode))


def function_info(handle: int) -> dict:
    """What calling a compiled function needs: shared (variable ids, in the
    order their values follow the arguments), n_outputs, updates (index into
    shared of each update target), results ({dtype, shape}: outputs, then
    update values), warnings, mode, backend."""
    return json.loads(_take_string(_call(_lib.tg_function_info, handle)))


def function_fgraph(handle: int) -> dict:
    """The optimized graph a function runs: handles ({id: handle}, which the
    caller owns), inputs, outputs and nodes ({op, inputs, outputs}) by id."""
    return json.loads(_take_string(_call(_lib.tg_function_fgraph, handle)))


def graph_dump(outputs: Sequence[int]) -> tuple[str, list[int], list[int]]:
    """Serialize the graphs computing outputs: the JSON text, and new handles
    (the caller owns them) to the shared variables and to the free inputs it
    refers to, in the order it numbers them."""
    room = 1 << 16
    shared, inputs = (ctypes.c_int64 * room)(), (ctypes.c_int64 * room)()
    nshared, ninputs = ctypes.c_int(), ctypes.c_int()
    text = _take_string(_call(_lib.tg_graph_dump, _int64s(outputs), len(outputs), room,
                              shared, ctypes.byref(nshared), inputs, ctypes.byref(ninputs)))
    return text, list(shared[: nshared.value]), list(inputs[: ninputs.value])


def graph_load(text: str, shared: Sequence[int], inputs: Sequence[int], nouts: int) -> list[int]:
    """Rebuild a graph_dump text with the given shared-variable and input
    handles standing for its own; returns handles to its outputs."""
    outs = (ctypes.c_int64 * max(nouts, 1))()
    n = _call(_lib.tg_graph_load, _c(text), _int64s(shared), len(shared), _int64s(inputs), len(inputs), outs, nouts)
    return list(outs[:n])


def function_debugprint(handle: int) -> str:
    """The graph a compiled function evaluates (outputs, then update values)."""
    return _take_string(_call(_lib.tg_function_debugprint, handle))


def function_source(handle: int) -> str:
    """The C++ source generated for a compiled function ("" when it runs on
    the evaluator, or when the library has no C++ backend)."""
    fn = getattr(_lib, "tg_function_source", None)
    return _take_string(_call(fn, handle)) if fn is not None else ""


def function_profile(handle: int) -> list[dict]:
    """Per-node times of a function compiled with profile=True: one
    {node, op, source, ns, calls} per node ([] without profiling)."""
    fn = getattr(_lib, "tg_function_profile", None)
    if fn is None:
        return []
    return json.loads(_take_string(_call(fn, handle)) or "[]") or []


def scan(request: str) -> str:
    """Build a scan loop from tg_scan's JSON request; returns the JSON reply
    (output handles, update value handles)."""
    return _take_string(_call(_lib.tg_scan, _c(request), _c(_user_location())))


def debugprint(outputs: Sequence[int]) -> str:
    return _take_string(_call(_lib.tg_debugprint, _int64s(outputs), len(outputs)))


def pp(outputs: Sequence[int]) -> str:
    """theano.printing.pp's text of the variables, one line each."""
    return _take_string(_call(_lib.tg_pp, _int64s(outputs), len(outputs)))


# --- for tests ---------------------------------------------------------------------

def debug_panic() -> None:
    """Make Go panic on purpose; raises RuntimeError."""
    _call(_lib.tg_debug_panic)


def go_gc() -> None:
    """Run Go's garbage collector."""
    _lib.tg_gc()


def live_handles() -> int:
    return _lib.tg_live_handles()
