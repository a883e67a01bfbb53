"""var, std (ddof, corrected: Theano 1.0's definitions), ptp, any, all and
max_and_argmax: numpy parity on random shapes, dtypes and axes (negative and
tuple axes, keepdims, size-0 where numpy defines the result), compiled in
C++ with no evaluator node; gradients against finite differences; errors."""

import inspect

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T

DTYPES = ["bool", "int8", "int32", "int64", "uint8", "float32", "float64"]


def _values(rng, dtype, shape):
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    if np.dtype(dtype).kind in "iu":
        lo = 0 if np.dtype(dtype).kind == "u" else -4
        return rng.integers(lo, 5, shape).astype(dtype)
    v = rng.uniform(-1.5, 1.5, shape)
    v[rng.random(shape) < 0.2] = 0  # zeros for any/all
    return v.astype(dtype)


def _axes(rng, ndim):
    """None, every single axis (some negative) and a random tuple of axes."""
    out = [None] + [int(a - ndim if rng.random() < 0.5 else a) for a in range(ndim)]
    if ndim >= 2:
        k = int(rng.integers(1, ndim + 1))
        out.append(tuple(int(a) - ndim * int(rng.integers(0, 2)) for a in rng.choice(ndim, k, replace=False)))
    return out


def _close(got, want, dtype):
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype.kind in "fc":
        tol = 1e-4 if dtype == "float32" else 1e-10
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    else:
        np.testing.assert_array_equal(got, want)


