"""cumsum and cumprod (theanogo.tensor.extra_ops): numpy parity on random
shapes and dtypes (size-0 axes included), with the compiled kernel and the
evaluator; gradients against finite differences; clear errors."""

import inspect

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T
from theanogo.tensor import extra_ops

DTYPES = ["bool", "int8", "int32", "int64", "uint8", "uint32", "float16", "float32", "float64", "complex128"]
MODES = ["FAST_RUN", "FAST_COMPILE"]


def _values(rng, dtype, shape):
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    if np.dtype(dtype).kind in "iu":
        lo = 0 if np.dtype(dtype).kind == "u" else -4
        return rng.integers(lo, 5, shape).astype(dtype)
    v = rng.uniform(-1.5, 1.5, shape)
    if dtype.startswith("complex"):
        v = v + 1j * rng.uniform(-1.5, 1.5, shape)
    return v.astype(dtype)


def _close(got, want, dtype):
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape
    if want.dtype.kind in "fc":
        tol = {"float16": 2e-2, "float32": 1e-4}.get(dtype, 1e-10)
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    else:
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_parity(name, dtype, mode):
    """One function per case: inputs of ranks 0..3 at random shapes (0
    included), every axis of each (and None) as an output."""
    rng = np.random.default_rng(abs(hash((name, dtype, mode))) % 2**32)
    ours, theirs = getattr(T, name), getattr(np, name)
    xs, values, outputs, wants = [], [], [], []
    for ndim in range(0, 4):
        shape = tuple(int(n) for n in rng.integers(0, 4, ndim))
        x = T.tensor(dtype=dtype, shape=(None,) * ndim)
        xs.append(x)
        values.append(_values(rng, dtype, shape))
        for axis in [None] + list(range(-ndim, ndim)):
            outputs.append(ours(x, axis=axis))
            wants.append(theirs(values[-1], axis=axis))
    got = theanogo.function(xs, outputs, mode=mode)(*values)
    for g, w in zip(got, wants):
        _close(g, w, dtype)


def test_extra_ops_names_and_size_zero():
    x = T.dmatrix("x")
    f = theanogo.function([x], [extra_ops.cumsum(x, axis=0), extra_ops.cumprod(x, axis=1)])
    for shape in [(0, 3), (3, 0), (0, 0), (2, 5)]:
        v = np.arange(np.prod(shape), dtype=float).reshape(shape) + 1
        a, b = f(v)
        np.testing.assert_array_equal(a, np.cumsum(v, axis=0))
        np.testing.assert_array_equal(b, np.cumprod(v, axis=1))


def test_non_contiguous_and_broadcast_inputs():
    x = T.dmatrix("x")
    row = T.row("r", dtype="float64")
    f = theanogo.function([x, row], [T.cumsum(x.T, axis=1), T.cumprod(x[:, ::-2], axis=0), T.cumsum(row + x, axis=0)])
    v = np.random.default_rng(1).normal(size=(4, 5))
    r = np.random.default_rng(2).normal(size=(1, 5))
    a, b, c = f(v, r)
    np.testing.assert_allclose(a, np.cumsum(v.T, axis=1))
    np.testing.assert_allclose(b, np.cumprod(v[:, ::-2], axis=0))
    np.testing.assert_allclose(c, np.cumsum(r + v, axis=0))


def _numeric_grad(f, v, eps=1e-6):
    g = np.zeros_like(v)
    for i in np.ndindex(v.shape):
        p, m = v.copy(), v.copy()
        p[i] += eps
        m[i] -= eps
        g[i] = (f(p) - f(m)) / (2 * eps)
    return g


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_gradient_against_finite_differences(name, axis):
    rng = np.random.default_rng(5)
    x = T.dmatrix("x")
    w = rng.normal(size=12 if axis is None else (3, 4))
    cost = (getattr(T, name)(x, axis=axis) * w).sum()
    g = theanogo.function([x], theanogo.grad(cost, x))
    c = theanogo.function([x], cost)
    v = rng.uniform(0.5, 1.5, (3, 4)) * rng.choice([-1, 1], (3, 4))  # no zeros (cumprod's gradient)
    np.testing.assert_allclose(g(v), _numeric_grad(lambda a: float(c(a)), v), rtol=1e-6, atol=1e-8)


def test_errors_name_the_op_and_the_users_line():
    x = T.dmatrix("x")
    line = inspect.currentframe().f_lineno + 2
    with pytest.raises(ValueError) as info:
        T.cumsum(x, axis=2)
    assert "cumsum" in str(info.value) and "axis 2" in str(info.value)
    assert f"{__file__}:{line}" in str(info.value)
    with pytest.raises(ValueError, match="cumprod"):
        T.cumprod(x, axis=-3)
    with pytest.raises(TypeError):
        T.cumsum(x, axis=1.5)
    with pytest.raises(TypeError):
        T.cumsum(x, axis=[0, 1])


def test_pickled_function_keeps_the_op():
    import pickle

    x = T.dmatrix("x")
    y = T.cumprod(T.cumsum(x, axis=0), axis=-1)
    f = theanogo.function([x], [y, theanogo.grad(y.sum(), x)])
    g = pickle.loads(pickle.dumps(f))
    v = np.random.default_rng(3).uniform(0.5, 1.5, (3, 4))
    for a, b in zip(f(v), g(v)):
        np.testing.assert_array_equal(a, b)
