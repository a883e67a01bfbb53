"""The handwritten digits data set (scikit-learn's load_digits), ready for
the Theano tutorials: pixels scaled to [0, 1], a fixed train/test split, and
each split stored in shared variables so that minibatches are slices taken
inside the compiled function (the tutorials' ``givens``)."""

import numpy as np
from sklearn.datasets import load_digits

import theanogo as theano

N_CLASSES = 10


def shared_dataset(x, y):
    """Shared variables for the inputs and the int32 labels."""
    return (theano.shared(np.asarray(x, dtype=theano.config.floatX), borrow=True),
            theano.shared(np.asarray(y, dtype="int32"), borrow=True))


def load_data(test_fraction=0.25, seed=0):
    """Returns ((train_x, train_y), (test_x, test_y))."""
    digits = load_digits()
    x = digits.data / 16.0  # pixels are 0..16
    y = digits.target
    order = np.random.RandomState(seed).permutation(len(y))
    n_test = int(len(y) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return shared_dataset(x[train], y[train]), shared_dataset(x[test], y[test])
