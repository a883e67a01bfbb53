"""Compiling graphs into callables: function, shared variables."""

from .function import Function, function  # noqa: F401
from .sharedvalue import SharedVariable, shared  # noqa: F401
