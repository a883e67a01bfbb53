"""theanogo.tensor: symbolic tensors, Theano's ``theano.tensor``.

>>> import numpy as np
>>> import theanogo
>>> import theanogo.tensor as T
>>> x = T.dmatrix("x")
>>> f = theanogo.function([x], (x * 2 + 1).sum())
>>> float(f(np.ones((2, 2))))
12.0
"""

from . import extra_ops, nnet  # noqa: F401
from .basic import *  # noqa: F401,F403
from .basic import __all__ as _basic_all
from .extra_ops import *  # noqa: F401,F403
from .extra_ops import __all__ as _extra_all
from .type import TensorType  # noqa: F401
from .var import TensorConstant, TensorVariable  # noqa: F401
from ..gradient import grad  # noqa: E402,F401  (T.grad, as in Theano)

__all__ = list(_basic_all) + list(_extra_all) + ["nnet", "extra_ops", "grad"]
