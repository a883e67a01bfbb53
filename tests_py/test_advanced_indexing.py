"""Integer-array ("advanced") indexing: numpy parity, np.add.at accumulation,
gradients, and the Theano tutorials' negative log-likelihood."""

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T
from conftest import assert_same, random_array, var_like
from test_grad import check_grad

# (x's shape, the index): lists, numpy arrays, ints, trailing full slices.
CASES = [
    ((5,), ([3, -1, 0, 3],)),
    ((4, 3), ([2, 0, 2],)),
    ((4, 3), (np.array([2, 0, 2], dtype="int32"), slice(None))),
    ((4, 3), ([[0, 1], [3, 3]],)),
    ((4, 3), ([0, 3, -1], [2, 0, 1])),
    ((4, 3), ([[0], [3]], [0, 2])),
    ((4, 3), ([0, 2], 1)),
    ((4, 3), (np.array([], dtype="int64"),)),
    ((4, 3, 2), ([1, 1], np.array([0, 2], dtype="int8"), slice(None))),
    ((4, 3, 2), ([1, 0], Ellipsis)),
    ((4, 3, 2), (np.array([[3, 0, 1]], dtype="uint8"), slice(None), slice(None))),
]


@pytest.mark.parametrize("shape,index", CASES, ids=[str(c[1]) for c in CASES])
def test_constant_index_matches_numpy(shape, index, rng):
    a = random_array(rng, shape)
    x = var_like(a)
    assert_same(theanogo.function([x], x[index])(a), a[index])


@pytest.mark.parametrize("shape,index", CASES, ids=[str(c[1]) for c in CASES])
def test_symbolic_index_matches_numpy(shape, index, rng):
    """Every list or array of the index becomes an integer input variable."""
    a = random_array(rng, shape)
    x = var_like(a)
    values = [np.asarray(i, dtype="int64") if isinstance(i, list) else i
              for i in index if isinstance(i, (list, np.ndarray))]
    idx = [var_like(v) for v in values]
    it = iter(idx)
    sym = tuple(next(it) if isinstance(i, (list, np.ndarray)) else i for i in index)
    y = x[sym]
    want = a[index]
    assert y.ndim == want.ndim
    assert_same(theanogo.function([x, *idx], y)(a, *values), want)


def test_static_shape_from_a_constant_index():
    x = T.dmatrix()
    assert x[[0, 2, 2]].static_shape == (3, None)
    assert x[T.lvector(), 1].static_shape == (None,)


def test_inc_subtensor_accumulates_like_add_at(rng):
    a = random_array(rng, (5, 3))
    x, i, y = T.dmatrix(), T.lvector(), T.dmatrix()
    idx = np.array([0, 2, 2, -1, 2])
    b = random_array(rng, (5, 3))
    want = a.copy()
    np.add.at(want, idx, b)
    got = theanogo.function([x, i, y], T.inc_subtensor(x[i], y))(a, idx, b)
    assert_same(got, want)
    # y broadcasts: a scalar, a row
    want = a.copy()
    np.add.at(want, idx, 1.5)
    assert_same(theanogo.function([x, i], T.inc_subtensor(x[i], 1.5))(a, idx), want)
    row = T.row()
    r = random_array(rng, (1, 3))
    want = a.copy()
    np.add.at(want, idx, r)
    assert_same(theanogo.function([x, i, row], T.inc_subtensor(x[i, :], row))(a, idx, r), want)
    # elements, with two index arrays
    rows, cols = np.array([1, 1, 4]), np.array([0, 0, 2])
    want = a.copy()
    np.add.at(want, (rows, cols), 10.0)
    assert_same(theanogo.function([x], T.inc_subtensor(x[rows, cols], 10.0))(a), want)


def test_set_subtensor(rng):
    a = random_array(rng, (4, 3))
    x = T.dmatrix()
    want = a.copy()
    want[[3, 0]] = 0.0
    assert_same(theanogo.function([x], T.set_subtensor(x[[3, 0]], 0.0))(a), want)
    want = a.copy()
    want[[0, 2], [1, -1]] = [7.0, 8.0]
    assert_same(theanogo.function([x], T.set_subtensor(x[[0, 2], [1, -1]], np.array([7.0, 8.0])))(a), want)


def test_inc_subtensor_updates_a_shared_variable():
    """The embedding-table update: only the looked-up rows change."""
    table = theanogo.shared(np.zeros((4, 2)))
    i = T.lvector()
    f = theanogo.function([i], [], updates=[(table, T.inc_subtensor(table[i], 1.0))])
    f(np.array([1, 3, 1]))
    assert_same(table.get_value(), np.array([[0, 0], [2, 2], [0, 0], [1, 1]], dtype="float64"))


