"""Shared helpers for the Python tests: random data and numpy comparisons."""

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T

def random_array(rng, shape, dtype="float64", low=-3.0, high=3.0):
    """Random values of dtype; integers in [low, high], bools random."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        lo = 0 if dtype.kind == "u" else int(low)
        return rng.integers(lo, int(high) + 1, size=shape).astype(dtype)
    return rng.uniform(low, high, size=shape).astype(dtype)


def var_like(arr, name=None):
    """An input variable of arr's dtype and rank (broadcastable where arr has length 1)."""
    return T.TensorType(arr.dtype.name, [d == 1 for d in arr.shape])(name)


def assert_same(got, want, dtype_check=True):
    """got equals want up to float tolerance, with the same shape (and dtype)."""
    want = np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    if dtype_check:
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
    if got.dtype.kind == "f":
        tol = 1e-5 if got.dtype == np.float32 else 1e-10
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    else:
        np.testing.assert_array_equal(got, want)


def run(outputs, *values, inputs=None):
    """Compile outputs over input variables made for values and call it."""
    if inputs is None:
        raise ValueError("give inputs")
    return theanogo.function(inputs, outputs)(*values)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def assert_reduce_close(got, want, n, magnitude=None):
    """Compiled against evaluated reductions (DESIGN.md decision 13): within
    core/ops.ReduceTolerance(dtype, n) * magnitude, where n is the number of
    elements each result folds and magnitude the sum of their absolute
    values (the largest |value| compared when not given); integers exactly."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape, want.dtype, want.shape)
    if want.dtype.kind not in "fc":
        np.testing.assert_array_equal(got, want)
        return
    if magnitude is None:
        finite = np.abs(np.concatenate([got.ravel(), want.ravel()]).astype(np.complex128))
        magnitude = float(np.max(finite[np.isfinite(finite)], initial=0.0))
    tol = theanogo._lib.reduce_tolerance(want.dtype.name, n) * magnitude
    np.testing.assert_allclose(got, want, rtol=0, atol=tol + np.finfo(want.dtype).tiny)
