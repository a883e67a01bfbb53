"""theanogo's configuration, read like Theano's.

Flags come from the ``THEANOGO_FLAGS`` environment variable, a comma-separated
list of ``name=value`` pairs read once at import::

    THEANOGO_FLAGS="floatX=float32,mode=FAST_COMPILE" python train.py

``THEANO_FLAGS`` is read too, for programs written for Theano; where both set
a flag, ``THEANOGO_FLAGS`` wins. Flags can be changed for a block of code
with :func:`change_flags`:

>>> import theanogo
>>> with theanogo.config.change_flags(floatX="float32"):
...     theanogo.config.floatX
'float32'
>>> theanogo.config.floatX in ("float64", "float32")
True

Flags:

- ``floatX`` (``float64``): the dtype of ``T.matrix()`` and friends and of
  Python floats turned into constants where it matters.
- ``mode`` (``Mode``): the default function mode, as in Theano: ``Mode``
  (``config.linker`` with ``config.optimizer``), ``FAST_RUN``,
  ``FAST_COMPILE``, ``DebugMode`` or ``NanGuardMode`` (see
  theanogo/compile/mode.py).
- ``linker`` (``cvm``): the backend of ``Mode``: ``py`` is the Go evaluator;
  ``cvm``, ``vm``, ``c``, ``c|py`` the C++ backend (the optimized graph
  compiled to one C++ function).
- ``optimizer`` (``fast_run``): the rewrites of ``Mode``: ``fast_run``,
  ``fast_compile`` (merge and shapes only), ``stabilize``, or ``None`` (none).
- ``optimizer_including``, ``optimizer_excluding``, ``optimizer_requiring``
  (empty): colon-separated rewrite names or tags (``merge:fusion``) added to,
  removed from, or required of the modes given by name.
- ``optimizer_verbose`` (``False``): every compiled function prints each
  rewrite applied (rule, node, the user's source line) to stderr.
- ``device`` (``cpu``): theanogo has no GPU backend yet; ``cuda``, ``cuda0``,
  ``gpu``... are accepted as values (Theano programs set them), and
  ``function`` then raises NotImplementedError saying so, instead of
  silently running on the CPU.
- ``on_unused_input`` (``raise``): what ``function`` does with unused inputs.
- ``print_graph`` (``False``): the debug switch; when on, every compiled
  function prints the graph it evaluates (outputs, then the new value of each
  updated shared variable) to stderr.

The C++ backend (FAST_RUN, the default ``Mode`` and the linkers ``c``,
``cvm``, ``vm``):

- ``cxx`` (not set): the C++ compiler. Not set, Go finds one (``$CXX``, then
  ``g++``, ``clang++``); it reads as ``''`` then. Set to a path or a name
  to choose one; set to ``''`` explicitly (``THEANO_FLAGS=cxx=``, as in
  Theano) to compile nothing: every function runs on the Go evaluator (with
  the ``cxx_fallback`` warning).
- ``gcc__cxxflags`` (``''``): extra compiler flags (``gcc.cxxflags`` in
  THEANO_FLAGS works too), such as ``-march=native``.
- ``cxx_fallback`` (``warn``): with no compiler or a compile error, ``warn``
  runs the function on the Go evaluator with a warning that carries the
  compiler's message and the path of the kept source; ``raise`` raises.
- ``compiledir`` (not set): the cache of compiled kernels; not set, Go uses
  ``$THEANOGO_CACHE_DIR`` or its default (under ``~/.cache``).
- ``compiledir_max_size`` (``4G``, read as bytes: 4294967296): the cache's
  size limit, in bytes or with a K, M, G or T suffix (powers of 1024); past
  it, compiling a new kernel removes the least recently used ones (at most
  once a minute; never one that a process is loading). ``0``: no limit.
- ``profile`` (``False``): every function times its nodes (``f.profile``,
  as ``function(..., profile=True)``).
- ``cxx_print_source`` (``False``): every function compiled to C++ prints
  its generated source to stderr.

>>> with theanogo.config.change_flags(cxx_fallback="raise"):
...     theanogo.config.cxx_fallback
'raise'
"""

from __future__ import annotations

import contextlib
import os
import re
import warnings
from typing import Any, Iterator

_DEFAULTS: dict[str, Any] = {
    "floatX": "float64",
    "mode": "Mode",
    "linker": "cvm",
    "optimizer": "fast_run",
    "optimizer_including": "",
    "optimizer_excluding": "",
    "optimizer_requiring": "",
    "optimizer_verbose": False,
    "device": "cpu",
    "on_unused_input": "raise",
    "print_graph": False,
    "cxx": "",
    "gcc__cxxflags": "",
    "cxx_fallback": "warn",
    "compiledir": "",
    "compiledir_max_size": 4 << 30,
    "profile": False,
    "cxx_print_source": False,
}

# Flags whose unset state means something of its own (Go decides): they are
# passed to Go only once set, even to their default value ('' for cxx means
# "no compiler" once set, as in Theano).
_UNSET_MEANS_DEFAULT = ("cxx", "compiledir")