def _theano_var(v, axis, ddof, keepdims, corrected=False):
    """Theano 1.0's var: Σ(x - x̄)² / Π over the reduced axes of (nᵢ - ddof),
    less (Σ(x - x̄))² / Π (nᵢ - ddof) nᵢ when corrected."""
    axes = tuple(range(v.ndim)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    c = v - v.mean(axis=axes, keepdims=True)
    n = np.prod([v.shape[a] for a in axes])
    divisor = np.prod([v.shape[a] - ddof for a in axes]) if ddof else n
    out = (c * c).sum(axis=axes, keepdims=keepdims) / divisor
    if corrected:
        out = out - c.sum(axis=axes, keepdims=keepdims) ** 2 / (divisor * n)
    return out.astype(np.var(v.reshape(-1)[:1]).dtype)


def _compiled(inputs, outputs, mode="FAST_RUN"):
    """The function; in FAST_RUN it must be C++ with no node on the evaluator."""
    f = theanogo.function(inputs, outputs, mode=mode)
    if mode == "FAST_RUN":
        assert f.backend == "cxx" and f.maker.evaluator_nodes == [], f.maker.evaluator_nodes
    return f


def _cases(name, dtype, min_len):
    """Inputs of ranks 0..3 at random shapes and the (input index, axis) pairs."""
    rng = np.random.default_rng(abs(hash((name, dtype))) % 2**32)
    xs, values, pairs = [], [], []
    for ndim in range(0, 4):
        shape = tuple(int(n) for n in rng.integers(min_len, 4, ndim))
        xs.append(T.tensor(dtype=dtype, shape=(None,) * ndim))
        values.append(_values(rng, dtype, shape))
        pairs += [(ndim, axis) for axis in _axes(rng, ndim)]
    return xs, values, pairs


MODES = ["FAST_RUN", "FAST_COMPILE"]  # C++, and the Go evaluator


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("dtype", [d for d in DTYPES if d != "bool"])
def test_var_std_numpy_parity(name, dtype, mode):
    """ddof 0 (empty axes included: NaN as numpy), ddof 1 on non-empty axes,
    keepdims, corrected; one axis matches numpy's var exactly as Theano does."""
    outputs, wants = [], []
    ours = getattr(T, name)
    ref = _theano_var if name == "var" else (lambda *args: np.sqrt(_theano_var(*args)))
    allxs, allvalues = [], []
    for ddof, min_len in [(0, 0), (1, 1)]:
        xs, values, pairs = _cases(name + str(ddof), dtype, min_len)
        allxs += xs
        allvalues += values
        for i, axis in pairs:
            v = values[i]
            for keep, corrected in [(False, False), (True, False), (False, True)]:
                outputs.append(ours(xs[i], axis=axis, ddof=ddof, keepdims=keep, corrected=corrected))
                with np.errstate(invalid="ignore", divide="ignore"):
                    wants.append(ref(v, axis, ddof, keep, corrected))
                if v.size and (axis is None and v.ndim == 1 or isinstance(axis, int) or ddof == 0):
                    with np.errstate(invalid="ignore", divide="ignore"):
                        np_ref = getattr(np, name)(v, axis=axis, ddof=ddof, keepdims=keep)
                    _close(np.asarray(wants[-1]), np.asarray(np_ref), dtype)  # Theano's == numpy's here
    with np.errstate(invalid="ignore", divide="ignore"):
        got = _compiled(allxs, outputs, mode)(*allvalues)
    for g, w in zip(got, wants):
        _close(g, np.asarray(w), dtype)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ["ptp", "any", "all"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_ptp_any_all_numpy_parity(name, dtype, mode):
    if name == "ptp" and dtype == "bool":
        pytest.skip("numpy's ptp refuses bool (ours is max != min)")
    xs, values, pairs = _cases(name, dtype, 1 if name == "ptp" else 0)  # ptp of nothing raises
    outputs, wants = [], []
    for i, axis in pairs:
        for keep in [False, True]:
            outputs.append(getattr(T, name)(xs[i], axis=axis, keepdims=keep))
            wants.append(np.asarray(getattr(np, name)(values[i], axis=axis, keepdims=keep)))
    got = _compiled(xs, outputs, mode)(*values)
    for g, w in zip(got, wants):
        _close(g, w, dtype)


def test_methods_and_nan():
    x = T.dmatrix("x")
    f = _compiled([x], [x.var(axis=0), x.std(ddof=1), x.ptp(axis=-1), x.any(axis=1), x.all(keepdims=True)])
    v = np.array([[0.0, np.nan, 2.0], [1.0, 3.0, 0.0]])
    for g, w in zip(f(v), [v.var(axis=0), v.std(ddof=1), np.ptp(v, axis=-1), v.any(axis=1), v.all(keepdims=True)]):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("dtype", ["int8", "float32", "float64"])
@pytest.mark.parametrize("axis", [None, 0, -1, 1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_max_and_argmax(dtype, axis, keepdims):
    rng = np.random.default_rng(7)
    x = T.tensor(dtype=dtype, shape=(None, None))
    m, a = T.max_and_argmax(x, axis=axis, keepdims=keepdims)
    v = _values(rng, dtype, (3, 4))
    got_m, got_a = _compiled([x], [m, a])(v)
    _close(got_m, np.asarray(np.max(v, axis=axis, keepdims=keepdims)), dtype)
    _close(got_a, np.asarray(np.argmax(v, axis=axis, keepdims=keepdims)), dtype)


def _numeric_grad(f, v, eps=1e-6):
    g = np.zeros_like(v)
    for i in np.ndindex(v.shape):
        p, m = v.copy(), v.copy()
        p[i] += eps
        m[i] -= eps
        g[i] = (f(p) - f(m)) / (2 * eps)
    return g


@pytest.mark.parametrize("build", [
    lambda x: T.var(x),
    lambda x: T.var(x, axis=1, ddof=1),
    lambda x: T.var(x, axis=(0, -1), keepdims=True, corrected=True),
    lambda x: T.std(x, axis=0),
    lambda x: T.std(x, axis=-1, ddof=2, corrected=True),
    lambda x: x.std(),
    lambda x: T.ptp(x, axis=1),
    lambda x: x.ptp(),
])
def test_gradient_against_finite_differences(build):
    rng = np.random.default_rng(5)
    x = T.dmatrix("x")
    out = build(x)
    w = rng.normal(size=out.eval({x: np.ones((3, 4))}).shape) if out.ndim else 1.0
    cost = (out * w).sum()
    g = _compiled([x], theanogo.grad(cost, x))
    c = theanogo.function([x], cost)
    v = rng.uniform(-1.5, 1.5, (3, 4))  # distinct values: no ties for ptp
    np.testing.assert_allclose(g(v), _numeric_grad(lambda a: float(c(a)), v), rtol=1e-6, atol=1e-8)


def test_var_is_the_function_and_the_module_still_imports():
    from theanogo.tensor.var import TensorVariable
    assert callable(T.var) and T.var.__module__ == "theanogo.tensor.basic"
    assert isinstance(T.dvector("v"), TensorVariable)


def test_errors_name_the_op_and_the_users_line():
    x = T.dmatrix("x")
    line = inspect.currentframe().f_lineno + 2
    with pytest.raises(ValueError) as info:
        T.var(x, axis=2)
    assert "var" in str(info.value) and "axis 2" in str(info.value)
    assert f"{__file__}:{line}" in str(info.value)
    with pytest.raises(ValueError, match="std"):
        x.std(axis=(0, -2))
    with pytest.raises(TypeError, match="std.*bool"):
        T.std(T.tensor(dtype="bool", shape=(None,)))
    with pytest.raises(TypeError, match="ddof"):
        T.var(x, ddof=1.5)
    with pytest.raises(ValueError, match="ptp"):
        T.ptp(x, axis=-3)
    with pytest.raises(ValueError, match="any"):
        x.any(axis=5)
    with pytest.raises(ValueError):
        theanogo.function([x], T.ptp(x))(np.zeros((0, 3)))
