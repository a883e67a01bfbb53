"""Constant exponents (core/rewrite/pow.go, codegen/cxx/elemwise.go): x ** k
for a constant k computes what numpy computes, in every integer and float
dtype, after the optimizer has replaced the pow (x ** 2 -> sqr, x ** 0.5 ->
sqrt, x ** -1 -> 1 / x, x ** 3 -> sqr(x) * x) or the C++ backend has lowered
it with the exponent visible (tg_powi); and the MLP with the tutorial's L2
penalty compiles to a graph with no pow and nothing computed only for its
shape, whose SGD step of each weight is one gemm (issue 11)."""

import re

import numpy as np
import pytest

import theanogo as theano
import theanogo.tensor as T

DTYPES = ["int8", "int16", "int32", "int64", "float32", "float64"]
EXPONENTS = [2, 3, 0.5, -1, 1, 0, -2, 4, 5, 2.5]
# numpy's fast paths (square, sqrt, reciprocal, ones, copy) round once, as
# the rewritten graph does: equal bit for bit. The others are within a few
# ulps of numpy's pow (two roundings for x ** 3 = sqr(x) * x; powers by
# multiplications in double for tg_powi).
EXACT = {2, 0.5, -1, 1, 0}


def _base(dtype, shape):
    if shape == (0,):
        return np.zeros(0, dtype)
    if np.dtype(dtype).kind == "f":
        v = [0.0, -0.0, 1.0, -1.0, 2.5, -3.25, 1e-3, -7.0, 1e4, np.nan, np.inf, -np.inf]
        rng = np.random.default_rng(0)
        v += list(rng.uniform(-4, 4, 12))
    else:
        info = np.iinfo(dtype)
        v = [0, 1, -1, 2, -3, 7, 100, -100, int(info.max), int(info.min), 11, -13] * 2
    return np.asarray(v, dtype=dtype).reshape(shape)


def _same(got, want, exact, dtype):
    assert got.dtype == want.dtype and got.shape == want.shape
    if np.dtype(dtype).kind != "f":
        np.testing.assert_array_equal(got, want)
        return
    nan = np.isnan(want)
    np.testing.assert_array_equal(np.isnan(got), nan)
    g, w = got[~nan], want[~nan]
    if exact:
        np.testing.assert_array_equal(g, w)
        np.testing.assert_array_equal(np.signbit(g), np.signbit(w))
        return
    finite = np.isfinite(w)
    np.testing.assert_array_equal(g[~finite], w[~finite])
    ulps = np.abs(g[finite] - w[finite]) / np.spacing(np.abs(w[finite]).astype(w.dtype))
    assert ulps.max(initial=0) <= 4, (g, w)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", EXPONENTS)
@pytest.mark.parametrize("shape", [(24,), (4, 6), (0,)])
def test_constant_exponent_numpy_parity(dtype, k, shape):
    if np.dtype(dtype).kind != "f" and k != int(k):
        return  # int ** 2.5 is a float power: covered through the float cases
    x = T.TensorType(dtype, (False,) * len(shape))("x")
    y = x ** k
    f = theano.function([x], y)
    ops = [n.op for n in f.maker.fgraph.toposort()]
    xv = _base(dtype, shape)
    # the graph's dtype is Theano's (int8 ** 0.5 is float32, as in Theano;
    # numpy says float64): compare with numpy computing in it
    with np.errstate(all="ignore"):
        try:
            want = np.asarray(xv.astype(y.dtype) ** k, dtype=y.dtype)
        except ValueError:
            with pytest.raises(ValueError, match="negative integer powers"):
                f(xv)
            assert "pow" in ops  # the check stays with the pow
            return
    got = f(xv)
    assert got.dtype == y.dtype
    if np.dtype(dtype).kind == np.dtype(y.dtype).kind:
        with np.errstate(all="ignore"):
            assert got.dtype == (xv ** k).dtype  # numpy's result dtype: no upcast of float32, int8 stays int8
    _same(got, want, k in EXACT, y.dtype)
    if k in (2, 3, 1, 0) or (k in (0.5, -1) and np.dtype(y.dtype).kind == "f"):
        assert "pow" not in ops and not any("**" in op for op in ops), ops


def test_float32_square_stays_float32():
    x = T.fmatrix("x")
    f = theano.function([x], [x ** 2, (x ** 2).sum(), x ** np.float32(0.5)])
    xv = np.asarray([[1.5, -2.0], [3.0, 0.25]], np.float32)
    out = f(xv)
    assert [o.dtype for o in out] == [np.float32] * 3
    np.testing.assert_array_equal(out[0], xv ** 2)
    np.testing.assert_allclose(out[1], (xv ** 2).sum(), rtol=1e-6)


def _shape_only(fgraph):
    """What is computed only for its shape: variables whose every use reads
    only their shape (the first input of second (fill), shape,
    reduced_count, or an input of a composite that its program reads only
    inside second(i<k>, ...)), and composites that compute a subexpression
    as second's first operand (second((i0 ** 2), 0.01) in a fused kernel)."""
    uses = {}
    for node in fgraph.toposort():
        for i, v in enumerate(node.inputs):
            uses.setdefault(id(v), []).append((node, i))
    outputs = {id(v) for v in fgraph.outputs}

    def shape_use(node, i):
        op = node.op
        if op == "second":
            return i == 0
        if op.startswith("shape") or op.startswith("reduced_count"):
            return True
        if op.startswith("composite"):
            return len(re.findall(rf"\bi{i}\b", op)) == len(re.findall(rf"second\(i{i},", op)) > 0
        return False

    bad = []
    for node in fgraph.toposort():
        if node.op.startswith("composite") and re.search(r"second\((?!i\d+,)", node.op):
            bad.append((node.op, []))
        for v in node.outputs:
            us = uses.get(id(v), [])
            if us and id(v) not in outputs and all(shape_use(n, i) for n, i in us):
                bad.append((node.op, [n.op for n, _ in us]))
    return bad