_CHOICES: dict[str, tuple] = {
    "floatX": ("float64", "float32", "float16"),
    "mode": ("Mode", "FAST_RUN", "FAST_COMPILE", "DebugMode", "NanGuardMode"),
    "linker": ("cvm", "vm", "c", "c|py", "py", "cvm_nogc", "vm_nogc", "c|py_nogc"),
    "optimizer": ("fast_run", "fast_compile", "stabilize", "None"),
    "on_unused_input": ("raise", "warn", "ignore"),
    "cxx_fallback": ("warn", "raise"),
}

# Theano's dotted flag names: gcc.cxxflags is the attribute gcc__cxxflags.
_ALIASES: dict[str, str] = {"gcc.cxxflags": "gcc__cxxflags", "base_compiledir": "compiledir"}


# cpu, or the GPU names Theano accepts (cuda, cuda0, gpu, gpu1, opencl0:0),
# which function() refuses for now (theanogo has no GPU backend yet).
_DEVICE = re.compile(r"cpu|(cuda|gpu)\d*|opencl\d+:\d+")


_SIZE = re.compile(r"\s*(\d+)\s*([kmgt]?)i?b?\s*", re.IGNORECASE)


def _parse_size(name: str, value: Any) -> int:
    """A size in bytes: an int, or a string of digits with an optional K, M,
    G or T suffix (powers of 1024; "4G", "500MB", "1GiB")."""
    if isinstance(value, int) and not isinstance(value, bool):
        n = value
    else:
        m = _SIZE.fullmatch(str(value))
        if not m:
            raise ValueError(f"theanogo.config.{name} must be a size in bytes (such as 4294967296 or 4G), got {value!r}")
        n = int(m.group(1)) << (10 * " kmgt".index(m.group(2).lower() or " "))
    if n < 0:
        raise ValueError(f"theanogo.config.{name} must not be negative, got {value!r}")
    return n


def _parse(name: str, value: Any) -> Any:
    name = _ALIASES.get(name, name)
    if name not in _DEFAULTS:
        raise ValueError(f"theanogo.config has no flag {name!r} (known: {', '.join(sorted(_DEFAULTS))})")
    if name == "compiledir_max_size":
        return _parse_size(name, value)
    if isinstance(_DEFAULTS[name], bool) and isinstance(value, str):
        value = value.strip().lower() in ("1", "true", "yes", "on")
    if name == "optimizer" and value is None:
        value = "None"
    if name == "device" and not (isinstance(value, str) and _DEVICE.fullmatch(value)):
        raise ValueError(f"theanogo.config.device must be 'cpu' (or a GPU name such as 'cuda0'), got {value!r}")
    choices = _CHOICES.get(name)
    if choices and value not in choices:
        raise ValueError(f"theanogo.config.{name} must be one of {choices}, got {value!r}")
    return value


class _Config:
    """The flags as attributes: ``config.floatX``."""

    def __init__(self) -> None:
        object.__setattr__(self, "_values", dict(_DEFAULTS))
        object.__setattr__(self, "_set", set())  # the flags of _UNSET_MEANS_DEFAULT set so far

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[_ALIASES.get(name, name)]
        except KeyError:
            raise AttributeError(f"theanogo.config has no flag {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        name = _ALIASES.get(name, name)
        self._values[name] = _parse(name, value)
        if name in _UNSET_MEANS_DEFAULT:
            self._set.add(name)

    def is_set(self, name: str) -> bool:
        """Whether a flag was set (by the environment, an assignment or
        change_flags), even to its default value: ``cxx`` set to ``''``
        means no compiler, not set means Go's discovery."""
        name = _ALIASES.get(name, name)
        return name not in _UNSET_MEANS_DEFAULT or name in self._set

    def __dir__(self) -> list[str]:
        return sorted(self._values) + ["change_flags", "is_set"]

    @staticmethod
    def change_flags(**flags: Any) -> "contextlib.AbstractContextManager[None]":
        return change_flags(**flags)

    def _load_env(self, variable: str, text: str) -> None:
        """Set the flags of an environment variable's text ("a=1,b=2")."""
        for item in text.split(","):
            item = item.strip()
            if not item:
                continue
            name, sep, value = item.partition("=")
            if not sep:
                warnings.warn(f"{variable}: ignoring {item!r} (expected name=value)")
                continue
            try:
                setattr(self, name.strip(), value.strip())
            except ValueError as exc:
                warnings.warn(f"{variable}: {exc}")


config = _Config()
# THEANO_FLAGS first, so that THEANOGO_FLAGS wins where both set a flag.
for _variable in ("THEANO_FLAGS", "THEANOGO_FLAGS"):
    config._load_env(_variable, os.environ.get(_variable, ""))


@contextlib.contextmanager
def change_flags(**flags: Any) -> Iterator[None]:
    """Set flags for the duration of a ``with`` block, then restore them.

    >>> from theanogo import config
    >>> with config.change_flags(floatX="float32"):
    ...     print(config.floatX)
    float32
    """
    old = {name: getattr(config, name) for name in flags}
    was_set = set(config._set)
    try:
        for name, value in flags.items():
            setattr(config, name, value)
        yield
    finally:
        for name, value in old.items():
            setattr(config, name, value)
        config._set.clear()
        config._set.update(was_set)


def __getattr__(name: str) -> Any:
    # `from theanogo import config; config.floatX` works with the module too.
    return getattr(config, name)
