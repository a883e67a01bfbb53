"""Theano's theano.compile.debugmode import path: DebugMode (see mode.py)."""

from .mode import DebugMode  # noqa: F401
