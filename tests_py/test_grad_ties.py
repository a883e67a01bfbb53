"""Gradients at ties, kinks and zeros (issue 11, defect 6).

The convention: where a function has a kink, the gradient is the mean of its
one-sided derivatives. ``maximum``/``minimum`` split the gradient evenly at a tie
(0.5 each, so ``maximum(a, a)`` has derivative 1), a ``max``/``min`` reduction
divides it evenly among the entries equal to the result, ``abs'(0) = 0``,
``relu'(0) = 0.5`` and ``clip`` at a bound gives 0.5 to x and 0.5 to the bound.
``prod``'s gradient is exact with zeros. Every case runs in FAST_RUN (on the C++
backend, no node left to the evaluator) and FAST_COMPILE, in float32 and float64,
against the analytic answer at ties and finite differences away from them.
"""

import contextlib
import io

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T

MODES = ["FAST_RUN", "FAST_COMPILE"]
DTYPES = ["float32", "float64"]


def tol(dtype):
    return 1e-5 if dtype == "float32" else 1e-12


def compile_fn(inputs, outputs, mode):
    """theanogo.function, checking that FAST_RUN runs all of it as C++."""
    f = theanogo.function(inputs, outputs, mode=mode)
    if mode == "FAST_RUN":
        assert f.backend == "cxx"
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            theanogo.printing.debugprint(f)
        assert "(evaluator)" not in out.getvalue(), out.getvalue()
    return f


def numeric_grad(cost, values, i, eps):
    """Central differences of the numpy cost(*values) (float64) with respect to values[i]."""
    base = [np.array(v, dtype=np.float64) for v in values]
    g = np.zeros_like(base[i])
    flat, gflat = base[i].reshape(-1), g.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        plus = cost(*base)
        flat[k] = old - eps
        minus = cost(*base)
        flat[k] = old
        gflat[k] = (plus - minus) / (2 * eps)
    return g


def assert_close(got, want, dtype, rtol=None):
    assert got.dtype == np.dtype(dtype), (got.dtype, dtype)
    r = tol(dtype) if rtol is None else rtol
    np.testing.assert_allclose(got, want, rtol=r, atol=r)


# --- maximum and minimum ----------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_same_variable_both_sides(op, mode, dtype):
    a = T.vector("a", dtype=dtype)
    fn = getattr(T, op)
    f = compile_fn([a], [theanogo.grad(fn(a, a).sum(), a), theanogo.grad((fn(a, a) * a).sum(), a)], mode)
    v = np.array([1.5, -2, 0, 3], dtype=dtype)
    g1, g2 = f(v)
    assert_close(g1, np.ones(4), dtype)  # d a / d a
    assert_close(g2, 2 * v, dtype)  # d a² / d a


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_tie_splits_evenly(op, mode, dtype):
    a, b = T.vector("a", dtype=dtype), T.vector("b", dtype=dtype)
    w = np.array([1.0, 2.0, 3.0, 0.5, 1.5], dtype=dtype)
    cost = (getattr(T, op)(a, b) * w).sum()
    f = compile_fn([a, b], theanogo.grad(cost, [a, b]), mode)
    # ties
    va = np.array([1, -2, 0, 3, 7], dtype=dtype)
    ga, gb = f(va, va.copy())
    assert_close(ga, w / 2, dtype)
    assert_close(gb, w / 2, dtype)
    assert_close(ga + gb, w, dtype)  # the total is exactly the incoming gradient
    # away from ties: finite differences
    va = np.array([1, -2, 0.5, 3, 7], dtype=dtype)
    vb = np.array([2, -3, 0.25, 4, 6], dtype=dtype)
    npfn = getattr(np, op)
    ga, gb = f(va, vb)
    ncost = lambda x, y: float((npfn(x, y) * w.astype(np.float64)).sum())  # noqa: E731
    assert_close(ga, numeric_grad(ncost, [va, vb], 0, 1e-3), dtype, rtol=1e-6 if dtype == "float64" else 1e-5)
    assert_close(gb, numeric_grad(ncost, [va, vb], 1, 1e-3), dtype, rtol=1e-6 if dtype == "float64" else 1e-5)


@pytest.mark.parametrize("mode", MODES)
def test_tie_with_broadcast_operand(mode):
    # a row tied with the matrix in some places: its gradient sums the halves
    m, r = T.dmatrix("m"), T.drow("r")
    f = compile_fn([m, r], theanogo.grad(T.maximum(m, r).sum(), [m, r]), mode)
    gm, gr = f(np.array([[1.0, 5], [1, -5]]), np.array([[1.0, 0]]))
    np.testing.assert_array_equal(gm, [[0.5, 1], [0.5, 0]])
    np.testing.assert_array_equal(gr, [[1, 1]])


# --- max and min reductions -------------------------------------------------------------

