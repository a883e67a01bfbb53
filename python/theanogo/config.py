"""theanogo's configuration, read like Theano's.

Flags come from the ``THEANOGO_FLAGS`` environment variable, a comma-separated
list of ``name=value`` pairs read once at import::

    THEANOGO_FLAGS="floatX=float32,mode=FAST_COMPILE" python train.py

and can be changed for a block of code with :func:`change_flags`:

>>> import theanogo
>>> with theanogo.config.change_flags(floatX="float32"):
...     theanogo.config.floatX
'float32'
>>> theanogo.config.floatX in ("float64", "float32")
True

Flags:

- ``floatX`` (``float64``): the dtype of ``T.matrix()`` and friends and of
  Python floats turned into constants where it matters.
- ``mode`` (``FAST_RUN``): the default function mode. Today every mode runs
  the Go evaluator; the C++ backend will serve FAST_RUN.
- ``device`` (``cpu``).
- ``on_unused_input`` (``raise``): what ``function`` does with unused inputs.
- ``print_graph`` (``False``): the debug switch; when on, every compiled
  function prints the graph it evaluates (outputs, then the new value of each
  updated shared variable) to stderr. The C++ backend will print its
  generated source under the same switch.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from typing import Any, Iterator

_DEFAULTS: dict[str, Any] = {
    "floatX": "float64",
    "mode": "FAST_RUN",
    "device": "cpu",
    "on_unused_input": "raise",
    "print_graph": False,
}

_CHOICES: dict[str, tuple] = {
    "floatX": ("float64", "float32", "float16"),
    "mode": ("FAST_RUN", "FAST_COMPILE", "DebugMode", "NanGuardMode"),
    "on_unused_input": ("raise", "warn", "ignore"),
}


def _parse(name: str, value: Any) -> Any:
    if name not in _DEFAULTS:
        raise ValueError(f"theanogo.config has no flag {name!r} (known: {', '.join(sorted(_DEFAULTS))})")
    if isinstance(_DEFAULTS[name], bool) and isinstance(value, str):
        value = value.strip().lower() in ("1", "true", "yes", "on")
    choices = _CHOICES.get(name)
    if choices and value not in choices:
        raise ValueError(f"theanogo.config.{name} must be one of {choices}, got {value!r}")
    return value


class _Config:
    """The flags as attributes: ``config.floatX``."""

    def __init__(self) -> None:
        object.__setattr__(self, "_values", dict(_DEFAULTS))

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"theanogo.config has no flag {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._values[name] = _parse(name, value)

    def __dir__(self) -> list[str]:
        return sorted(self._values) + ["change_flags"]

    @staticmethod
    def change_flags(**flags: Any) -> "contextlib.AbstractContextManager[None]":
        return change_flags(**flags)

    def _load_env(self, text: str) -> None:
        for item in text.split(","):
            item = item.strip()
            if not item:
                continue
            name, sep, value = item.partition("=")
            if not sep:
                warnings.warn(f"THEANOGO_FLAGS: ignoring {item!r} (expected name=value)")
                continue
            try:
                setattr(self, name.strip(), value.strip())
            except ValueError as exc:
                warnings.warn(f"THEANOGO_FLAGS: {exc}")


config = _Config()
config._load_env(os.environ.get("THEANOGO_FLAGS", ""))


@contextlib.contextmanager
def change_flags(**flags: Any) -> Iterator[None]:
    """Set flags for the duration of a ``with`` block, then restore them.

    >>> from theanogo import config
    >>> with config.change_flags(floatX="float32"):
    ...     print(config.floatX)
    float32
    """
    old = {name: getattr(config, name) for name in flags}
    try:
        for name, value in flags.items():
            setattr(config, name, value)
        yield
    finally:
        for name, value in old.items():
            setattr(config, name, value)


def __getattr__(name: str) -> Any:
    # `from theanogo import config; config.floatX` works with the module too.
    return getattr(config, name)
