"""theanogo.function: compile symbolic inputs and outputs into a callable.

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

import sys
import warnings
from typing import Any, Sequence

from .. import _lib
from ..config import config
from ..tensor.var import TensorVariable, as_tensor_variable
from .filter import filter_value


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


class Function:
    """A compiled function. Call it with one value per input, by position
    (or by input name as a keyword); it returns a numpy array, or a list of
    them when compiled with a list of outputs."""

    def __init__(self, handle: int, inputs: list[TensorVariable], outputs: list[TensorVariable],
                 single: bool, allow_input_downcast: bool | None, name: str | None) -> None:
        self._h = handle
        self.inputs = inputs
        self.outputs = outputs
        self._single = single
        self._types = [v.type for v in inputs]
        self._allow_downcast = allow_input_downcast
        self.name = name

    def __del__(self, _release=_lib.release) -> None:
        h = getattr(self, "_h", 0)
        if h:
            self._h = 0
            _release(h)

    def _where(self, i: int) -> str:
        name = f' with name "{self.name}"' if self.name else ""
        var = self.inputs[i].name
        return f"Bad input argument to theanogo function{name} at index {i} (0-based)" + (f" ({var})" if var else "")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        args = list(args)
        if kwargs:
            by_name = {v.name: i for i, v in enumerate(self.inputs) if v.name}
            args += [None] * (len(self.inputs) - len(args))
            for key, value in kwargs.items():
                if key not in by_name:
                    raise TypeError(f"Unknown input or state: {key}")
                if by_name[key] < len(args) and args[by_name[key]] is not None:
                    raise TypeError(f"Multiple values for input: {key}")
                args[by_name[key]] = value
            if any(a is None for a in args):
                missing = [self.inputs[i].name or str(i) for i, a in enumerate(args) if a is None]
                raise TypeError(f"Missing required input: {', '.join(missing)}")
        if len(args) != len(self.inputs):
            raise TypeError(
                f"{self.name or 'function'} takes {len(self.inputs)} argument(s), got {len(args)}")
        arrays = [filter_value(a, t, self._allow_downcast, self._where(i))
                  for i, (a, t) in enumerate(zip(args, self._types))]
        outs = _lib.function_call(self._h, arrays, len(self.outputs))
        return outs[0] if self._single else outs


def function(inputs: Sequence[TensorVariable], outputs: Any = None, mode: Any = None, updates: Any = None,
             givens: Any = None, no_default_updates: bool = False, accept_inplace: bool = False,
             name: str | None = None, rebuild_strict: bool = True, allow_input_downcast: bool | None = None,
             profile: Any = None, on_unused_input: str | None = None) -> Function:
    """Compile a function from inputs to outputs, Theano's ``theano.function``.

    - outputs: a variable (the call returns one array) or a list (a list).
    - updates: (shared, expression) pairs or a dict; each shared variable
      gets its new value after all outputs are computed, from the old values.
    - givens: (variable, replacement) pairs or a dict, substituted in the graph.
    - allow_input_downcast: accept arguments whose dtype loses precision.
    - on_unused_input: 'raise' (default), 'warn' or 'ignore'.

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
    outs = [as_tensor_variable(o) for o in outs]
    on_unused = on_unused_input or config.on_unused_input
    if on_unused not in ("raise", "warn", "ignore"):
        raise ValueError(f"on_unused_input must be 'raise', 'warn' or 'ignore', got {on_unused!r}")
    ups = _pairs(updates, "updates")
    gvs = _pairs(givens, "givens")
    handle = _lib.function(
        [v._h for v in inputs], [o._h for o in outs],
        [(k._h, v._h) for k, v in ups], [(k._h, v._h) for k, v in gvs], on_unused)
    fn = Function(handle, list(inputs), outs, single, allow_input_downcast, name)
    if config.print_graph:
        print(f"theanogo.function{' ' + name if name else ''}:\n{_lib.function_debugprint(handle)}", file=sys.stderr)
    for message in _lib.function_warnings(handle):
        warnings.warn(message, UserWarning, stacklevel=2)
    return fn
