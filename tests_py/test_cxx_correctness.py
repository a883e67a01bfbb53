"""Regression tests for the C++ backend's defects of issue 11: each fails on
the commit before its fix. The values are checked against numpy and the Go
evaluator (FAST_COMPILE)."""

from __future__ import annotations

import numpy as np
import pytest

import theanogo as theano
import theanogo.tensor as T


def _both(inputs, outputs, *args, **kw):
    """The results of FAST_RUN (C++) and FAST_COMPILE (the evaluator)."""
    fr = theano.function(inputs, outputs, mode="FAST_RUN", **kw)
    assert fr.backend == "cxx"
    fc = theano.function(inputs, outputs, mode="FAST_COMPILE", **kw)
    return fr(*args), fc(*args)


def test_reshape_copy_lives_until_its_last_reader():
    # x.T.flatten() copies (x.T is not contiguous); the copy's slot was freed
    # after the flatten and reused by exp(y): dot gave 45.27, not 14.70.
    x = T.dmatrix("x")
    y = x.T.flatten()
    a = np.arange(12.0).reshape(3, 4) / 10
    yy = a.T.flatten()
    got, ref = _both([x], T.dot(T.exp(y), y), a)
    np.testing.assert_allclose(got, np.dot(np.exp(yy), yy), rtol=1e-12)
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    got, ref = _both([x], y.dimshuffle(0, "x") * y.dimshuffle("x", 0), a)
    np.testing.assert_array_equal(got, np.outer(yy, yy))
    np.testing.assert_array_equal(got, ref)


def test_gradient_through_reshape_and_dimshuffle_outputs_do_not_share_a_buffer():
    # Two reshape results (the gradients of x and W) were copied out of one
    # scratch slot: grad(c, x) came back equal to grad(c, W).
    x, W = T.dmatrix("x"), T.dmatrix("W")
    c = (x.reshape((2, 6)).T * W.flatten().dimshuffle(0, "x")).sum()
    rng = np.random.RandomState(0)
    a, w = rng.rand(3, 4), rng.rand(6, 1)
    got, ref = _both([x, W], [c] + theano.grad(c, [x, W]), a, w)
    gx = np.broadcast_to(w.reshape(6, 1), (6, 2)).T.reshape(3, 4)
    gw = a.reshape(2, 6).T.sum(axis=1).reshape(6, 1)
    np.testing.assert_allclose(got[1], gx, rtol=1e-12)
    np.testing.assert_allclose(got[2], gw, rtol=1e-12)
    for g, r in zip(got, ref):
        np.testing.assert_allclose(g, r, rtol=1e-12)