def test_gradients_match_finite_differences(rng):
    a = random_array(rng, (4, 3))
    check_grad(lambda x: x[[0, 2, 2, -1]], [a])
    check_grad(lambda x: x[[[1], [1]], [0, -1, 0]] ** 2, [a])
    check_grad(lambda x: x[np.array([3, 3, 0]), :] * x[0], [a])
    b = random_array(rng, (3, 3))
    check_grad(lambda x, y: T.inc_subtensor(x[[0, 2, 0]], y) ** 2, [a, b])
    check_grad(lambda x, y: T.set_subtensor(x[[0, 2, 1]], y) * x, [a, b])
    c = random_array(rng, (2,))
    check_grad(lambda x, y: T.inc_subtensor(x[[1, 1], [2, 2]], y) ** 2, [a, c])


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_tutorial_negative_log_likelihood(rng):
    """-T.mean(T.log(p_y_given_x)[T.arange(y.shape[0]), y]), value and gradient."""
    n, d, k = 6, 4, 3
    xs = random_array(rng, (n, d))
    ys = np.array([0, 2, 1, 2, 2, 0], dtype="int32")
    w0, b0 = random_array(rng, (d, k), low=-1, high=1), random_array(rng, (k,), low=-1, high=1)
    W, b = theanogo.shared(w0, name="W"), theanogo.shared(b0, name="b")
    x, y = T.dmatrix("x"), T.ivector("y")
    p_y_given_x = T.nnet.softmax(T.dot(x, W) + b)
    loss = -T.mean(T.log(p_y_given_x)[T.arange(y.shape[0]), y])
    gW, gb = T.grad(loss, [W, b])
    xent = T.mean(T.nnet.categorical_crossentropy(p_y_given_x, y))
    got = theanogo.function([x, y], [loss, gW, gb, xent])(xs, ys)

    p = _softmax(xs @ w0 + b0)
    onehot = np.eye(k)[ys]
    assert_same(got[0], -np.mean(np.log(p[np.arange(n), ys])))
    assert_same(got[1], xs.T @ (p - onehot) / n)
    assert_same(got[2], (p - onehot).sum(axis=0) / n)
    assert_same(got[3], got[0])


def test_categorical_crossentropy_integer_labels(rng):
    a = _softmax(random_array(rng, (4, 3)))
    labels = np.array([0, 2, 1, 2])
    p, t = T.dmatrix(), T.lvector()
    got = theanogo.function([p, t], T.nnet.categorical_crossentropy(p, t))(a, labels)
    assert_same(got, -np.log(a[np.arange(4), labels]))
    with pytest.raises(TypeError, match="categorical_crossentropy"):
        T.nnet.categorical_crossentropy(p, T.dvector())


def test_out_of_range_index_raises_and_leaves_shared_unchanged():
    x, i = T.dvector(), T.lvector()
    f = theanogo.function([x, i], x[i])
    with pytest.raises(IndexError, match="advanced_subtensor.*out of bounds"):
        f(np.ones(3), np.array([0, 3]))
    with pytest.raises(IndexError, match="out of bounds"):
        f(np.ones(3), np.array([-4]))
    assert_same(f(np.arange(3.0), np.array([-3, 2])), np.array([0.0, 2.0]))

    s = theanogo.shared(np.arange(4.0))
    g = theanogo.function([i], s[i].sum(), updates=[(s, T.inc_subtensor(s[i], 1.0))])
    with pytest.raises(IndexError, match="out of bounds"):
        g(np.array([1, 4]))
    assert_same(s.get_value(), np.arange(4.0))
    assert float(g(np.array([1, 1]))) == 2.0
    assert_same(s.get_value(), np.array([0.0, 3.0, 2.0, 3.0]))


def test_index_arrays_that_do_not_broadcast():
    x = T.dmatrix()
    with pytest.raises(ValueError, match="broadcast"):
        x[[0, 1], [0, 1, 2]]
    i, j = T.lvector(), T.lvector()
    f = theanogo.function([x, i, j], x[i, j])
    with pytest.raises(ValueError, match="shape mismatch"):
        f(np.ones((3, 3)), np.array([0, 1]), np.array([0, 1, 2]))


@pytest.mark.parametrize("index", [
    (slice(None), [0, 1]),           # not leading
    ([0, 1], slice(1, None)),        # followed by a partial slice
    (None, [0, 1]),                  # with a new axis
    (np.array([True, False, True]),),  # boolean mask
    ([True, False, True],),
], ids=str)
def test_unsupported_forms_say_so(index):
    x = T.dmatrix()
    with pytest.raises(NotImplementedError):
        x[index]


def test_bad_index_types():
    x = T.dmatrix()
    with pytest.raises(NotImplementedError, match="boolean"):
        x[T.bvector().astype("bool")]
    with pytest.raises(IndexError, match="integer"):
        x[[0.5, 1.0]]
    with pytest.raises(TypeError, match="advanced_subtensor"):
        x[T.dvector()]
