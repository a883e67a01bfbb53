"""theanogo.tensor.nnet: the neural-network functions of ``theano.tensor.nnet``.

>>> import theanogo.tensor as T
>>> p = T.nnet.softmax(T.matrix("x"))
>>> p.ndim
2
"""

from __future__ import annotations

from typing import Any

from ..basic import sigmoid, softplus, tanh  # noqa: F401  (T.nnet.sigmoid ...)
from ..var import TensorVariable, apply_op, as_tensor_variable

__all__ = ["sigmoid", "softplus", "tanh", "softmax", "relu", "categorical_crossentropy",
           "binary_crossentropy"]


def softmax(x: Any) -> TensorVariable:
    """Row-wise softmax of a matrix. A vector becomes a (1, n) row first, as in Theano.

    >>> import theanogo.tensor as T
    >>> T.nnet.softmax(T.vector()).broadcastable
    (True, False)
    """
    x = as_tensor_variable(x)
    if x.ndim == 1:
        x = x.dimshuffle("x", 0)
    return apply_op("softmax", x)


def relu(x: Any, alpha: Any = 0) -> TensorVariable:
    """max(x, 0); with alpha, the leaky version ``switch(x > 0, x, alpha * x)``.

    The gradient of max(x, 0) at x = 0 is 0.5, as Theano's ``0.5 * (x + abs(x))``.
    """
    return apply_op("relu", x, alpha)


def categorical_crossentropy(coding_dist: Any, true_dist: Any) -> TensorVariable:
    """Cross-entropy of each row of coding_dist against its target, as in Theano.

    true_dist is either an integer vector of class indices, giving
    ``-log(coding_dist)[T.arange(n), true_dist]``, or a matrix of one-hot rows
    (or probabilities), giving ``-sum(true_dist * log(coding_dist), axis=1)``.

    >>> import theanogo.tensor as T
    >>> T.nnet.categorical_crossentropy(T.matrix(), T.ivector()).ndim
    1
    """
    return apply_op("categorical_crossentropy", coding_dist, true_dist)


def binary_crossentropy(output: Any, target: Any) -> TensorVariable:
    """-(target * log(output) + (1 - target) * log(1 - output))."""
    return apply_op("binary_crossentropy", output, target)
