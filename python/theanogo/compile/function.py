"""theanogo.function: compile symbolic inputs and outputs into a callable.

A Function is a theanogo._rt.Kernel: calling it with positional arguments
runs in C (argument checks, the shared-value snapshot, the kernel call, the
update commit); only conversions of arguments that are not already arrays of
the right type, and keyword arguments, come back here.

The kernel is the C++ function Go generated and compiled for the optimized
graph (``f.backend == 'cxx'``: FAST_RUN, the default mode, the linkers c,
cvm, vm), or the Go evaluator (``'evaluator'``: FAST_COMPILE, the linker py,
or when no compiler is found, with a warning; see config.cxx_fallback).
DebugMode calls the Go side, which runs both and compares them.

>>> import numpy as np
>>> import theanogo
>>> import theanogo.tensor as T
>>> x = T.dvector("x")
>>> acc = theanogo.shared(0.0, name="acc")
>>> f = theanogo.function([x], x.sum(), updates=[(acc, acc + x.sum())])
>>> float(f(np.ones(3))), float(acc.get_value())
(3.0, 3.0)
"""

from __future__ import annotations

import functools
import json
import os
import sys
import warnings
from typing import Any, Sequence

import numpy as np

from .. import _lib, _rt
from ..config import config
from ..tensor.var import Apply, TensorConstant, TensorVariable, as_tensor_variable
from .filter import filter_value
from .io import SymbolicOutput
from .mode import Mode, get_mode
from .profiling import ProfileStats
from .sharedvalue import SharedVariable, drain_dead_shared, registered, wrap_shared


def _pairs(spec: Any, what: str) -> list[tuple[TensorVariable, TensorVariable]]:
    if spec is None:
        return []
    if isinstance(spec, dict):  # dicts keep insertion order: updates apply in that order
        spec = list(spec.items())
    pairs = []
    for item in spec:
        try:
            key, value = item
        except (TypeError, ValueError):
            raise TypeError(f"{what} must be a dict or a list of (variable, expression) pairs, got {item!r}") from None
        if not isinstance(key, TensorVariable):
            raise TypeError(f"{what}: {key!r} is not a variable")
        pairs.append((key, as_tensor_variable(value)))
    return pairs


# The compile-cache seed setup.py builds beside the package (codegen/driver/seed.go).
_RUNTIME_SEED = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rtseed")


@functools.lru_cache(maxsize=None)
def _blas_library() -> str:
    """The BLAS shared library the generated code loads (theanogo._blas
    finds it, once per process); "" means the runtime's portable loops."""
    try:
        from .. import _blas
    except ImportError:
        return ""
    return str(_blas.blas_library() or "")


def _backend_options(profile: bool) -> dict:
    """The C++ backend's part of tg_function's mode options, from config:
    cxx (only once set: unset, Go finds a compiler; '' means none),
    cxxflags, cxx_fallback, profile, blas, cache_dir, cache_max_bytes
    (compiledir_max_size; 0: no limit) and runtime_seed (the
    runtime library and precompiled header built at install, copied into an
    empty cache instead of being built again)."""
    options: dict[str, Any] = {"cxxflags": config.gcc__cxxflags, "cxx_fallback": config.cxx_fallback,
                               "profile": bool(profile), "blas": _blas_library(),
                               "cache_max_bytes": int(config.compiledir_max_size)}
    if os.path.isdir(_RUNTIME_SEED):
        options["runtime_seed"] = _RUNTIME_SEED
    if config.is_set("cxx"):
        options["cxx"] = config.cxx
    if config.compiledir:
        options["cache_dir"] = config.compiledir
    return options


def _go_prints_source() -> bool:
    """Whether Go prints the generated source itself: it reads
    cxx_print_source from THEANOGO_FLAGS and THEANO_FLAGS (codegen/cxx);
    config.cxx_print_source set any other way is printed here."""
    for variable in ("THEANOGO_FLAGS", "THEANO_FLAGS"):
        for item in os.environ.get(variable, "").split(","):
            key, _, value = item.partition("=")
            if key.strip() == "cxx_print_source" and value.strip().lower() in ("true", "1", "yes"):
                return True
    return False


