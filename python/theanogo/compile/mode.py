"""Modes, as Theano's theano.compile.mode: how a function is compiled.

A mode is a linker (which backend runs the function) and an optimizer (the
rewrites applied first), plus rewrites included, excluded or required by
name or tag. ``function(mode=...)`` takes a Mode, a mode name or None
(``config.mode``):

>>> import theanogo, theanogo.tensor as T
>>> from theanogo.compile.mode import get_default_mode
>>> x = T.dvector("x")
>>> mode = get_default_mode().excluding("merge")
>>> f = theanogo.function([x], x + x, mode=mode)
>>> mode.excluding("fusion").excluded
('merge', 'fusion')

The Go core does the work: this module only builds the options it is
compiled with (``Mode.options``); Go checks the names.

How names map, as in Theano:

- ``'Mode'``: ``Mode()``, which takes ``config.linker`` and
  ``config.optimizer``; ``'FAST_RUN'``: the optimized mode, optimizer
  ``'fast_run'``; ``'FAST_COMPILE'``: the Go evaluator with the
  ``'fast_compile'`` optimizer; ``'DebugMode'`` and ``'NanGuardMode'``: those
  classes with their defaults.
- The flags ``optimizer_including``, ``optimizer_excluding`` and
  ``optimizer_requiring`` adjust modes given by name (or None), not Mode
  objects passed to ``function``, as in Theano.
- Linkers: ``'py'`` is the Go evaluator (FAST_COMPILE's backend); ``'cvm'``,
  ``'vm'``, ``'c'``, ``'c|py'`` (and their ``_nogc`` forms) are the optimized
  backend (FAST_RUN's).
"""

from __future__ import annotations

from typing import Any

from ..config import config

__all__ = ["Mode", "DebugMode", "NanGuardMode", "FAST_RUN", "FAST_COMPILE", "get_mode", "get_default_mode",
           "predefined_modes", "predefined_linkers"]

# Theano's linker names, by the Go mode whose backend serves them.
predefined_linkers: dict[str, str] = {
    "py": "FAST_COMPILE",
    "cvm": "FAST_RUN", "vm": "FAST_RUN", "c": "FAST_RUN", "c|py": "FAST_RUN",
    "cvm_nogc": "FAST_RUN", "vm_nogc": "FAST_RUN", "c|py_nogc": "FAST_RUN",
}


def _optimizer_name(optimizer: Any) -> str:
    """Theano's optimizer argument as the Go preset name: None is 'None'."""
    if optimizer is None:
        return "None"
    if not isinstance(optimizer, str):
        raise TypeError(f"Mode: optimizer must be a name ('fast_run', 'fast_compile', 'stabilize', 'None') "
                        f"or None, got {optimizer!r}")
    return optimizer


