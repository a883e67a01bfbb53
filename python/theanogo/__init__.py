"""theanogo: Theano with a Go core.

Write Theano programs as before::

    import theanogo as theano
    import theanogo.tensor as T

>>> import numpy as np
>>> import theanogo as theano
>>> import theanogo.tensor as T
>>> x = T.dmatrix("x")
>>> f = theano.function([x], (x * 2 + 1).sum())
>>> print(f(np.ones((2, 2))))
12.0

Every expression is built and type-checked by the Go library
(libtheanogo.so, loaded with ctypes); compiled functions run as C++ that
Go generates and compiles (``f.backend == 'cxx'``), or on the Go evaluator
(FAST_COMPILE, or without a C++ compiler).
Configuration: ``theanogo.config`` and the THEANOGO_FLAGS environment
variable, THEANO_FLAGS too (see theanogo/config.py); compilation modes:
``theanogo.Mode``, theanogo/compile/mode.py.
"""

from . import _lib
from ._lib import DisconnectedInputError, MissingInputError
from .config import change_flags, config
from . import tensor
from .compile import Function, Mode, Out, SharedVariable, function, shared
from .gradient import grad
from . import printing
from .printing import debugprint, pp
from . import ifelse
from . import scan_module
from .scan_module import foldl, foldr, map, reduce, scan

__version__ = "0.1.0"

__all__ = ["config", "change_flags", "tensor", "function", "shared", "Mode", "Out", "grad", "printing", "debugprint", "pp", "ifelse",
           "Function", "SharedVariable", "MissingInputError", "DisconnectedInputError",
           "scan", "map", "reduce", "foldl", "foldr", "scan_module"]