def expected_extremum_grad(x, reduce, axis, keepdims, w):
    """w (shaped like the result) spread evenly over the entries equal to the result."""
    z = reduce(x, axis=axis, keepdims=True)
    mask = (x == z).astype(np.float64)
    wz = np.asarray(w, dtype=np.float64)
    if not keepdims:
        wz = np.expand_dims(wz, axis if axis is not None else tuple(range(x.ndim)))
    return wz * mask / mask.sum(axis=axis, keepdims=True)


AXES = [None, 0, 1, (0, 1), -1]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("op", ["max", "min"])
def test_reduction_ties(op, axis, keepdims, mode, dtype):
    x = T.matrix("x", dtype=dtype)
    npred = getattr(np, op)
    ties = np.array([[3, 1, 0, 3], [3, 1, 1, 2], [-1, 5, 5, -1]], dtype=dtype)  # ties along every axis set
    distinct = (np.random.default_rng(4).permutation(12).reshape(3, 4) / 4.0 - 1).astype(dtype)
    w = np.random.default_rng(1).uniform(0.5, 1.5, size=npred(ties, axis=axis, keepdims=keepdims).shape).astype(dtype)
    out = getattr(T, op)(x, axis=axis, keepdims=keepdims)
    f = compile_fn([x], theanogo.grad((out * w).sum(), x), mode)
    # at ties: the analytic answer; each result's shares add up to its weight
    g = f(ties)
    assert_close(g, expected_extremum_grad(ties.astype(np.float64), npred, axis, keepdims, w), dtype)
    assert_close(g.sum(), w.astype(np.float64).sum(), dtype, rtol=1e-5)
    # away from ties: finite differences
    ncost = lambda v: float((npred(v, axis=axis, keepdims=keepdims) * w.astype(np.float64)).sum())  # noqa: E731
    assert_close(f(distinct), numeric_grad(ncost, [distinct], 0, 1e-3), dtype, rtol=1e-6 if dtype == "float64" else 1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_max_of_repeated_rows_and_elements(mode, dtype):
    m, v = T.matrix("m", dtype=dtype), T.vector("v", dtype=dtype)
    outs = [theanogo.grad(m[[0, 0]].max(0).sum(), m),  # every column ties with itself
            theanogo.grad(m[[0, 0]].min(axis=0, keepdims=True).sum(), m),
            theanogo.grad(T.max(v), v),  # repeated maxima
            theanogo.grad(T.min(v), v)]
    f = compile_fn([m, v], outs, mode)
    gmax, gmin, gv, gvmin = f(np.array([[2, 0, 3], [1, 2, 3]], dtype=dtype), np.array([3, 1, 3, -1, -1, -1], dtype=dtype))
    assert_close(gmax, [[1, 1, 1], [0, 0, 0]], dtype)
    assert_close(gmin, [[1, 1, 1], [0, 0, 0]], dtype)
    assert_close(gv, [0.5, 0, 0.5, 0, 0, 0], dtype)
    assert_close(gvmin, [0, 0, 0, 1 / 3, 1 / 3, 1 / 3], dtype)


@pytest.mark.parametrize("mode", MODES)
def test_max_with_nan_gives_no_nan_gradient_to_other_rows(mode):
    x = T.dmatrix("x")
    f = compile_fn([x], theanogo.grad(T.max(x, axis=1).sum(), x), mode)
    np.testing.assert_array_equal(f(np.array([[np.nan, 1.0], [2, 2]])), [[0, 0], [0.5, 0.5]])


# --- prod with zeros ----------------------------------------------------------------------

def expected_prod_grad(x, axis, keepdims, w):
    """d/dx_i of sum(w * prod(x, axis)): w times the product of the other entries, by brute force."""
    x = x.astype(np.float64)
    axes = tuple(range(x.ndim)) if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
    axes = tuple(a % x.ndim for a in axes)
    wz = np.asarray(w, dtype=np.float64)
    if not keepdims:
        wz = np.expand_dims(wz, axes)
    wz = np.broadcast_to(wz, x.shape)
    g = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        y = x.copy()
        y[idx] = 1.0
        group = tuple(slice(None) if d in axes else idx[d] for d in range(x.ndim))
        g[idx] = wz[idx] * np.prod(y[group])
    return g


PROD_INPUTS = {  # 0, 1 and 2 zeros in every row and column (and the whole array)
    0: [[2.0, 0.5, 3.0, 1.5], [1.25, 2.0, -1.0, 0.75], [0.5, 4.0, 2.0, -2.0]],
    1: [[2.0, 0.5, 3.0, 0.0], [1.25, 2.0, 0.0, 0.75], [0.5, 0.0, 2.0, -2.0]],
    2: [[0.0, 0.5, 0.0, 0.0], [1.25, 0.0, 0.0, 0.75], [0.0, 0.0, 2.0, -2.0]],
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
def test_prod_with_zeros(axis, keepdims, mode, dtype):
    x = T.matrix("x", dtype=dtype)
    w = np.random.default_rng(2).uniform(0.5, 1.5, size=np.prod(np.ones((3, 4)), axis=axis, keepdims=keepdims).shape).astype(dtype)
    f = compile_fn([x], theanogo.grad((T.prod(x, axis=axis, keepdims=keepdims) * w).sum(), x), mode)
    ncost = lambda v: float((np.prod(v, axis=axis, keepdims=keepdims) * w.astype(np.float64)).sum())  # noqa: E731
    for zeros, rows in PROD_INPUTS.items():
        v = np.array(rows, dtype=dtype)
        g = f(v)
        assert np.isfinite(g).all(), (zeros, g)
        assert_close(g, expected_prod_grad(v, axis, keepdims, w), dtype, rtol=1e-5 if dtype == "float32" else 1e-12)
        # a product is multilinear: finite differences hold at zeros too
        assert_close(g, numeric_grad(ncost, [v], 0, 1e-3), dtype, rtol=1e-5 if dtype == "float32" else 1e-8)


@pytest.mark.parametrize("mode", MODES)
def test_prod_vector_cases(mode):
    x = T.dvector("x")
    f = compile_fn([x], theanogo.grad(T.prod(x), x), mode)
    np.testing.assert_array_equal(f(np.array([2.0, 0, 3])), [0, 6, 0])
    np.testing.assert_array_equal(f(np.array([2.0, 0, 0])), [0, 0, 0])
    np.testing.assert_array_equal(f(np.array([0.0])), [1])
    np.testing.assert_array_equal(f(np.array([2.0, 4, 3])), [12, 6, 8])


def test_prod_grad_without_zeros_keeps_its_accuracy():
    # no zero: Πx / xᵢ, as before (within a few ulps of the exact product of the others)
    rng = np.random.default_rng(3)
    v = rng.uniform(0.5, 1.5, size=(5, 40))
    x = T.dmatrix("x")
    g = compile_fn([x], theanogo.grad(T.prod(x, axis=1).sum(), x), "FAST_RUN")(v)
    want = expected_prod_grad(v, 1, False, np.ones(5))
    np.testing.assert_allclose(g, want, rtol=1e-13)


def test_prod_grad_with_zeros_under_nanguard():
    x = T.dmatrix("x")
    f = theanogo.function([x], theanogo.grad(T.prod(x, axis=0).sum(), x), mode="NanGuardMode")
    np.testing.assert_array_equal(f(np.array([[0.0, 0], [2, 0], [3, 1]])), [[6, 0], [0, 0], [0, 0]])


# --- kinks: abs, relu, clip; argmax ---------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_kinks(mode, dtype):
    x, lo, hi = (T.vector(n, dtype=dtype) for n in ("x", "lo", "hi"))
    outs = [theanogo.grad(abs(x).sum(), x),
            theanogo.grad(T.nnet.relu(x).sum(), x),
            theanogo.grad(T.clip(x, 0, 1).sum(), x),
            theanogo.grad(T.clip(x, x, 1).sum(), x),  # = minimum(x, 1)
            theanogo.grad(T.clip(x, x, x).sum(), x),  # = x
            *theanogo.grad(T.clip(x, lo, hi).sum(), [x, lo, hi])]
    f = compile_fn([x, lo, hi], outs, mode)
    v = np.array([-1, 0, 0.5, 1, 2], dtype=dtype)
    gabs, grelu, gclip, gclip_lo, gclip_all, gx, glo, ghi = f(v, np.zeros(5, dtype), np.ones(5, dtype))
    assert_close(gabs, [-1, 0, 1, 1, 1], dtype)
    assert_close(grelu, [0, 0.5, 1, 1, 1], dtype)
    assert_close(gclip, [0, 0.5, 1, 0.5, 0], dtype)
    assert_close(gclip_lo, [1, 1, 1, 0.5, 0], dtype)
    assert_close(gclip_all, [1, 1, 1, 1, 1], dtype)
    assert_close(gx, [0, 0.5, 1, 0.5, 0], dtype)
    assert_close(glo, [1, 0.5, 0, 0, 0], dtype)
    assert_close(ghi, [0, 0, 0, 0.5, 1], dtype)
    assert_close(gx + glo + ghi, np.ones(5), dtype)  # shifting all three moves clip by as much


@pytest.mark.parametrize("mode", MODES)
def test_argmax_related(mode):
    # argmax is a constant for the gradient; indexing at it sends the
    # gradient to the first maximum only (the total is still 1 per row)
    m = T.dmatrix("m")
    outs = [theanogo.grad((m * T.argmax(m, axis=1).dimshuffle(0, "x")).sum(), m),
            theanogo.grad(m[T.arange(m.shape[0]), T.argmax(m, axis=1)].sum(), m),
            theanogo.grad((m * T.argmin(m)).sum(), m)]
    f = compile_fn([m], outs, mode)
    g1, g2, g3 = f(np.array([[1.0, 3, 3], [2, 2, 0]]))
    np.testing.assert_array_equal(g1, [[1, 1, 1], [0, 0, 0]])
    np.testing.assert_array_equal(g2, [[0, 1, 0], [1, 0, 0]])
    np.testing.assert_array_equal(g3, np.full((2, 3), 5.0))
