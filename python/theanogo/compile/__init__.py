"""Compiling graphs into callables: function, modes, shared variables."""

from . import debugmode, io, mode, nanguardmode, profiling  # noqa: F401
from .function import Function, function  # noqa: F401
from .io import Out, SymbolicOutput  # noqa: F401
from .profiling import ProfileStats  # noqa: F401
from .mode import FAST_COMPILE, FAST_RUN, DebugMode, Mode, NanGuardMode, get_default_mode, get_mode  # noqa: F401
from .sharedvalue import SharedVariable, shared  # noqa: F401
