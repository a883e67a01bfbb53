"""Loops: theanogo.scan and its special cases map, reduce, foldl, foldr.

scan calls the step function once, in Python, on placeholder variables to
build the step's graph; Go builds the loop (core/control: type checks, the
Scan op, its gradient) and the loop runs inside the compiled function, never
one Python call per step.

>>> import numpy as np, theanogo, theanogo.tensor as T
>>> x = T.dvector("x")
>>> s, _ = theanogo.scan(lambda x_t, acc: acc + x_t, sequences=x, outputs_info=np.float64(0))
>>> theanogo.function([x], s)(np.array([1.0, 2.0, 3.0]))
array([1., 3., 6.])
"""

from .scan import scan
from .scan_utils import until
from .views import foldl, foldr, map, reduce

__all__ = ["scan", "until", "map", "reduce", "foldl", "foldr"]