def _mode_options(mode: Any, profile: bool = False) -> tuple[Any, dict]:
    """The mode function's mode argument names (a Mode, a mode name or None
    for config.mode, resolved by get_mode; an object with just a ``name``,
    the Go mode's, is accepted too) and tg_function's mode options for it,
    with the C++ backend's options from config."""
    m = get_mode(mode)
    if isinstance(m, Mode):
        return m, {**m.options(), **_backend_options(profile)}
    name = getattr(m, "name", None)
    if not isinstance(name, str):
        raise TypeError(f"function: mode must be a Mode, a mode name ('FAST_RUN', 'FAST_COMPILE', 'DebugMode', "
                        f"'NanGuardMode', 'Mode') or None, got {mode!r}")
    return name, {"mode": name, "verbose": bool(config.optimizer_verbose), **_backend_options(profile)}


def _check_device() -> None:
    if config.device != "cpu":
        raise NotImplementedError(
            f"theanogo.function: config.device is {config.device!r}, but theanogo has no GPU backend yet; "
            "set device=cpu (THEANOGO_FLAGS=device=cpu, which wins over THEANO_FLAGS) to run on the CPU")


class _Compiled:
    """A compiled Go function: its handle (released when the last Function
    object over it goes) and its call description (_lib.function_info)."""

    def __init__(self, handle: int, spec: tuple = ()) -> None:
        self.handle = handle
        self.info: dict = {}
        self.info = _lib.function_info(handle)  # on error, __del__ still releases the handle
        # (inputs, outputs, updates, givens, keyword arguments): what
        # theanogo.function received, for pickling.
        self.spec = spec

    def __del__(self, _release=_lib.release) -> None:
        h = getattr(self, "handle", 0)
        if h:
            self.handle = 0
            _release(h)


class FunctionGraph:
    """The optimized graph a compiled function runs (``f.maker.fgraph``):
    ``inputs`` (explicit inputs, then the shared variables read),
    ``outputs`` (outputs, then update values), ``apply_nodes`` and
    ``toposort()`` (Apply nodes in dependency order)."""

    def __init__(self, inputs: list[TensorVariable], outputs: list[TensorVariable], nodes: list[Apply]) -> None:
        self.inputs = inputs
        self.outputs = outputs
        self._nodes = nodes
        self.apply_nodes = set(nodes)

    def toposort(self) -> list[Apply]:
        return list(self._nodes)

    @property
    def variables(self) -> set[TensorVariable]:
        vs = set(self.inputs) | set(self.outputs)
        for node in self._nodes:
            vs.update(node.inputs)
            vs.update(node.outputs)
        return vs


def _load_fgraph(compiled: _Compiled) -> FunctionGraph:
    data = _lib.function_fgraph(compiled.handle)
    variables: dict[int, TensorVariable] = {}
    for key, handle in data["handles"].items():
        vid = int(key)
        info = _lib.var_info(handle)
        if info["kind"] == "shared":
            container, typenum, static = registered(vid)
            variables[vid] = wrap_shared(handle, container, typenum, static)
        elif info["kind"] == "constant":
            variables[vid] = TensorConstant(handle)
        else:
            variables[vid] = TensorVariable(handle)
    nodes = [Apply(n["op"], [variables[i] for i in n["inputs"]], [variables[i] for i in n["outputs"]])
             for n in data["nodes"] or []]  # null when the graph has no node (x ** 1 is x)
    return FunctionGraph([variables[i] for i in data["inputs"]], [variables[i] for i in data["outputs"]], nodes)


# Go modes whose calls go through Go's checks, never straight to the C++ kernel.
_CHECKED_MODES = ("DebugMode", "NanGuardMode")


class FunctionMaker:
    """What ``f.maker`` gives: the compiled graph (``fgraph``, fetched from
    Go on first use), the inputs and outputs, the mode, the optimizer and
    the rewrites it applied, and the backend: ``backend`` (also
    ``linker``) is 'cxx' or 'evaluator', ``source`` the generated C++,
    ``source_path`` where it was kept, ``evaluator_nodes`` the nodes the
    C++ function hands to the Go evaluator."""

    def __init__(self, compiled: _Compiled, inputs: list[TensorVariable], outputs: list[TensorVariable]) -> None:
        self._compiled = compiled
        self.inputs = inputs
        self.outputs = outputs
        info = compiled.info
        self.mode = info["mode"]  # the Go mode's name: 'FAST_RUN', 'FAST_COMPILE'...
        self.optimizer = info["optimizer"]  # the optimizer preset that ran
        self.rewrites = dict(info["rewrites"] or {})  # rewrites applied, {rule: count}
        self.optimizer_log = info["optimizer_log"]  # one line per rewrite, with optimizer_verbose
        self.backend: str = info["backend"]  # 'cxx' or 'evaluator'
        self.linker: str = self.backend
        self.evaluator_nodes: list[str] = list(info.get("evaluator_nodes") or [])
        self.source_path: str = info.get("source_path") or ""
        self.compiler: str = info.get("compiler") or ""
        self._fgraph: FunctionGraph | None = None

    @property
    def source(self) -> str:
        """The generated C++ translation unit ('' on the evaluator)."""
        return _lib.function_source(self._compiled.handle)

    def describe_backend(self) -> str:
        """One line for humans: 'cxx (g++ ...)', with the nodes left to the
        evaluator if any, or 'evaluator'."""
        if self.backend != "cxx":
            return self.backend
        compiler = self.compiler or (config.cxx if config.is_set("cxx") else "")
        text = f"cxx ({compiler})" if compiler else "cxx"
        if self.evaluator_nodes:
            text += f"; on the evaluator: {', '.join(self.evaluator_nodes)}"
        return text

    @property
    def fgraph(self) -> FunctionGraph:
        if self._fgraph is None:
            self._fgraph = _load_fgraph(self._compiled)
        return self._fgraph


