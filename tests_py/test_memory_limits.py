"""No input may kill the process: sizes too large for memory raise MemoryError,
and shapes whose element count overflows int64 raise ValueError."""

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T


def still_works():
    x = T.dvector("x")
    assert theanogo.function([x], (x * 2).sum())(np.ones(3)) == 6.0


def test_huge_arange_is_a_memory_error():
    f = theanogo.function([], T.arange(10 ** 12))
    with pytest.raises(MemoryError, match="arange"):
        f()
    still_works()


def test_arange_whose_length_overflows_is_a_value_error():
    with pytest.raises(ValueError, match="arange.*overflows int64"):
        theanogo.function([], T.arange(0.0, 1e30))()
    n = T.lscalar("n")
    with pytest.raises(ValueError, match="arange.*overflows int64"):
        theanogo.function([n], T.arange(-2 ** 63, n))(2 ** 63 - 1)


def test_outer_sum_of_two_long_vectors_is_a_memory_error():
    x, y = T.dvector("x"), T.dvector("y")
    f = theanogo.function([x, y], x.dimshuffle(0, "x") + y.dimshuffle("x", 0))
    with pytest.raises(MemoryError, match="add"):
        f(np.ones(10 ** 6), np.ones(10 ** 6))
    assert f(np.ones(2), np.ones(3)).shape == (2, 3)  # the function still works
    still_works()


def test_outer_dot_of_two_long_vectors_is_a_memory_error():
    x, y = T.dmatrix("x"), T.dmatrix("y")
    f = theanogo.function([x, y], T.dot(x, y))
    with pytest.raises(MemoryError, match="dot"):
        f(np.ones((10 ** 6, 1)), np.ones((1, 10 ** 6)))
    still_works()


def test_huge_advanced_selection_is_a_memory_error():
    m, i, j = T.dmatrix("m"), T.lvector("i"), T.lvector("j")
    f = theanogo.function([m, i, j], m[i.dimshuffle(0, "x"), j.dimshuffle("x", 0)])
    idx = np.zeros(10 ** 6, dtype="int64")
    with pytest.raises(MemoryError, match="advanced_subtensor"):
        f(np.ones((2, 2)), idx, idx)
    still_works()


def test_reshape_to_a_shape_whose_size_overflows_is_a_value_error():
    x = T.dvector("x")
    with pytest.raises(ValueError, match="reshape.*int64"):
        x.reshape((2 ** 62, 4))
    s = T.lvector("s")
    f = theanogo.function([x, s], x.reshape(s, ndim=2))
    with pytest.raises(ValueError, match="reshape.*int64"):
        f(np.zeros(0), np.array([2 ** 62, 4]))
    assert f(np.zeros(0), np.array([0, 4])).shape == (0, 4)
    still_works()


def test_static_shape_whose_size_overflows_is_a_value_error():
    with pytest.raises(ValueError, match="overflows int64"):
        T.TensorType("float64", shape=(2 ** 62, 4))("x")
    with pytest.raises(ValueError, match="overflows int64"):
        T.TensorType("float64", shape=(2 ** 40, None, 2 ** 40))("x")
    ok = T.TensorType("float64", shape=(2 ** 62, None))("x")  # some array could have this type
    assert ok.ndim == 2
