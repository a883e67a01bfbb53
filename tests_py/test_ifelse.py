"""theanogo.ifelse.ifelse: Theano's lazy ifelse, on the C++ backend
(FAST_RUN: each branch a region function of the kernel) and the evaluator
(FAST_COMPILE): only the taken branch runs."""

import inspect

import numpy as np
import pytest

import theanogo as theano
import theanogo.tensor as T
from theanogo.ifelse import ifelse

MODES = ["FAST_RUN", "FAST_COMPILE"]


def _compile(inputs, outputs, mode, **kw):
    f = theano.function(inputs, outputs, mode=mode, **kw)
    assert f.backend == ("cxx" if mode == "FAST_RUN" else "evaluator")
    return f


def test_reachable_as_theano_ifelse():
    assert theano.ifelse.ifelse is ifelse


@pytest.mark.parametrize("mode", MODES)
def test_untaken_branch_does_not_run(mode):
    c = T.bscalar("c")
    x, y = T.dvectors("x", "y")
    idx = T.lvector("idx")
    # then: an out-of-range index raises IndexError; else: a length mismatch raises ValueError
    f = _compile([c, x, idx, y], ifelse(c, x[idx] * 2, T.exp(y) + x), mode)
    xv, y2, y3 = np.array([1.0, 2.0]), np.array([0.5, 1.5]), np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(f(0, xv, [9], y2), np.exp(y2) + xv)
    np.testing.assert_allclose(f(1, xv, [1, 0, 1], y3), xv[[1, 0, 1]] * 2)
    with pytest.raises(IndexError):
        f(1, xv, [9], y2)
    with pytest.raises(ValueError):
        f(0, xv, [0], y3)


@pytest.mark.parametrize("mode", MODES)
def test_shared_subexpression_and_computed_condition(mode):
    x = T.dvector("x")
    common = T.exp(x)  # both branches read it: computed once, outside
    out = ifelse(T.gt(x.sum(), 0), common * 3, common + T.log(x))
    f = _compile([x], out, mode)
    for xv in ([1.0, 2.0], [-1.0, -2.0]):
        xv = np.array(xv)
        with np.errstate(invalid="ignore"):
            want = np.exp(xv) * 3 if xv.sum() > 0 else np.exp(xv) + np.log(xv)
        np.testing.assert_allclose(f(xv), want)


@pytest.mark.parametrize("mode", MODES)
def test_branches_of_different_shapes_and_a_consumer(mode):
    x = T.dmatrix("x")
    n = T.lscalar("n")
    out = ifelse(T.gt(n, 0), x[:n], x.T)  # (n, k) or (k, m): same type, different shapes
    f = _compile([x, n], [out, (out ** 2).sum(axis=0)], mode)
    xv = np.arange(6.0).reshape(2, 3)
    for nv, want in ((1, xv[:1]), (0, xv.T)):
        got, s = f(xv, nv)
        np.testing.assert_allclose(got, want)
        np.testing.assert_allclose(s, (want ** 2).sum(axis=0))


@pytest.mark.parametrize("mode", MODES)
def test_multiple_outputs_and_updates(mode):
    c = T.dscalar("c")
    x = T.dmatrix("x")
    w = theano.shared(np.ones((2, 2)), name="w")
    a, b = ifelse(c, [T.dot(x, w), x.sum()], [x * 2, w.sum()])
    f = _compile([c, x], [a, b], mode, updates=[(w, w + a)])
    xv = np.array([[1.0, 2.0], [3.0, 4.0]])
    got_a, got_b = f(1.0, xv)
    np.testing.assert_allclose(got_a, xv @ np.ones((2, 2)))
    assert got_b == xv.sum()
    np.testing.assert_allclose(w.get_value(), np.ones((2, 2)) + xv @ np.ones((2, 2)))
    before = w.get_value()
    got_a, got_b = f(0.0, xv)
    np.testing.assert_allclose(got_a, xv * 2)
    assert got_b == before.sum()
    np.testing.assert_allclose(w.get_value(), before + xv * 2)


