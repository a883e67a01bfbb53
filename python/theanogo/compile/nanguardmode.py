"""Theano's theano.compile.nanguardmode import path: NanGuardMode (see mode.py)."""

from .mode import NanGuardMode  # noqa: F401