def _filter_argument(fn: "Function", i: int, value: Any) -> np.ndarray:
    """theanogo._rt's slow path for argument i: convert value by Theano's
    rules and check its rank and static lengths, or raise."""
    type_ = fn._types[i]
    where = fn._where(i)
    arr = filter_value(value, type_, fn._allow_downcast, where)
    if arr.ndim != type_.ndim:
        raise TypeError(f"{where}: expected {type_.ndim} dimensions for {type_}, got an array of shape {arr.shape}")
    for got, want in zip(arr.shape, type_.shape):
        if want is not None and got != want:
            raise ValueError(f"{where}: shape {arr.shape} does not match the static shape "
                             f"{tuple(type_.shape)} of {type_}")
    if not arr.flags.aligned:
        arr = arr.copy()
    return arr


def _keywords_to_positional(fn: "Function", args: tuple, kwargs: dict) -> tuple:
    """theanogo._rt's path for calls with keyword arguments (input names)."""
    values = list(args) + [None] * max(len(fn.inputs) - len(args), 0)
    by_name = {v.name: i for i, v in enumerate(fn.inputs) if v.name}
    for key, value in kwargs.items():
        if key not in by_name:
            raise TypeError(f"Unknown input or state: {key}")
        if by_name[key] < len(args):
            raise TypeError(f"Multiple values for input: {key}")
        values[by_name[key]] = value
    if any(a is None for a in values):
        missing = [fn.inputs[i].name or str(i) for i, a in enumerate(values) if a is None]
        raise TypeError(f"Missing required input: {', '.join(missing)}")
    return tuple(values)