# The mean negative log-likelihood's gradient still reads the shape of
# log(softmax)[arange(n), y] through second and reduced_count: when the cost
# is not an output of the function, that row is computed for its shape alone
# (not the penalty's doing; see the report of issue 11).
NLL_SHAPE_ONLY = ("logsoftmax", "advanced_subtensor")


def _mlp(penalty, dtype="float32", n_in=12, n_hid=9, n_out=4, lam=1e-2, lr=0.1, output_cost=True):
    rng = np.random.default_rng(5)
    values = [rng.uniform(-1, 1, (n_in, n_hid)).astype(dtype), rng.uniform(-0.1, 0.1, n_hid).astype(dtype),
              rng.uniform(-1, 1, (n_hid, n_out)).astype(dtype), rng.uniform(-0.1, 0.1, n_out).astype(dtype)]
    shared = [theano.shared(v.copy(), name=n) for v, n in zip(values, ("W1", "b1", "W2", "b2"))]
    w1, b1, w2, b2 = shared
    x, y = T.matrix("x", dtype=dtype), T.ivector("y")
    p_y = T.nnet.softmax(T.dot(T.tanh(T.dot(x, w1) + b1), w2) + b2)
    cost = -T.mean(T.log(p_y)[T.arange(y.shape[0]), y])
    if penalty:
        cost = cost + np.asarray(lam, dtype) * ((w1 ** 2).sum() + (w2 ** 2).sum())
    grads = theano.grad(cost, shared)
    f = theano.function([x, y], cost if output_cost else [], updates=[(v, v - np.asarray(lr, dtype) * g) for v, g in zip(shared, grads)])
    return f, shared, values


def _numpy_step(values, x, y, lam, lr):
    w1, b1, w2, b2 = (v.astype(np.float64) for v in values)
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    cost = -np.log(p[rows, y]).mean() + lam * ((w1 ** 2).sum() + (w2 ** 2).sum())
    gz = p.copy()
    gz[rows, y] -= 1
    gz /= len(y)
    gh = (gz @ w2.T) * (1 - h * h)
    new = [w1 - lr * (x.T @ gh + 2 * lam * w1), b1 - lr * gh.sum(0), w2 - lr * (h.T @ gz + 2 * lam * w2), b2 - lr * gz.sum(0)]
    return cost, new


def test_mlp_l2_penalty_graph():
    f, shared, values = _mlp(penalty=True)
    fg = f.maker.fgraph
    ops = [n.op for n in fg.toposort()]
    assert "pow" not in ops and not any("**" in op for op in ops), ops
    assert _shape_only(fg) == []
    # the SGD step of each weight is one gemm into the weight (beta = 1 - 2*lr*lam)
    owner = {id(v): n for n in fg.toposort() for v in n.outputs}
    for w, upd in ((shared[0], fg.outputs[1]), (shared[2], fg.outputs[3])):  # the cost, then W1, b1, W2, b2's updates
        node = owner[id(upd)]
        assert node.op == "gemm" and node.inputs[0].name == w.name, (node.op, [getattr(i, "name", None) for i in node.inputs])


def test_mlp_l2_penalty_step_only_graph():
    # without the cost among the outputs, W ** 2 was read only by the
    # gradient's second(W ** 2, ...): computed for its shape alone
    f, _, _ = _mlp(penalty=True, output_cost=False)
    fg = f.maker.fgraph
    ops = [n.op for n in fg.toposort()]
    assert [b for b in _shape_only(fg) if b[0] not in NLL_SHAPE_ONLY] == []
    assert not any(op == "pow" or op.startswith("sum") and "sqr" in op for op in ops), ops
    assert [n.op for n in fg.toposort() if n.op == "gemm"] == ["gemm"] * 2  # the steps of W1 and W2


def test_mlp_l2_penalty_values():
    lam, lr = 1e-2, 0.1
    f, shared, values = _mlp(penalty=True, dtype="float64", lam=lam, lr=lr)
    rng = np.random.default_rng(6)
    x = rng.random((7, 12))
    y = rng.integers(0, 4, 7).astype(np.int32)
    cost = f(x, y)
    want_cost, want = _numpy_step(values, x, y, lam, lr)
    np.testing.assert_allclose(cost, want_cost, rtol=1e-12)
    for s, w in zip(shared, want):
        np.testing.assert_allclose(s.get_value(), w, rtol=1e-12, atol=1e-14)


def test_no_shape_only_nodes_without_penalty():
    f, _, _ = _mlp(penalty=False)
    assert _shape_only(f.maker.fgraph) == []


def test_identity_power_graph_has_no_node():
    x = T.vector("x")
    f = theano.function([x], x ** 1)
    assert f.maker.fgraph.toposort() == []
    np.testing.assert_array_equal(f(np.arange(3.0)), np.arange(3.0))
