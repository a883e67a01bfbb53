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


def test_a_failed_call_changes_no_shared_variable():
    # The output reads the new value (written in place into w's buffer),
    # then its indexing fails: w went from 1 to 2 although the call raised.
    w = theano.shared(np.ones(4), name="w")
    i = T.lvector("i")
    f = theano.function([i], (w + 1)[i], updates=[(w, w + 1)])
    assert f.backend == "cxx"
    with pytest.raises(IndexError):
        f(np.array([5]))
    np.testing.assert_array_equal(w.get_value(), [1, 1, 1, 1])
    np.testing.assert_array_equal(f(np.array([3])), [2.0])
    np.testing.assert_array_equal(w.get_value(), [2, 2, 2, 2])


def test_two_in_place_writers_that_can_fail_change_nothing_when_the_second_fails():
    w1 = theano.shared(np.zeros(4), name="w1")
    w2 = theano.shared(np.zeros(3), name="w2")
    i, j = T.lvector("i"), T.lvector("j")
    f = theano.function([i, j], [], updates=[(w1, T.inc_subtensor(w1[i], 1.0)), (w2, T.inc_subtensor(w2[j], 1.0))])
    assert f.backend == "cxx"
    for bad in [(np.array([0]), np.array([7])), (np.array([9]), np.array([0]))]:
        with pytest.raises(IndexError):
            f(*bad)
        np.testing.assert_array_equal(w1.get_value(), 0)
        np.testing.assert_array_equal(w2.get_value(), 0)
    f(np.array([1, 1]), np.array([2]))
    np.testing.assert_array_equal(w1.get_value(), [0, 2, 0, 0])
    np.testing.assert_array_equal(w2.get_value(), [0, 0, 1])


def test_a_misaligned_product_fails_before_an_in_place_update():
    # The dot's lengths are checked in the shape phase, before any write.
    w = theano.shared(np.ones(3), name="w")
    a, b = T.dmatrix("a"), T.dmatrix("b")
    f = theano.function([a, b], T.dot(a, b), updates=[(w, w * 2)])
    with pytest.raises(ValueError, match="dot"):
        f(np.ones((2, 3)), np.ones((4, 2)))
    np.testing.assert_array_equal(w.get_value(), 1)
    np.testing.assert_array_equal(f(np.ones((2, 3)), np.ones((3, 2))), 3)
    np.testing.assert_array_equal(w.get_value(), 2)


def test_sgd_step_keeps_every_update_in_place():
    # Two gemm updates and two elementwise ones: the products cannot fail
    # after the shape phase (lengths checked, copies from a reserved arena),
    # so all four keep writing into the old buffers.
    import weakref

    rng = np.random.RandomState(1)
    x = T.dmatrix("x")
    W1 = theano.shared(rng.randn(5, 4), name="W1")
    b1 = theano.shared(np.zeros(4), name="b1")
    W2 = theano.shared(rng.randn(4, 3), name="W2")
    b2 = theano.shared(np.zeros(3), name="b2")
    cost = T.sum(T.tanh(T.dot(T.tanh(T.dot(x, W1) + b1), W2) + b2) ** 2)
    ps = [W1, b1, W2, b2]
    f = theano.function([x], cost, updates=[(p, p - 0.1 * g) for p, g in zip(ps, theano.grad(cost, ps))])
    refs = [weakref.ref(p.container[0]) for p in ps]
    f(rng.randn(6, 5))
    assert [r() is p.container[0] for r, p in zip(refs, ps)] == [True] * 4


def test_rank_above_the_backend_maximum_runs_on_the_evaluator():
    x = T.TensorType("float64", (False,) * 35)("x")
    with pytest.warns(UserWarning, match="rank 35"):
        f = theano.function([x], x * 2 + 1)
    assert f.backend == "evaluator"
    a = np.random.rand(*([1] * 33 + [2, 3]))
    np.testing.assert_array_equal(f(a), a * 2 + 1)
    with theano.config.change_flags(cxx_fallback="raise"):
        with pytest.raises(Exception, match="rank 35"):
            theano.function([x], x * 2 + 1)


def test_an_in_place_writer_does_not_declare_aliased_pointers_restrict():
    # w's new value is written into w's buffer: its loop reads and writes one
    # memory, which __restrict on both pointers would make undefined.
    w = theano.shared(np.arange(5000.0), name="w")
    step = theano.function([], [], updates=[(w, T.exp(w * 1e-4) + 1)])
    assert "__restrict" not in theano.printing.source(step)
    step()
    np.testing.assert_allclose(w.get_value(), np.exp(np.arange(5000.0) * 1e-4) + 1, rtol=1e-15)
    x = T.dvector("x")
    plain = theano.function([x], T.exp(x * 1e-4) + 1)
    assert "__restrict" in theano.printing.source(plain)


def test_a_gradient_keeps_the_broadcast_pattern_of_its_input():
    # d dot(v, k) / dk is typed like v (not broadcastable) while k, a keepdims
    # reduction, broadcasts: prod's gradient then met a (1,) that does not
    # broadcast against its (4,) input and raised a dimension mismatch.
    v0, i = T.dvector("v0"), T.ivector("i")
    v1 = T.sqrt(v0)
    k = T.prod(v1[i], axis=-1, keepdims=True)
    g = theano.grad(T.sum(T.dot(v1, k)), v0)
    for mode in ["FAST_RUN", "FAST_COMPILE"]:
        f = theano.function([v0, i], g, mode=mode)
        np.testing.assert_allclose(f(np.array([0.3]), np.array([0, -1, 0, 0], dtype="int32")), [2.5 * 0.3 ** 1.5])