class Function(_rt.Kernel):
    """A compiled function. Call it with one value per input, by position
    (or by input name as a keyword); it returns a numpy array, or a list of
    them when compiled with a list of outputs."""

    def __init__(self, compiled: _Compiled, inputs: list[TensorVariable], outputs: list[TensorVariable],
                 single: bool, allow_input_downcast: bool | None, name: str | None,
                 containers: list[list], delete_updates: bool = False, swap: dict | None = None,
                 borrow: Sequence[bool] = (), profile: ProfileStats | None = None) -> None:
        info = compiled.info
        self._swap = dict(swap or {})
        self._borrow = [bool(b) for b in borrow] or [False] * len(outputs)
        self.profile = profile
        self._compiled = compiled
        self._containers = containers
        self._single = single
        self._delete_updates = delete_updates
        self._types = [v.type for v in inputs]
        self._allow_downcast = allow_input_downcast
        self.inputs = inputs
        self.outputs = outputs
        self.name = name
        self.maker = FunctionMaker(compiled, inputs, outputs)
        input_types = [(np.dtype(t.dtype).num, tuple(-1 if d is None else d for d in t.shape)) for t in self._types]
        for vid, container in zip(info["shared"], containers):
            _, typenum, static = registered(vid)
            input_types.append((typenum, static))
        # The generated C++ kernel takes its state (tg_state*), which the
        # compiled function owns: self._compiled keeps it alive. DebugMode
        # and NanGuardMode call the Go side, which wraps the kernel in its
        # checks (DebugMode runs the evaluator too and compares).
        cxx = (info["backend"] == "cxx" and bool(info.get("kernel_address"))
               and info["mode"] not in _CHECKED_MODES)
        super().__init__(
            kernel_address=info["kernel_address"] if cxx else _lib.EVAL_KERNEL,
            function=info["kernel_state"] if cxx else compiled.handle,
            input_types=input_types,
            n_args=len(inputs),
            containers=tuple(containers),
            result_typenums=[np.dtype(r["dtype"]).num for r in info["results"]],
            update_targets=[] if delete_updates else list(info["updates"]),
            update_inplace=[] if delete_updates else [int(b) for b in info["inplace"]],
            n_outputs=info["n_outputs"],
            single=single,
            fallback=_filter_argument,
            raise_error=_lib.raise_error,
            keywords=_keywords_to_positional,
            output_borrow=self._borrow,
        )

    @property
    def backend(self) -> str:
        """What computes the results: 'cxx' (the generated C++) or 'evaluator'."""
        return self.maker.backend

    def _where(self, i: int) -> str:
        name = f' with name "{self.name}"' if self.name else ""
        var = self.inputs[i].name
        return f"Bad input argument to theanogo function{name} at index {i} (0-based)" + (f" ({var})" if var else "")

    def copy(self, share_memory: bool = False, swap: dict | None = None, delete_updates: bool = False,
             name: str | None = None, profile: Any = None) -> "Function":
        """A new function object over the same compiled graph, as Theano's
        ``Function.copy``. Shared variables stay shared, except those that
        ``swap`` ({old shared: new shared}, of the same type) redirects: the
        copy reads and updates the new ones. A compiled function keeps no
        internal state between calls (outputs are new arrays each call), so
        share_memory changes nothing. delete_updates: the copy computes but
        does not commit the updates.

        >>> import numpy as np, theanogo, theanogo.tensor as T
        >>> a, b = theanogo.shared(0.0), theanogo.shared(10.0)
        >>> f = theanogo.function([], a, updates=[(a, a + 1)])
        >>> g = f.copy(swap={a: b})
        >>> float(g()), float(b.get_value()), float(a.get_value())
        (10.0, 11.0, 0.0)
        """
        containers = list(self._containers)
        shared_ids = self._compiled.info["shared"]
        for old, new in (swap or {}).items():
            if not isinstance(old, SharedVariable) or not isinstance(new, SharedVariable):
                raise TypeError(f"Function.copy: swap maps shared variables to shared variables, got {old!r}: {new!r}")
            if old.id not in shared_ids:
                raise ValueError(f"Function.copy: {old!r} is not a shared variable of this function")
            if old.type != new.type:
                raise TypeError(f"Function.copy: cannot swap {old!r} of type {old.type} for {new!r} of type {new.type}")
            containers[shared_ids.index(old.id)] = new.container
        return Function(self._compiled, self.inputs, self.outputs, self._single, self._allow_downcast,
                        self.name if name is None else name, containers, delete_updates or self._delete_updates,
                        {**self._swap, **(swap or {})}, self._borrow, self.profile)

    def __reduce__(self) -> tuple:
        """Pickle the graph the function was compiled from (with its shared
        variables, which carry their values) and its options; unpickling
        compiles it again, over new shared variables.

        >>> import pickle, numpy as np, theanogo, theanogo.tensor as T
        >>> x = T.dscalar("x")
        >>> f = pickle.loads(pickle.dumps(theanogo.function([x], x * 2)))
        >>> float(f(3))
        6.0
        """
        from . import pickling
        inputs, outputs, updates, givens, options = self._compiled.spec
        variables = (list(inputs) + list(outputs) + [k for k, _ in updates] + [v for _, v in updates]
                     + [k for k, _ in givens] + [v for _, v in givens])
        text, shared, free = pickling.dump(variables)
        shared = [self._swap.get(s, s) for s in shared]
        layout = (len(inputs), len(outputs), len(updates), len(givens))
        return _rebuild_function, ((text, shared, free), layout, options, self._single, self._delete_updates, self.name,
                                   tuple(self._borrow))


def _rebuild_function(g: tuple, layout: tuple, options: dict, single: bool,
                      delete_updates: bool, name: str | None, borrow: tuple = ()) -> "Function":
    """Unpickle a Function: rebuild its graph and compile it again."""
    from . import pickling
    n_in, n_out, n_up, n_gv = layout
    vs = pickling.load(g, n_in + n_out + 2 * n_up + 2 * n_gv)
    inputs, vs = vs[:n_in], vs[n_in:]
    outputs, vs = vs[:n_out], vs[n_out:]
    outputs = [SymbolicOutput(o, True) if b else o for o, b in zip(outputs, borrow)] + outputs[len(borrow):]
    targets, values, vs = vs[:n_up], vs[n_up:2 * n_up], vs[2 * n_up:]
    keys, repl = vs[:n_gv], vs[n_gv:]
    fn = function(inputs, outputs[0] if single else outputs, updates=list(zip(targets, values)),
                  givens=list(zip(keys, repl)), name=name, **options)
    return fn.copy(delete_updates=True) if delete_updates else fn


