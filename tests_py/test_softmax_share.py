"""One softmax-family computation feeds both users: the logistic
regression's step reads softmax(z) (predictions, gradient) and
log(softmax(z)) (the cost); compiled, it computes logsoftmax(z) once and
softmax as exp of it, with numpy's values and gradient."""

import re

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T


def numpy_step(xv, yv, wv, bv):
    z = xv @ wv + bv
    ls = z - z.max(axis=1, keepdims=True)
    ls = ls - np.log(np.exp(ls).sum(axis=1, keepdims=True))
    p = np.exp(ls)
    n = len(yv)
    cost = -ls[np.arange(n), yv].mean()
    gz = p.copy()
    gz[np.arange(n), yv] -= 1
    gz /= n
    return p, cost, xv.T @ gz, gz.sum(axis=0)


def softmax_nodes(f):
    text = theanogo.printing.debugprint(f, file="str")
    # debugprint repeats a node each time it is read: count distinct ids
    return len(set(re.findall(r"\bsoftmax \[id (\d+)", text))), len(set(re.findall(r"\blogsoftmax \[id (\d+)", text)))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("n,n_in,n_out", [(1, 1, 1), (20, 64, 10), (7, 3, 5)])
def test_logistic_regression_step_shares_softmax(dtype, n, n_in, n_out):
    rng = np.random.default_rng(n * 100 + n_in)
    x, y = T.matrix("x", dtype=dtype), T.lvector("y")
    w = T.matrix("w", dtype=dtype)
    b = T.vector("b", dtype=dtype)
    p = T.nnet.softmax(T.dot(x, w) + b)
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    gw, gb = theanogo.grad(cost, [w, b])
    f = theanogo.function([x, y, w, b], [p, T.argmax(p, axis=1), cost, gw, gb])
    assert softmax_nodes(f) == (0, 1)
    xv = rng.normal(size=(n, n_in)).astype(dtype)
    wv = (3 * rng.normal(size=(n_in, n_out))).astype(dtype)
    bv = rng.normal(size=n_out).astype(dtype)
    yv = rng.integers(0, n_out, size=n)
    got = f(xv, yv, wv, bv)
    want = numpy_step(*(a.astype(np.float64) for a in (xv,)), yv, wv.astype(np.float64), bv.astype(np.float64))
    tol = 1e-12 if dtype == "float64" else 2e-5
    np.testing.assert_allclose(got[0], want[0], rtol=tol, atol=tol)
    np.testing.assert_array_equal(got[1], np.argmax(want[0], axis=1))
    for g, w_ in zip(got[2:], want[1:]):
        np.testing.assert_allclose(g, w_, rtol=tol * 10, atol=tol)


def test_gradient_against_finite_differences():
    rng = np.random.default_rng(5)
    z = T.dmatrix("z")
    y = T.lvector("y")
    p = T.nnet.softmax(z)
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y]) + (p ** 2).sum()
    f = theanogo.function([z, y], [cost, theanogo.grad(cost, z)])
    assert softmax_nodes(f) == (0, 1)
    zv, yv = rng.normal(size=(4, 6)), rng.integers(0, 6, size=4)
    _, g = f(zv, yv)
    eps = 1e-6
    num = np.zeros_like(zv)
    for i in np.ndindex(zv.shape):
        hi, lo = zv.copy(), zv.copy()
        hi[i] += eps
        lo[i] -= eps
        num[i] = (f(hi, yv)[0] - f(lo, yv)[0]) / (2 * eps)
    np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-8)


def test_extreme_logits_stay_finite():
    z = T.dmatrix("z")
    y = T.lvector("y")
    p = T.nnet.softmax(z)
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    f = theanogo.function([z, y], [p, cost, theanogo.grad(cost, z)])
    zv = np.array([[0.0, 1000.0, -1000.0], [-800.0, 0.0, 800.0]])
    pv, c, g = f(zv, np.array([2, 0]))
    np.testing.assert_array_equal(pv, [[0, 1, 0], [0, 0, 1]])
    assert c == pytest.approx(1800.0)
    np.testing.assert_allclose(g, [[0, 0.5, -0.5], [-0.5, 0, 0.5]])


def test_without_the_pass_both_are_computed():
    z = T.dmatrix("z")
    y = T.lvector("y")
    p = T.nnet.softmax(z)
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    f = theanogo.function([z, y], [p, cost], mode=theanogo.Mode(optimizer="fast_run").excluding("softmax_share"))
    assert softmax_nodes(f) == (1, 1)
