"""Reductions, shape ops, indexing, dot and softmax against numpy."""

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T
from conftest import assert_same, random_array, var_like

REDUCTIONS = [("sum", np.sum), ("prod", np.prod), ("mean", np.mean), ("max", np.max), ("min", np.min)]
AXES = [None, 0, 1, -1, (0, 2), [1, 2]]


@pytest.mark.parametrize("name,ref", REDUCTIONS)
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions(name, ref, axis, keepdims, rng):
    for dt in ("float64", "float32", "int32"):
        a = random_array(rng, (2, 3, 4), dt, -2, 2)
        x = var_like(a)
        got = theanogo.function([x], getattr(T, name)(x, axis=axis, keepdims=keepdims))(a)
        np_axis = tuple(axis) if isinstance(axis, list) else axis
        want = ref(a, axis=np_axis, keepdims=keepdims)
        assert_same(got, want, dtype_check=dt == "float64")
        # the method spelling builds the same thing
        got2 = theanogo.function([x], getattr(x, name)(axis=axis, keepdims=keepdims))(a)
        assert_same(got2, got)


@pytest.mark.parametrize("shape", [(0, 3), (1, 1), (4, 0)], ids=str)
def test_sum_of_empty_and_size_one(shape):
    a = np.ones(shape)
    x = var_like(a)
    got = theanogo.function([x], [x.sum(), x.sum(axis=0), x.prod(axis=1)])(a)
    assert_same(got[0], a.sum())
    assert_same(got[1], a.sum(axis=0))
    assert_same(got[2], a.prod(axis=1))


@pytest.mark.parametrize("axis", [None, 0, 1, -1], ids=str)
def test_argmax_argmin(axis, rng):
    a = rng.permutation(12).reshape(3, 4).astype("float64")
    x = var_like(a)
    got = theanogo.function([x], [T.argmax(x, axis=axis), x.argmin(axis=axis)])(a)
    assert_same(got[0], np.argmax(a, axis=axis), dtype_check=False)
    assert_same(got[1], np.argmin(a, axis=axis), dtype_check=False)


def test_dimshuffle_transpose_flatten(rng):
    a = random_array(rng, (2, 3, 4))
    x = var_like(a)
    f = theanogo.function([x], [x.dimshuffle(2, 0, 1), x.dimshuffle(0, "x", 1, 2), x.T, x.transpose(1, 0, 2),
                                T.transpose(x, (2, 1, 0)), x.flatten(), x.flatten(2), T.flatten(x, 3)])
    want = [a.transpose(2, 0, 1), a[:, None], a.T, a.transpose(1, 0, 2), a.transpose(2, 1, 0), a.ravel(),
            a.reshape(2, 12), a]
    for g, w in zip(f(a), want):
        assert_same(g, w)


def test_dimshuffle_drops_broadcastable():
    r = T.row("r")
    v = r.dimshuffle(1)
    assert v.ndim == 1
    assert_same(theanogo.function([r], v)(np.ones((1, 3))), np.ones(3))


def test_reshape_static_symbolic_and_inferred(rng):
    a = random_array(rng, (2, 3, 4))
    x = var_like(a)
    n = T.lscalar("n")
    f = theanogo.function([x, n], [x.reshape((6, 4)), x.reshape((-1,)), x.reshape((n, -1)),
                                   T.reshape(x, (x.shape[0], x.shape[1] * x.shape[2])), x.reshape(24)])
    want = [a.reshape(6, 4), a.reshape(-1), a.reshape(4, -1), a.reshape(2, 12), a.reshape(24)]
    for g, w in zip(f(a, 4), want):
        assert_same(g, w)


def test_reshape_to_wrong_size_fails_at_call_without_crash(rng):
    x = T.dmatrix()
    f = theanogo.function([x], x.reshape((5, 5)))
    with pytest.raises((ValueError, TypeError)):
        f(np.ones((2, 3)))


def test_shape(rng):
    a = random_array(rng, (2, 0, 5))
    x = var_like(a)
    got = theanogo.function([x], [x.shape, x.shape[2], T.shape(x)[-1]])(a)
    assert_same(got[0], np.array(a.shape, dtype="int64"))
    assert int(got[1]) == 5 and int(got[2]) == 5


INDEXES = [
    (1,), (-1,), (slice(1, None),), (slice(None, -1),), (slice(None, None, -1),), (slice(None, None, 2),),
    (slice(-3, None, -2),), (0, slice(1, 3)), (slice(None), 2), (Ellipsis, 1), (slice(5, 10),),
    (1, 2, 3), (slice(None), slice(None), slice(None, None, -3)),
]


@pytest.mark.parametrize("index", INDEXES, ids=str)
def test_basic_indexing(index, rng):
    a = random_array(rng, (3, 4, 5))
    x = var_like(a)
    assert_same(theanogo.function([x], x[index])(a), a[index])