@pytest.mark.parametrize("mode", MODES)
def test_gradient_against_finite_differences(mode):
    c = T.dscalar("c")
    x, y = T.dvectors("x", "y")
    cost = (ifelse(T.gt(c, 0), x * y, T.exp(y)) ** 2).sum()
    g = _compile([c, x, y], T.grad(cost, [x, y]), mode)
    fc = _compile([c, x, y], cost, mode)
    rng = np.random.default_rng(3)
    xv, yv = rng.normal(size=3), rng.normal(size=3)
    eps = 1e-6
    for cv in (1.0, -1.0):
        gx, gy = g(cv, xv, yv)
        for k, (v, gv) in enumerate(((xv, gx), (yv, gy))):
            num = np.zeros_like(v)
            for i in range(len(v)):
                d = np.zeros_like(v)
                d[i] = eps
                args_p = [cv, xv + d, yv] if k == 0 else [cv, xv, yv + d]
                args_m = [cv, xv - d, yv] if k == 0 else [cv, xv, yv - d]
                num[i] = (fc(*args_p) - fc(*args_m)) / (2 * eps)
            np.testing.assert_allclose(gv, num, rtol=1e-5, atol=1e-7)


def test_compiled_matches_evaluator_nested():
    c, d = T.dscalars("c", "d")
    x = T.dmatrix("x")
    out = ifelse(c, ifelse(d, T.tanh(x), x.T) + 1, x * 2)
    outs = [out, out.sum()]
    fr, fe = _compile([c, d, x], outs, "FAST_RUN"), _compile([c, d, x], outs, "FAST_COMPILE")
    xv = np.random.default_rng(1).normal(size=(3, 3))
    for cv in (0.0, 1.0):
        for dv in (0.0, 1.0):
            for a, b in zip(fr(cv, dv, xv), fe(cv, dv, xv)):
                np.testing.assert_allclose(a, b, rtol=1e-14, atol=0)  # libm and Go may round tanh an ulp apart


def test_generated_source_names_the_regions():
    c = T.dscalar("c")
    x = T.dvector("x")
    line = inspect.currentframe().f_lineno + 1
    f = theano.function([c, x], ifelse(c, T.exp(x), T.log(x)))
    src = theano.printing.source(f)
    assert "// region tg_region_1: then branch of ifelse{n=1 lazy}" in src
    assert "// region tg_region_2: else branch of ifelse{n=1 lazy}" in src
    assert "static int tg_region_1(tg_args *args, tg_state *st)" in src
    # the user's line is in the printed graph, not in the source (the cache key)
    assert f"{__file__}:{line}" not in src


@pytest.mark.parametrize("then, other, what", [
    (T.dvector(), T.dmatrix(), "dmatrix"),
    (T.dvector(), T.fvector(), "float32"),
    (T.dmatrix(), T.drow(), "dmatrix"),
])
def test_branches_of_different_types(then, other, what):
    line = inspect.currentframe().f_lineno + 2
    with pytest.raises(TypeError) as info:
        ifelse(T.dscalar(), then, other)
    msg = str(info.value)
    assert "ifelse" in msg and "same type" in msg and f"{__file__}:{line}" in msg


def test_bad_condition_and_counts():
    line = inspect.currentframe().f_lineno + 2
    with pytest.raises(TypeError) as info:
        ifelse(T.dvector(), T.dscalar(), T.dscalar())
    assert "ifelse" in str(info.value) and "scalar" in str(info.value) and f"{__file__}:{line}" in str(info.value)
    with pytest.raises(ValueError, match="ifelse"):
        ifelse(T.dscalar(), [T.dscalar(), T.dscalar()], [T.dscalar()])


def test_value_dependent_shape_compiles():
    """arange's length from a value computed through an advanced index used to
    send the function to the evaluator; the C++ kernel now computes it in a
    region that runs after that value (cxx_fallback='raise' proves it)."""
    x = T.dvector("x")
    idx = T.lvector("idx")
    n = T.cast(x[idx].sum(), "int64")
    y = T.arange(n) * 1.5
    with theano.change_flags(cxx_fallback="raise"):
        f = theano.function([x, idx], [y, y.sum()])
    assert f.backend == "cxx"
    got, s = f(np.array([1.0, 2.0]), [1, 1])
    np.testing.assert_allclose(got, np.arange(4) * 1.5)
    assert s == 9.0