_rt.enable_vectorcall(Function)


def function(inputs: Sequence[TensorVariable], outputs: Any = None, mode: Any = None, updates: Any = None,
             givens: Any = None, no_default_updates: bool = False, accept_inplace: bool = False,
             name: str | None = None, rebuild_strict: bool = True, allow_input_downcast: bool | None = None,
             profile: Any = None, on_unused_input: str | None = None) -> Function:
    """Compile a function from inputs to outputs, Theano's ``theano.function``.

    - outputs: a variable (the call returns one array) or a list (a list);
      each may be an ``Out(variable, borrow=True)`` (theanogo.Out), whose
      array the next call may overwrite (see theanogo/compile/io.py).
    - mode: a Mode (theanogo.Mode, DebugMode, NanGuardMode), a mode name
      ('FAST_RUN', 'FAST_COMPILE', 'DebugMode', 'NanGuardMode', 'Mode') or
      None (config.mode); see theanogo/compile/mode.py.
    - updates: (shared, expression) pairs or a dict; each shared variable
      gets its new value after all outputs are computed, from the old values.
    - givens: (variable, replacement) pairs or a dict, substituted in the graph.
    - allow_input_downcast: accept arguments whose dtype loses precision.
    - on_unused_input: 'raise' (default), 'warn' or 'ignore'.
    - profile: True (or config.profile) times each node: ``f.profile``
      (see theanogo/compile/profiling.py).

    >>> import numpy as np, theanogo, theanogo.tensor as T
    >>> a, b = T.dscalars("a", "b")
    >>> f = theanogo.function([a, b], [a + b, a * b])
    >>> [float(v) for v in f(2, 3)]
    [5.0, 6.0]
    """
    if isinstance(inputs, TensorVariable) or not isinstance(inputs, (list, tuple)):
        raise TypeError("function: inputs must be a list of variables")
    for v in inputs:
        if not isinstance(v, TensorVariable):
            raise TypeError(f"function: input {v!r} is not a variable (In() is not supported yet)")
    single = outputs is not None and not isinstance(outputs, (list, tuple))
    outs = [] if outputs is None else [outputs] if single else list(outputs)
    borrow = [isinstance(o, SymbolicOutput) and o.borrow for o in outs]
    outs = [as_tensor_variable(o.variable if isinstance(o, SymbolicOutput) else o) for o in outs]
    on_unused = on_unused_input or config.on_unused_input
    if on_unused not in ("raise", "warn", "ignore"):
        raise ValueError(f"on_unused_input must be 'raise', 'warn' or 'ignore', got {on_unused!r}")
    ups = _pairs(updates, "updates")
    gvs = _pairs(givens, "givens")
    _check_device()
    drain_dead_shared()
    profiling = bool(profile) if profile is not None else bool(config.profile)
    resolved, mode_options = _mode_options(mode, profiling)
    # the resolved mode, so that unpickling compiles with the same one
    options = {"mode": resolved, "allow_input_downcast": allow_input_downcast, "on_unused_input": on_unused,
               "profile": profiling}
    compiled = _Compiled(_lib.function(
        [v._h for v in inputs], [o._h for o in outs],
        [(k._h, v._h) for k, v in ups], [(k._h, v._h) for k, v in gvs], on_unused, json.dumps(mode_options)),
        (list(inputs), outs, ups, gvs, options))
    containers = [registered(vid)[0] for vid in compiled.info["shared"]]
    stats = None
    if profiling:
        stats = ProfileStats(compiled, profile if isinstance(profile, str) else name)
    fn = Function(compiled, list(inputs), outs, single, allow_input_downcast, name, containers, borrow=borrow,
                  profile=stats)
    if compiled.info["optimizer_log"]:
        sys.stderr.write(compiled.info["optimizer_log"])
    if config.print_graph:
        print(f"theanogo.function{' ' + name if name else ''}:\n{_lib.function_debugprint(compiled.handle)}",
              file=sys.stderr)
    if config.cxx_print_source and fn.maker.backend == "cxx" and not _go_prints_source():
        print(f"theanogo.function{' ' + name if name else ''}: C++ source ({fn.maker.source_path}):\n"
              f"{fn.maker.source}", file=sys.stderr)
    for message in compiled.info["warnings"]:
        warnings.warn(message, UserWarning, stacklevel=2)
    return fn