def test_symbolic_indexing(rng):
    a = random_array(rng, (6, 4))
    x = var_like(a)
    i, j = T.lscalar("i"), T.iscalar("j")
    f = theanogo.function([x, i, j], [x[i], x[i:j], x[i * 2:(i + 1) * 2], x[:, j], x[-i], x[i:j:2]])
    for k, l in [(0, 3), (1, 3), (2, 2)]:
        got = f(a, k, l)
        want = [a[k], a[k:l], a[k * 2:(k + 1) * 2], a[:, l], a[-k], a[k:l:2]]
        for g, w in zip(got, want):
            assert_same(g, w)


def test_out_of_range_integer_index_fails():
    x = T.dvector()
    f = theanogo.function([x], x[5])
    with pytest.raises(IndexError, match="out of bounds"):
        f(np.ones(3))


def test_advanced_indexing_after_a_partial_slice_is_reported_missing():
    x = T.dmatrix()
    with pytest.raises(NotImplementedError):
        x[:, [0, 1]]


@pytest.mark.parametrize("index", [(None,), (None, 1), (slice(1, None), None), (None, Ellipsis, None),
                                   (0, None, slice(None, None, -1)), (Ellipsis, None)], ids=str)
def test_newaxis_indexing(index, rng):
    a = random_array(rng, (3, 4))
    x = T.dmatrix()
    y = x[index]
    assert y.ndim == a[index].ndim
    assert sum(y.broadcastable) == sum(i is None for i in index)  # each new axis broadcasts
    assert_same(theanogo.function([x], y)(a), a[index])


DOT_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((0, 3), (3, 2)), ((2, 0), (0, 3)),
              ((1, 1), (1, 5))]


@pytest.mark.parametrize("sa,sb", DOT_SHAPES, ids=str)
@pytest.mark.parametrize("dt", ["float64", "float32"])
def test_dot(sa, sb, dt, rng):
    a, b = random_array(rng, sa, dt), random_array(rng, sb, dt)
    x, y = var_like(a), var_like(b)
    f = theanogo.function([x, y], [T.dot(x, y), x @ y])
    for g in f(a, b):
        assert_same(g, np.dot(a, b))


def test_dot_mixed_dtypes(rng):
    a = random_array(rng, (2, 3), "float32")
    b = random_array(rng, (3,), "float64")
    x, y = var_like(a), var_like(b)
    assert_same(theanogo.function([x, y], T.dot(x, y))(a, b), np.dot(a, b))


def _softmax(a):
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("shape", [(3, 5), (1, 4), (4, 1), (0, 3)], ids=str)
def test_softmax(shape, rng):
    a = random_array(rng, shape, low=-10, high=10)
    x = var_like(a)
    assert_same(theanogo.function([x], T.nnet.softmax(x))(a), _softmax(a))


def test_softmax_of_vector_is_a_row(rng):
    a = random_array(rng, (4,))
    v = T.dvector()
    p = T.nnet.softmax(v)
    assert p.ndim == 2 and p.broadcastable == (True, False)
    assert_same(theanogo.function([v], p)(a), _softmax(a)[None, :])


def test_softmax_is_stable_for_large_inputs():
    x = T.dmatrix()
    got = theanogo.function([x], T.nnet.softmax(x))(np.array([[1000.0, 0.0]]))
    assert np.all(np.isfinite(got))


def test_arange(rng):
    n = T.lscalar("n")
    f = theanogo.function([n], [T.arange(n), T.arange(1, n, 2), T.arange(n, dtype="float64")])
    got = f(7)
    assert_same(got[0], np.arange(7), dtype_check=False)
    assert_same(got[1], np.arange(1, 7, 2), dtype_check=False)
    assert_same(got[2], np.arange(7.0))


def test_categorical_crossentropy_one_hot(rng):
    a = _softmax(random_array(rng, (4, 3)))
    y = np.eye(3)[[0, 2, 1, 2]]
    p, t = T.dmatrix(), T.dmatrix()
    got = theanogo.function([p, t], T.nnet.categorical_crossentropy(p, t))(a, y)
    assert_same(got, -np.sum(y * np.log(a), axis=1))


def test_set_and_inc_subtensor(rng):
    a = random_array(rng, (4, 3))
    x = var_like(a)
    i = T.lscalar("i")
    f = theanogo.function([x, i], [T.set_subtensor(x[1:3], 0.0), T.inc_subtensor(x[i, ::2], 10.0),
                                   T.set_subtensor(x[:, -1], x[:, 0])])
    want0, want1, want2 = a.copy(), a.copy(), a.copy()
    want0[1:3] = 0.0
    want1[2, ::2] += 10.0
    want2[:, -1] = a[:, 0]
    for g, w in zip(f(a, 2), [want0, want1, want2]):
        assert_same(g, w)
    with pytest.raises(TypeError, match="subtensor"):
        T.set_subtensor(x + 1, 0.0)
