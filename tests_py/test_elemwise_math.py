"""The rounding, trigonometric, hyperbolic, log/exp and error-function rows
against numpy and scipy.special: float32, float64 and int32 inputs, compiled
in C++ (FAST_RUN, with no node left to the evaluator) and evaluated in Go
(FAST_COMPILE); their gradients against finite differences."""

import numpy as np
import pytest
import scipy.special

import theanogo
import theanogo.tensor as T
from conftest import assert_same, random_array, var_like
from test_grad import check_grad

# Theano function, reference, input range
UNARY = [
    (T.tan, np.tan, (-1.3, 1.3)),
    (T.arcsin, np.arcsin, (-0.95, 0.95)),
    (T.arccos, np.arccos, (-0.95, 0.95)),
    (T.arctan, np.arctan, (-5, 5)),
    (T.sinh, np.sinh, (-5, 5)),
    (T.cosh, np.cosh, (-5, 5)),
    (T.arcsinh, np.arcsinh, (-5, 5)),
    (T.arccosh, np.arccosh, (1, 5)),
    (T.arctanh, np.arctanh, (-0.95, 0.95)),
    (T.log2, np.log2, (1, 50)),
    (T.log10, np.log10, (1, 50)),
    (T.exp2, np.exp2, (-10, 10)),
    (T.erf, scipy.special.erf, (-3, 3)),
    (T.erfc, scipy.special.erfc, (-3, 3)),
]


def half_away_from_zero(a):
    return np.where(a < 0, -np.floor(0.5 - a), np.floor(a + 0.5)).astype(a.dtype)


ROUNDING = [
    (T.floor, np.floor),
    (T.ceil, np.ceil),
    (T.trunc, np.trunc),
    (T.round, half_away_from_zero),
    (lambda x: T.round(x, "half_to_even"), np.round),
    (T.round_half_to_even, np.round),
    (T.round_half_away_from_zero, half_away_from_zero),
]
ROUNDING_IDS = ["floor", "ceil", "trunc", "round", "round_half_to_even_mode", "round_half_to_even",
                "round_half_away_from_zero"]


def compile_both(inputs, output):
    """The function compiled in C++ (checked to have no evaluator node) and evaluated in Go."""
    fast = theanogo.function(inputs, output)
    assert fast.backend == "cxx" and fast.maker.evaluator_nodes == [], fast.maker.evaluator_nodes
    return fast, theanogo.function(inputs, output, mode="FAST_COMPILE")


@pytest.mark.parametrize("op,ref,bounds", UNARY, ids=[u[0].__name__ for u in UNARY])
@pytest.mark.parametrize("dt", ["float64", "float32", "int32"])
@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 0, 3), ()], ids=str)
def test_unary_math_as_numpy(op, ref, bounds, dt, shape, rng):
    a = random_array(rng, shape, dt, *bounds)
    x = var_like(a)
    want = ref(a)
    for f in compile_both([x], op(x)):
        assert_same(f(a), want)


@pytest.mark.parametrize("op,ref", ROUNDING, ids=ROUNDING_IDS)
@pytest.mark.parametrize("dt", ["float64", "float32", "int32", "int64"])
def test_rounding_as_numpy(op, ref, dt, rng):
    if dt.startswith("int"):
        a = rng.integers(-1000, 1000, size=(4, 5)).astype(dt)
    else:  # halves (ties), and values between them
        a = np.concatenate([rng.integers(-20, 20, size=10) / 2, rng.uniform(-5, 5, size=10)]).astype(dt)
    x = var_like(a)
    for f in compile_both([x], op(x)):
        got = f(a)
        assert_same(got, ref(a))  # integers stay integers, as in NumPy 2
        np.testing.assert_array_equal(np.signbit(got), np.signbit(ref(a)))  # -0.0 as numpy


def test_arctan2_broadcasting_and_dtypes(rng):
    a = random_array(rng, (3, 4), "float64", -3, 3)
    b = random_array(rng, (4,), "float32", -3, 3)
    c = random_array(rng, (3, 1), "int32", -3, 3)
    x, y, z = var_like(a), var_like(b), var_like(c)
    for f in compile_both([x, y, z], [T.arctan2(x, y), T.arctan2(y, y * 2), T.arctan2(z, c.T)]):
        got = f(a, b, c)
        for g, w in zip(got, [np.arctan2(a, b), np.arctan2(b, b * 2), np.arctan2(c, c.T)]):
            assert_same(g, w)


def test_special_values(rng):
    """Edges as numpy: domain errors give NaN, poles infinities, overflow inf."""
    a = np.array([0.0, -0.0, 1.0, -1.0, 2.0, np.inf, -np.inf, np.nan, 1000.0, -1000.0])
    x = var_like(a)
    ops = [T.arcsin, T.arccosh, T.arctanh, T.log2, T.log10, T.exp2, T.sinh, T.cosh, T.erf, T.erfc]
    refs = [np.arcsin, np.arccosh, np.arctanh, np.log2, np.log10, np.exp2, np.sinh, np.cosh,
            scipy.special.erf, scipy.special.erfc]
    with np.errstate(all="ignore"):
        want = [r(a) for r in refs]
    for f in compile_both([x], [op(x) for op in ops]):
        for g, w, op in zip(f(a), want, ops):
            np.testing.assert_allclose(g, w, rtol=1e-12, err_msg=op.__name__)


def test_iround_is_int64():
    x = T.dvector()
    y = T.iround(x)
    assert y.dtype == "int64"
    for f in compile_both([x], y):
        np.testing.assert_array_equal(f(np.array([0.5, -0.5, 2.5, 1.4])), [1, -1, 3, 1])
    z = T.iround(x, mode="half_to_even")
    np.testing.assert_array_equal(theanogo.function([x], z)(np.array([0.5, -0.5, 2.5, 1.4])), [0, 0, 2, 1])


def test_round_rejects_unknown_mode():
    with pytest.raises(ValueError, match="round: mode must be one of"):
        T.round(T.dvector(), "half_up")


@pytest.mark.parametrize("op", [T.tan, T.erf, T.floor])
def test_complex_refused(op):
    with pytest.raises(TypeError, match=op.__name__):
        op(T.zvector())


GRADS = [(op, b) for op, _, b in UNARY]


@pytest.mark.parametrize("op,bounds", GRADS, ids=[g[0].__name__ for g in GRADS])
def test_math_grads(op, bounds, rng):
    lo, hi = bounds
    if op in (T.arccosh,):
        lo = 1.2  # away from the pole of the derivative at 1
    check_grad(op, [random_array(rng, (3, 2), "float64", lo, hi)], tol=1e-4)


def test_arctan2_grad(rng):
    check_grad(T.arctan2, [random_array(rng, (3, 2), "float64", -2, 2), random_array(rng, (2,), "float64", 0.5, 2)])


@pytest.mark.parametrize("op", [T.floor, T.ceil, T.trunc, T.round, T.round_half_to_even])
def test_rounding_grad_is_zero(op, rng):
    x = T.dvector()
    g = theanogo.grad(op(x * 3).sum(), x)
    np.testing.assert_array_equal(theanogo.function([x], g)(np.array([0.3, 1.7, -2.2])), 0.0)