class Mode:
    """A compilation mode: Theano's ``Mode(linker=None, optimizer='default')``.

    - linker: None (``config.linker``) or one of ``predefined_linkers``.
    - optimizer: ``'default'`` (``config.optimizer``), ``'fast_run'``,
      ``'fast_compile'``, ``'stabilize'``, or None / ``'None'`` for no rewrites.

    ``including``, ``excluding`` and ``requiring`` return a new mode with
    rewrites (by rule name, tag or pass name, such as ``'merge'``,
    ``'canonicalize'``, ``'fusion'``) added, removed, or restricted to those
    carrying every required tag.
    """

    go_mode: str | None = None  # the Go mode a subclass names; None: from the linker

    def __init__(self, linker: str | None = None, optimizer: Any = "default") -> None:
        self.provided_linker = linker
        self.provided_optimizer = optimizer
        if linker is None:
            linker = config.linker
        if linker not in predefined_linkers:
            raise ValueError(f"Mode: unknown linker {linker!r} (known: {', '.join(predefined_linkers)})")
        self.linker = linker
        if isinstance(optimizer, str) and optimizer == "default":
            optimizer = config.optimizer
        self.optimizer = _optimizer_name(optimizer)
        self.included: tuple[str, ...] = ()
        self.excluded: tuple[str, ...] = ()
        self.required: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The Go mode this mode compiles with: its backend."""
        return self.go_mode or predefined_linkers[self.linker]

    def _with(self, **changes: Any) -> "Mode":
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new

    @staticmethod
    def _names(what: str, tags: tuple) -> tuple[str, ...]:
        for t in tags:
            if not isinstance(t, str):
                raise TypeError(f"Mode.{what}: rewrite names and tags are strings, got {t!r}")
        return tuple(tags)

    def including(self, *tags: str) -> "Mode":
        """A new mode that also runs the rewrites (or passes) named or tagged so."""
        return self._with(included=self.included + self._names("including", tags))

    def excluding(self, *tags: str) -> "Mode":
        """A new mode that never runs the rewrites (or passes) named or tagged so."""
        return self._with(excluded=self.excluded + self._names("excluding", tags))

    def requiring(self, *tags: str) -> "Mode":
        """A new mode that runs only rewrites carrying all of these tags."""
        return self._with(required=self.required + self._names("requiring", tags))

    def clone(self, link_kwargs: Any = None, optimizer: Any = "", **kwargs: Any) -> "Mode":
        """A copy, with another optimizer when one is given (as Theano's)."""
        if optimizer == "":
            return self._with()
        return self._with(provided_optimizer=optimizer,
                          optimizer=_optimizer_name(config.optimizer if optimizer == "default" else optimizer))

    def options(self) -> dict:
        """What Go compiles with: tg_function's JSON mode options."""
        return {"mode": self.name, "optimizer": self.optimizer, "including": list(self.included),
                "excluding": list(self.excluded), "requiring": list(self.required),
                "verbose": bool(config.optimizer_verbose), "strict": False}

    def __repr__(self) -> str:
        adjust = "".join(f".{what}({', '.join(map(repr, names))})" for what, names in
                         (("including", self.included), ("excluding", self.excluded), ("requiring", self.required))
                         if names)
        return f"{type(self).__name__}(linker={self.linker!r}, optimizer={self.optimizer!r}){adjust}"


class DebugMode(Mode):
    """Theano's DebugMode: the optimized backend's results cross-checked
    against the Go evaluator's, and every rewrite checked to preserve values;
    a failing rewrite is an error, not a warning. The check_* arguments are
    accepted for Theano programs; Go decides what it checks."""

    go_mode = "DebugMode"

    def __init__(self, optimizer: Any = "fast_run", stability_patience: int | None = None,
                 check_c_code: bool | None = None, check_py_code: bool | None = None,
                 check_isfinite: bool | None = None, check_preallocated_output: Any = None,
                 require_matching_strides: int | None = None, linker: str | None = None) -> None:
        super().__init__(linker=linker, optimizer=optimizer)
        self.stability_patience = stability_patience
        self.check_c_code = check_c_code
        self.check_py_code = check_py_code
        self.check_isfinite = check_isfinite
        self.check_preallocated_output = check_preallocated_output
        self.require_matching_strides = require_matching_strides

    def options(self) -> dict:
        return {**super().options(), "strict": True}


class NanGuardMode(Mode):
    """Theano's NanGuardMode: every op's outputs are checked, and an error
    names the op that produced a NaN (nan_is_error), an infinity
    (inf_is_error) or a value above 1e10 in magnitude (big_is_error). None
    means True, as Theano's defaults."""

    go_mode = "NanGuardMode"

    def __init__(self, nan_is_error: bool | None = None, inf_is_error: bool | None = None,
                 big_is_error: bool | None = None, optimizer: Any = "default", linker: str | None = None) -> None:
        super().__init__(linker=linker, optimizer=optimizer)
        self.nan_is_error = True if nan_is_error is None else bool(nan_is_error)
        self.inf_is_error = True if inf_is_error is None else bool(inf_is_error)
        self.big_is_error = True if big_is_error is None else bool(big_is_error)

    def options(self) -> dict:
        return {**super().options(), "nan_is_error": self.nan_is_error, "inf_is_error": self.inf_is_error,
                "big_is_error": self.big_is_error}


FAST_RUN = Mode("cvm", "fast_run")
FAST_COMPILE = Mode("py", "fast_compile")

predefined_modes: dict[str, Mode] = {"FAST_RUN": FAST_RUN, "FAST_COMPILE": FAST_COMPILE}


def get_mode(mode: Any) -> Mode:
    """The Mode function(mode=...) compiles with: a Mode (or any object with
    an ``options()`` method or a ``name``) as given; a name or None
    (``config.mode``) looked up, then adjusted by the optimizer_including,
    optimizer_excluding and optimizer_requiring flags."""
    if mode is not None and not isinstance(mode, str):
        return mode
    name = config.mode if mode is None else mode
    if name == "Mode":
        found = Mode()
    elif name == "DebugMode":
        found = DebugMode(optimizer=config.optimizer)
    elif name == "NanGuardMode":
        found = NanGuardMode()
    elif name in predefined_modes:
        found = predefined_modes[name]
    else:
        raise ValueError(f"unknown mode {name!r} (known: Mode, FAST_RUN, FAST_COMPILE, DebugMode, NanGuardMode)")
    for flag, method in (("optimizer_excluding", "excluding"), ("optimizer_including", "including"),
                         ("optimizer_requiring", "requiring")):
        names = [n for n in getattr(config, flag).split(":") if n]
        if names:
            found = getattr(found, method)(*names)
    return found


def get_default_mode() -> Mode:
    """The mode of function(mode=None): get_mode(config.mode)."""
    return get_mode(None)
