"""Gradients against central finite differences, in float64."""

import warnings

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T
from conftest import random_array, var_like


def numeric_grad(f, values, i, eps=1e-6):
    """Central differences of the scalar f with respect to values[i]."""
    base = [v.copy() for v in values]
    g = np.zeros_like(base[i])
    flat = base[i].reshape(-1)
    gflat = g.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        plus = float(f(*base))
        flat[k] = old - eps
        minus = float(f(*base))
        flat[k] = old
        gflat[k] = (plus - minus) / (2 * eps)
    return g


def check_grad(build, values, tol=1e-5):
    """build(*vars) returns an expression; its weighted sum is checked against finite differences."""
    xs = [var_like(v) for v in values]
    out = build(*xs)
    rng = np.random.default_rng(0)
    weights = T.constant(rng.uniform(0.5, 1.5, size=[d or 1 for d in out.static_shape]) if out.ndim else 1.0)
    cost = (out * weights).sum() if out.ndim else out * weights
    f = theanogo.function(xs, cost)
    grads = theanogo.function(xs, theanogo.grad(cost, xs))(*values)
    for i, g in enumerate(grads):
        want = numeric_grad(f, values, i)
        np.testing.assert_allclose(g, want, rtol=tol, atol=tol, err_msg=f"gradient of input {i}")


UNARY = [
    (T.neg, (-2, 2)), (T.abs_, (0.2, 2)), (T.sqr, (-2, 2)), (T.sqrt, (0.5, 3)), (T.exp, (-2, 2)),
    (T.log, (0.5, 3)), (T.log1p, (-0.5, 2)), (T.expm1, (-2, 2)), (T.tanh, (-2, 2)), (T.sigmoid, (-3, 3)),
    (T.softplus, (-3, 3)), (T.sin, (-2, 2)), (T.cos, (-2, 2)), (T.nnet.relu, (0.2, 2)),
]


@pytest.mark.parametrize("op,bounds", UNARY, ids=[u[0].__name__ for u in UNARY])
def test_unary_grads(op, bounds, rng):
    check_grad(op, [random_array(rng, (3, 2), "float64", *bounds)])


BINARY = [
    (T.add, (-2, 2)), (T.sub, (-2, 2)), (T.mul, (-2, 2)), (T.true_div, (0.5, 2)), (T.pow, (0.5, 2)),
    (lambda a, b: T.maximum(a, b + 10), (-2, 2)), (lambda a, b: T.minimum(a, b + 10), (-2, 2)),
]


@pytest.mark.parametrize("op,bounds", BINARY)
@pytest.mark.parametrize("shapes", [((3, 2), (3, 2)), ((3, 2), (1, 2)), ((3, 2), (2,)), ((2,), ())], ids=str)
def test_binary_grads_with_broadcasting(op, bounds, shapes, rng):
    check_grad(op, [random_array(rng, s, "float64", *bounds) for s in shapes])


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "max", "min"])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)], ids=str)
def test_reduction_grads(name, axis, rng):
    a = rng.permutation(12).reshape(3, 4) / 4.0 + 0.5  # distinct values: max/min are differentiable
    check_grad(lambda x: getattr(T, name)(x, axis=axis), [a])


def test_shape_op_grads(rng):
    a = random_array(rng, (2, 3, 4))
    check_grad(lambda x: x.dimshuffle(2, "x", 0, 1), [a])
    check_grad(lambda x: x.transpose(1, 2, 0), [a])
    check_grad(lambda x: x.reshape((6, 4)), [a])
    check_grad(lambda x: x.flatten(2), [a])
    check_grad(lambda x: x[1, ::-2, 1:3], [a])


def test_set_and_inc_subtensor_grads(rng):
    a, b = random_array(rng, (3, 4)), random_array(rng, (2,))
    check_grad(lambda x, y: T.set_subtensor(x[1:, 2], y) * x, [a, b])
    check_grad(lambda x, y: T.inc_subtensor(x[::2, -1], y) ** 2, [a, b])


def test_dot_softmax_switch_grads(rng):
    check_grad(T.dot, [random_array(rng, (2, 3)), random_array(rng, (3, 4))])
    check_grad(T.dot, [random_array(rng, (2, 3)), random_array(rng, (3,))])
    check_grad(T.dot, [random_array(rng, (3,)), random_array(rng, (3,))])
    check_grad(T.nnet.softmax, [random_array(rng, (3, 4))])
    check_grad(lambda x, y: T.switch(x > 0, x * y, y), [random_array(rng, (3, 3)), random_array(rng, (3, 3))])


def test_grad_returns_same_structure():
    x, y = T.dscalars("x", "y")
    cost = x * y + x
    gx = theanogo.grad(cost, x)
    assert isinstance(gx, T.TensorVariable)
    gs = theanogo.grad(cost, [x, y])
    assert isinstance(gs, list) and len(gs) == 2
    f = theanogo.function([x, y], gs)
    assert [float(v) for v in f(2.0, 3.0)] == [4.0, 2.0]


def test_grad_through_shared_variable():
    w = theanogo.shared(np.array([1.0, 2.0]), name="w")
    x = T.dvector("x")
    g = theanogo.grad(T.sum(w * x) ** 2, w)
    got = theanogo.function([x], g)(np.array([3.0, 4.0]))
    np.testing.assert_allclose(got, 2 * 11.0 * np.array([3.0, 4.0]))


def test_disconnected_inputs():
    x, y = T.dscalar("x"), T.dscalar("y")
    cost = x ** 2
    with pytest.raises(theanogo.DisconnectedInputError):
        theanogo.grad(cost, [x, y])
    with pytest.raises(ValueError):  # DisconnectedInputError is a ValueError, as in Theano
        theanogo.grad(cost, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gx, gy = theanogo.grad(cost, [x, y], disconnected_inputs="warn")
    assert any("not part of the computational graph" in str(w.message) for w in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gx, gy = theanogo.grad(cost, [x, y], disconnected_inputs="ignore")
    got = theanogo.function([x, y], [gx, gy], on_unused_input="ignore")(3.0, 1.0)
    assert [float(v) for v in got] == [6.0, 0.0]


def test_consider_constant():
    x = T.dscalar("x")
    y = x * x
    g = theanogo.grad(y * x, x, consider_constant=[y])
    assert float(theanogo.function([x], g)(3.0)) == 9.0


def test_grad_of_non_scalar_cost_is_a_type_error():
    x = T.dvector("x")
    with pytest.raises(TypeError):
        theanogo.grad(x * 2, x)
