"""The optimizer makes the classic unstable formulas safe: each value and
gradient below is finite and right under the default optimizer, and
overflows with optimizer=None (both are asserted)."""

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T

NONE = theanogo.Mode(optimizer=None)


def compile_both(inputs, outputs):
    return theanogo.function(inputs, outputs), theanogo.function(inputs, outputs, mode=NONE)


def test_log_sigmoid_log1m_sigmoid_and_softplus_at_800():
    x = T.dscalar("x")
    cases = [
        (T.log(T.nnet.sigmoid(x)), -800.0, -800.0),
        (T.log(1 - T.nnet.sigmoid(x)), 800.0, -800.0),
        (T.log(1 + T.exp(x)), 800.0, 800.0),
    ]
    for expr, at, want in cases:
        fast, plain = compile_both([x], [expr, theanogo.grad(expr, x)])
        value, slope = fast(at)
        assert float(value) == pytest.approx(want) and np.isfinite(slope), (expr, value, slope)
        with np.errstate(all="ignore"):
            assert not np.isfinite(plain(at)[0]), expr


def test_log_sum_exp_at_1000():
    x = T.dvector("x")
    expr = T.log(T.sum(T.exp(x)))
    fast, plain = compile_both([x], expr)
    v = np.array([1000.0, 1000.0, 999.0])
    assert float(fast(v)) == pytest.approx(1000 + np.log(2 + np.exp(-1)))
    assert not np.isfinite(plain(v))


def nll_graphs(kind):
    z = T.dmatrix("z")
    y = T.dmatrix("y") if kind == "one-hot" else T.lvector("y")
    p = T.nnet.softmax(z)
    if kind == "tutorial":
        cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    else:
        cost = T.mean(T.nnet.categorical_crossentropy(p, y))
    return [z, y], [cost, theanogo.grad(cost, z)]


@pytest.mark.parametrize("kind,scale", [("tutorial", 1e4), ("categorical", 800.0), ("one-hot", 800.0)])
def test_softmax_cross_entropy_and_its_gradient_with_huge_logits(kind, scale):
    inputs, outputs = nll_graphs(kind)
    fast, plain = compile_both(inputs, outputs)
    z = np.array([[1.0, -1.0, 0.5], [-0.5, 0.0, 1.0]]) * scale
    y = np.array([1, 0])
    labels = np.eye(3)[y] if kind == "one-hot" else y
    cost, grad = fast(z, labels)
    # exact: -log softmax(z)[i, y_i] = logsumexp(z_i) - z_i[y_i]; d/dz = (softmax - onehot) / n
    lse = z.max(axis=1) + np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1))
    assert float(cost) == pytest.approx(np.mean(lse - z[[0, 1], y]))
    sm = np.exp(z - lse[:, None])
    np.testing.assert_allclose(grad, (sm - np.eye(3)[y]) / 2, atol=1e-12)
    with np.errstate(all="ignore"):
        bad_cost, bad_grad = plain(z, labels)
    assert not (np.isfinite(bad_cost) and np.all(np.isfinite(bad_grad)))


def test_binary_crossentropy_of_sigmoid_and_its_gradient_at_800():
    z, t = T.dvector("z"), T.dvector("t")
    cost = T.sum(T.nnet.binary_crossentropy(T.nnet.sigmoid(z), t))
    fast, plain = compile_both([z, t], [cost, theanogo.grad(cost, z)])
    zv, tv = np.array([800.0, -800.0, 3.0]), np.array([0.0, 1.0, 1.0])
    value, grad = fast(zv, tv)
    assert float(value) == pytest.approx(800 + 800 + np.log1p(np.exp(-3.0)))
    with np.errstate(over="ignore"):
        np.testing.assert_allclose(grad, 1 / (1 + np.exp(-zv)) - tv, atol=1e-12)
    with np.errstate(all="ignore"):
        bad_value, bad_grad = plain(zv, tv)
    assert not (np.isfinite(bad_value) and np.all(np.isfinite(bad_grad)))


def test_theano_tutorial_logistic_regression_trains_without_nan():
    # Theano's "A Real Example": 400 examples of 784 features, the
    # cross-entropy written with 1 / (1 + exp(-z)).
    rng = np.random.RandomState(42)
    N, feats = 400, 784
    D = (rng.randn(N, feats), rng.randint(size=N, low=0, high=2).astype("float64"))
    x, y = T.dmatrix("x"), T.dvector("y")
    w = theanogo.shared(rng.randn(feats), name="w")
    b = theanogo.shared(0.0, name="b")
    p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))
    prediction = p_1 > 0.5
    xent = -y * T.log(p_1) - (1 - y) * T.log(1 - p_1)
    cost = xent.mean() + 0.01 * (w ** 2).sum()
    gw, gb = theanogo.grad(cost, [w, b])
    train = theanogo.function([x, y], [prediction, xent], updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb)))
    predict = theanogo.function([x], prediction)
    w0 = w.get_value()
    for _ in range(300):
        train(D[0], D[1])
    assert np.all(np.isfinite(w.get_value())) and np.isfinite(b.get_value())
    # the same 300 steps in numpy, with the exact gradient (p - y) / N
    wr, br = w0, 0.0
    for _ in range(300):
        with np.errstate(over="ignore"):
            p = 1 / (1 + np.exp(-(D[0] @ wr) - br))
        wr, br = wr - 0.1 * (D[0].T @ (p - D[1]) / N + 0.02 * wr), br - 0.1 * np.mean(p - D[1])
    np.testing.assert_allclose(w.get_value(), wr, rtol=1e-7, atol=1e-9)
    assert np.mean(predict(D[0]) == D[1]) > 0.9
    # without the optimizer the same program turns w into NaN
    w.set_value(rng.randn(feats))
    b.set_value(0.0)
    plain = theanogo.function([x, y], [prediction, xent], updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb)), mode=NONE)
    with np.errstate(all="ignore"):
        plain(D[0], D[1])
    assert not np.all(np.isfinite(w.get_value()))


def test_fusion_and_merge_in_compiled_graphs():
    x, y = T.dmatrices("x", "y")
    f = theanogo.function([x, y], T.tanh(x * y + 2) * x - y / 3)
    nodes = f.maker.fgraph.toposort()
    assert len(nodes) == 1 and nodes[0].op.startswith("composite"), [n.op for n in nodes]
    a, b = np.random.rand(3, 4), np.random.rand(3, 4)
    np.testing.assert_allclose(f(a, b), np.tanh(a * b + 2) * a - b / 3)
    g = theanogo.function([x], T.argmax(T.nnet.softmax(x), axis=-1))
    assert not any(n.op.startswith("softmax") for n in g.maker.fgraph.toposort())
