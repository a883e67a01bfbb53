"""theanogo.scan and map/reduce/foldl/foldr against numpy loops, in both
backends (FAST_RUN: C++; FAST_COMPILE: the Go evaluator), their gradients
against finite differences, and bad input."""

from collections import OrderedDict

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T
from theanogo.scan_module import until

MODES = ["FAST_RUN", "FAST_COMPILE"]


def both(inputs, outputs, *args, updates=None, native=True):
    """Run the function in both modes; check they agree; return FAST_RUN's
    results. native: FAST_RUN's loop runs in the C++ kernel (no node on the
    evaluator)."""
    res = []
    for mode in MODES:
        f = theanogo.function(inputs, outputs, updates=updates, mode=mode)
        if mode == "FAST_RUN" and native:
            assert f.backend == "cxx" and f.maker.evaluator_nodes == [], f.maker.evaluator_nodes
        res.append(f(*args))
    got, ref = res
    # products and sums agree within the fold tolerance (BLAS in C++, serial in Go)
    for g, r in zip(got, ref) if isinstance(got, list) else [(got, ref)]:
        tol = 1e-5 if np.asarray(g).dtype == np.float32 else 1e-12
        np.testing.assert_allclose(g, r, rtol=tol, atol=tol)
    return got


def rnn_numpy(x, h0, W, U, b):
    h, out = h0, []
    for t in range(x.shape[0]):
        h = np.tanh(x[t] @ W + h @ U + b)
        out.append(h)
    return np.array(out)


def build_rnn(dtype="float64", truncate_gradient=-1):
    x = T.matrix("x", dtype=dtype)
    h0 = T.vector("h0", dtype=dtype)
    W, U = T.matrix("W", dtype=dtype), T.matrix("U", dtype=dtype)
    b = T.vector("b", dtype=dtype)
    hs, updates = theanogo.scan(lambda x_t, h_tm1, W, U, b: T.tanh(T.dot(x_t, W) + T.dot(h_tm1, U) + b),
                                sequences=x, outputs_info=h0, non_sequences=[W, U, b],
                                truncate_gradient=truncate_gradient)
    assert isinstance(updates, OrderedDict) and not updates
    return [x, h0, W, U, b], hs


def rnn_values(rng, T_=7, k=3, h=4):
    return [rng.standard_normal((T_, k)), rng.standard_normal(h), 0.5 * rng.standard_normal((k, h)),
            0.5 * rng.standard_normal((h, h)), rng.standard_normal(h)]


def test_rnn_matches_numpy(rng):
    ins, hs = build_rnn()
    vals = rnn_values(rng)
    np.testing.assert_allclose(both(ins, hs, *vals), rnn_numpy(*vals), rtol=1e-12)


def test_rnn_float32(rng):
    ins, hs = build_rnn("float32")
    vals = [v.astype("float32") for v in rnn_values(rng)]
    got = both(ins, hs, *vals)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, rnn_numpy(*vals), rtol=1e-5, atol=1e-6)


def numeric_grad(f, vals, i, eps=1e-6):
    g = np.zeros_like(vals[i])
    for j in np.ndindex(vals[i].shape):
        plus = [v.copy() for v in vals]
        minus = [v.copy() for v in vals]
        plus[i][j] += eps
        minus[i][j] -= eps
        g[j] = (f(*plus) - f(*minus)) / (2 * eps)
    return g


def test_rnn_loss_gradient_matches_finite_differences(rng):
    ins, hs = build_rnn()
    loss = (hs ** 2).sum() + hs[-1].sum()
    grads = theanogo.grad(loss, ins)
    vals = rnn_values(rng, T_=5)
    f_loss = theanogo.function(ins, loss, mode="FAST_COMPILE")
    for mode in MODES:
        f = theanogo.function(ins, grads, mode=mode)
        if mode == "FAST_RUN":
            assert f.maker.evaluator_nodes == [], f.maker.evaluator_nodes
        got = f(*vals)
        for i in range(len(ins)):
            np.testing.assert_allclose(got[i], numeric_grad(f_loss, vals, i), rtol=1e-5, atol=1e-7)


def test_truncated_gradient_only_reaches_back_k_steps(rng):
    ins, hs = build_rnn(truncate_gradient=2)
    x = ins[0]
    gx = theanogo.grad(hs[-1].sum(), x)
    vals = rnn_values(rng, T_=5)
    got = both(ins, gx, *vals)
    assert np.all(got[:3] == 0) and np.any(got[3:] != 0)
    ins2, hs2 = build_rnn()
    full = theanogo.function(ins2, theanogo.grad(hs2[-1].sum(), ins2[0]))(*vals)
    np.testing.assert_allclose(got[3:], full[3:], rtol=1e-12)


def test_second_order_through_scan(rng):
    x = T.dvector("x")
    a = T.dscalar("a")
    s, _ = theanogo.scan(lambda x_t, acc, a: acc * a + x_t ** 2, sequences=x, outputs_info=T.constant(0.0, dtype="float64"), non_sequences=a)
    g = theanogo.grad(s[-1], a)
    gg = theanogo.grad(g, a)
    xv, av = rng.standard_normal(4), 0.7
    f_g = theanogo.function([x, a], g, mode="FAST_COMPILE")
    want = (f_g(xv, av + 1e-6) - f_g(xv, av - 1e-6)) / 2e-6
    np.testing.assert_allclose(both([x, a], gg, xv, av), want, rtol=1e-6)


def test_fibonacci_taps():
    init = T.dvector("init")
    n = T.iscalar("n")
    fib, _ = theanogo.scan(lambda a, b: a + b, outputs_info=dict(initial=init, taps=[-2, -1]), n_steps=n)
    got = both([init, n], fib, np.array([0.0, 1.0]), 10)
    np.testing.assert_array_equal(got, [1, 2, 3, 5, 8, 13, 21, 34, 55, 89])


def test_sequence_taps_and_go_backwards():
    x = T.dvector("x")
    for back in (False, True):
        y, _ = theanogo.scan(lambda a, b, c: 100 * a + 10 * b + c, sequences=dict(input=x, taps=[-1, 0, 1]),
                             go_backwards=back)
        got = both([x], y, np.arange(1.0, 6.0))
        np.testing.assert_array_equal(got, [345, 234, 123] if back else [123, 234, 345])


def test_go_backwards_accumulates_from_the_end():
    x = T.dvector("x")
    s, _ = theanogo.scan(lambda x_t, acc: acc * 2 + x_t, sequences=x, outputs_info=T.constant(0.0, dtype="float64"),
                         go_backwards=True)
    xv = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(both([x], s, xv), [3, 8, 17])


def test_while_loop_until():
    x0 = T.dscalar("x0")
    limit = T.dscalar("limit")
    xs, _ = theanogo.scan(lambda prev, limit: (prev * 2, until(prev * 2 > limit)), outputs_info=x0,
                          non_sequences=limit, n_steps=100)
    # the loop runs in the kernel; the step where the condition first
    # holds is kept (Theano's rule: 32 > 20 is the last row)
    np.testing.assert_array_equal(both([x0, limit], xs, 1.0, 20.0), [2, 4, 8, 16, 32])
    # a loop that never meets its condition runs to n_steps
    np.testing.assert_array_equal(both([x0, limit], xs, 1.0, 1e300).shape, (100,))
    # the first step meets it
    np.testing.assert_array_equal(both([x0, limit], xs, 1.0, 0.0), [2])


def test_while_loop_taps_and_map_outputs():
    init = T.dvector("init")
    limit = T.dscalar("limit")
    n = T.iscalar("n")

    def step(a, b, limit):
        nxt = 2 * b + a
        return [nxt, nxt * 3], until(nxt > limit)

    (xs, ys), _ = theanogo.scan(step, outputs_info=[dict(initial=init, taps=[-2, -1]), None],
                                non_sequences=limit, n_steps=n)
    ins = [init, limit, n]
    outs = [xs, ys, ys.sum(), xs[-1]]
    for lim, steps, want in [(10.0, 100, [2, 5, 12]), (1e300, 6, [2, 5, 12, 29, 70, 169]), (10.0, 0, []), (10.0, 2, [2, 5])]:
        got = both(ins, outs if steps else outs[:3], np.array([0.0, 1.0]), lim, steps)
        np.testing.assert_array_equal(got[0], want)
        np.testing.assert_array_equal(got[1], np.array(want) * 3)
        assert got[2] == 3 * sum(want)
    f = theanogo.function(ins, xs)
    with pytest.raises(ValueError, match=r"scan.*negative"):
        f(np.array([0.0, 1.0]), 10.0, -1)


def test_while_loop_over_a_sequence():
    x = T.dvector("x")
    ys, _ = theanogo.scan(lambda v: (v * 3, until(v > 2)), sequences=x)
    # ys itself is a result: copied out with the rows the loop computed
    for xv, want in [([1.0, 2.0, 3.0, 4.0], [3, 6, 9]), ([1.0, 2.0], [3, 6]), ([], [])]:
        got = both([x], [ys, ys.sum()], np.array(xv))
        np.testing.assert_array_equal(got[0], want)


def test_while_loop_gradient_matches_finite_differences(rng):
    x0 = T.dscalar("x0")
    a = T.dscalar("a")
    xs, _ = theanogo.scan(lambda prev, a: (prev * a + 0.1, until(prev > 5)), outputs_info=x0,
                          non_sequences=a, n_steps=50)
    cost = (xs ** 2).sum()
    f_cost = theanogo.function([x0, a], cost, mode="FAST_COMPILE")
    got = both([x0, a], theanogo.grad(cost, [x0, a]), np.float64(0.5), np.float64(1.7))
    vals = [np.float64(0.5), np.float64(1.7)]
    for i in range(2):
        np.testing.assert_allclose(got[i], numeric_grad(f_cost, [np.array(v) for v in vals], i), rtol=1e-6)
    # a sequence: rows after the stop get no gradient
    x = T.dvector("x")
    ys, _ = theanogo.scan(lambda v, w: (T.tanh(v * w), until(v > 2)), sequences=x, non_sequences=a)
    c2 = (ys ** 2).sum()
    f_c2 = theanogo.function([x, a], c2, mode="FAST_COMPILE")
    xv = np.array([0.5, 1.0, 2.5, 0.3, 0.7])
    got = both([x, a], theanogo.grad(c2, [x, a]), xv, np.float64(0.8))
    np.testing.assert_allclose(got[0], numeric_grad(f_c2, [xv, np.array(0.8)], 0), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(got[1], numeric_grad(f_c2, [xv, np.array(0.8)], 1), rtol=1e-6)
    assert np.all(got[0][3:] == 0)


def row_cumsum(row):
    c, _ = theanogo.scan(lambda v, acc: acc + v, sequences=row, outputs_info=T.constant(0.0, dtype="float64"))
    return c


def test_nested_scan(rng):
    m = T.dmatrix("m")
    out, _ = theanogo.scan(row_cumsum, sequences=m)
    mv = rng.standard_normal((3, 4))
    # the inner loop runs in the outer step's region: no node on the evaluator
    np.testing.assert_allclose(both([m], out, mv), np.cumsum(mv, axis=1), rtol=1e-12)
    g = theanogo.grad((out ** 2).sum(), m)
    f = theanogo.function([m], (out ** 2).sum(), mode="FAST_COMPILE")
    np.testing.assert_allclose(both([m], g, mv), numeric_grad(f, [mv], 0), rtol=1e-5)


def test_while_loop_inside_a_scan_step(rng):
    m = T.dmatrix("m")
    limit = T.dscalar("limit")

    def first_over(row, limit):
        # the running sum of the row until it passes limit; its last value
        s, _ = theanogo.scan(lambda v, acc: (acc + v, until(acc + v > limit)), sequences=row,
                             outputs_info=T.constant(0.0, dtype="float64"))
        return s[-1]

    out, _ = theanogo.scan(first_over, sequences=m, non_sequences=limit)
    mv = rng.uniform(0, 1, (4, 6))
    want = []
    for row in mv:
        acc = 0.0
        for v in row:
            acc += v
            if acc > 1.0:
                break
        want.append(acc)
    np.testing.assert_allclose(both([m, limit], out, mv, 1.0), want, rtol=1e-12)


def test_scan_in_an_ifelse_branch_and_ifelse_in_a_step():
    from theanogo.ifelse import ifelse

    c = T.dscalar("c")
    x = T.dvector("x")
    s, _ = theanogo.scan(lambda v, acc: acc * 2 + v, sequences=x, outputs_info=T.constant(0.0, dtype="float64"))
    y = ifelse(c > 0, s, x * 3)
    np.testing.assert_array_equal(both([c, x], y, 1.0, np.array([1.0, 2.0, 3.0])), [1, 4, 11])
    np.testing.assert_array_equal(both([c, x], y, -1.0, np.array([1.0, 2.0, 3.0])), [3, 6, 9])
    s2, _ = theanogo.scan(lambda v, acc: ifelse(v > 0, acc + v, acc - 1.0), sequences=x,
                          outputs_info=T.constant(0.0, dtype="float64"))
    np.testing.assert_array_equal(both([x], s2, np.array([1.0, -2.0, 3.0])), [1, 0, 3])


def roundtrip(f):
    import pickle

    return pickle.loads(pickle.dumps(f))


def test_pickled_scan_with_updates():
    counter = theanogo.shared(np.float64(0), name="counter")
    x = T.dvector("x")
    ys, updates = theanogo.scan(lambda x_t: (x_t + counter, {counter: counter + 1}), sequences=x)
    f = theanogo.function([x], ys, updates=updates)
    g = roundtrip(f)
    assert g.backend == "cxx" and g.maker.evaluator_nodes == []
    np.testing.assert_array_equal(g(np.array([10.0, 20.0])), [10, 21])
    np.testing.assert_array_equal(g(np.array([0.0])), [2])
    # the copy has its own shared variable
    assert counter.get_value() == 0
    np.testing.assert_array_equal(f(np.array([5.0])), [5])


def test_pickled_rnn_gradient_while_loop_nested_scan_and_ifelse(rng):
    from theanogo.ifelse import ifelse

    ins, hs = build_rnn()
    loss = (hs ** 2).sum()
    vals = rnn_values(rng, T_=4)
    f = theanogo.function(ins, [hs, loss] + theanogo.grad(loss, ins))
    for a, b in zip(f(*vals), roundtrip(f)(*vals)):
        np.testing.assert_array_equal(a, b)
    x0, limit = T.dscalar("x0"), T.dscalar("limit")
    xs, _ = theanogo.scan(lambda p, limit: (p * 2, until(p * 2 > limit)), outputs_info=x0, non_sequences=limit,
                          n_steps=50)
    f = theanogo.function([x0, limit], [xs, theanogo.grad(xs.sum(), x0)])
    for a, b in zip(f(1.0, 20.0), roundtrip(f)(1.0, 20.0)):
        np.testing.assert_array_equal(a, b)
    m, c = T.dmatrix("m"), T.dscalar("c")
    out, _ = theanogo.scan(row_cumsum, sequences=m)
    y = ifelse(c > 0, out, m * 2)
    f = theanogo.function([c, m], [y, theanogo.grad(y.sum(), m)])
    g = roundtrip(f)
    assert g.backend == "cxx" and g.maker.evaluator_nodes == []
    mv = rng.standard_normal((2, 3))
    for cv in (1.0, -1.0):
        for a, b in zip(f(cv, mv), g(cv, mv)):
            np.testing.assert_array_equal(a, b)


def test_shared_variable_updates_from_the_step():
    counter = theanogo.shared(np.float64(0), name="counter")
    x = T.dvector("x")
    ys, updates = theanogo.scan(lambda x_t: (x_t + counter, {counter: counter + 1}), sequences=x)
    assert list(updates) == [counter]
    f = theanogo.function([x], ys, updates=updates)
    np.testing.assert_array_equal(f(np.array([10.0, 20.0, 30.0])), [10, 21, 32])
    assert counter.get_value() == 3
    np.testing.assert_array_equal(f(np.array([0.0])), [3])
    assert counter.get_value() == 4


@pytest.mark.parametrize("mode", MODES)
def test_map_reduce_foldl_foldr(rng, mode):
    x = T.dvector("x")
    y = T.dvector("y")
    xv, yv = rng.standard_normal(6), rng.standard_normal(6)
    sq, _ = theanogo.map(lambda a, b: a * b, sequences=[x, y])
    total, _ = theanogo.reduce(lambda a, acc: acc + a, sequences=x, outputs_info=T.constant(0.0, dtype="float64"))
    left, _ = theanogo.foldl(lambda a, acc: acc * 0.5 + a, sequences=x, outputs_info=T.constant(0.0, dtype="float64"))
    right, _ = theanogo.foldr(lambda a, acc: acc * 0.5 + a, sequences=x, outputs_info=T.constant(0.0, dtype="float64"))
    f = theanogo.function([x, y], [sq, total, left, right], mode=mode)
    got = f(xv, yv)
    np.testing.assert_allclose(got[0], xv * yv, rtol=1e-12)
    np.testing.assert_allclose(got[1], xv.sum(), rtol=1e-12)
    l = 0.0
    for v in xv:
        l = l * 0.5 + v
    r = 0.0
    for v in xv[::-1]:
        r = r * 0.5 + v
    np.testing.assert_allclose([got[2], got[3]], [l, r], rtol=1e-12)


def test_return_list_and_several_outputs():
    x = T.dvector("x")
    outs, _ = theanogo.scan(lambda a: [a + 1, a * 2], sequences=x, return_list=True)
    assert isinstance(outs, list) and len(outs) == 2
    one, _ = theanogo.scan(lambda a: a + 1, sequences=x, return_list=True)
    assert isinstance(one, list) and len(one) == 1
    got = both([x], outs, np.array([1.0, 2.0]))
    np.testing.assert_array_equal(got[0], [2, 3])
    np.testing.assert_array_equal(got[1], [2, 4])


def test_scan_module_names():
    import theanogo as theano
    assert theano.scan_module.until is until
    assert theano.scan is theano.scan_module.scan


# --- bad input --------------------------------------------------------------------

def test_step_dtype_mismatch_names_scan_and_types():
    h0 = T.fvector("h0")
    with pytest.raises(TypeError, match=r"scan: output 0 .*float64.*float32") as exc:
        theanogo.scan(lambda h: T.cast(h, "float64"), outputs_info=h0, n_steps=3)
    assert "test_scan.py" in str(exc.value)


def test_step_rank_mismatch():
    h0 = T.dvector("h0")
    with pytest.raises(TypeError, match=r"scan: output 0 .*matrix.*vector"):
        theanogo.scan(lambda h: T.outer(h, h) if hasattr(T, "outer") else h.dimshuffle(0, "x") * h, outputs_info=h0, n_steps=3)


def test_step_broadcast_mismatch():
    h0 = T.TensorType("float64", (True,))("h0")  # one broadcastable element
    v = T.dvector("v")
    with pytest.raises(TypeError, match=r"scan: output 0"):
        theanogo.scan(lambda h, v: h + v, outputs_info=h0, non_sequences=v, n_steps=3)


def test_negative_n_steps():
    h0 = T.dvector("h0")
    with pytest.raises(ValueError, match=r"scan: n_steps must be >= 0"):
        theanogo.scan(lambda h: h, outputs_info=h0, n_steps=-1)
    n = T.iscalar("n")
    s, _ = theanogo.scan(lambda h: h + 1, outputs_info=h0, n_steps=n)
    for mode in MODES:
        f = theanogo.function([h0, n], s, mode=mode)
        with pytest.raises(ValueError, match=r"scan.*negative"):
            f(np.zeros(2), -2)


def test_n_steps_missing_without_sequence():
    h0 = T.dvector("h0")
    with pytest.raises(ValueError, match=r"scan: no information about the number of steps"):
        theanogo.scan(lambda h: h, outputs_info=h0)


def test_taps_beyond_the_sequence():
    x = T.TensorType("float64", shape=(3,))("x")
    with pytest.raises(ValueError, match=r"scan: sequence 0 has 3 entries, too few for its taps"):
        theanogo.scan(lambda a, b: a + b, sequences=dict(input=x, taps=[-3, 0]))
    y = T.dvector("y")
    s, _ = theanogo.scan(lambda a, b: a + b, sequences=dict(input=y, taps=[-3, 0]))
    for mode in MODES:
        f = theanogo.function([y], s, mode=mode)
        with pytest.raises(ValueError, match=r"scan.*negative"):
            f(np.zeros(2))


def test_sequence_shorter_than_n_steps():
    x = T.dvector("x")
    s, _ = theanogo.scan(lambda a: a * 2, sequences=x, n_steps=5)
    f = theanogo.function([x], s, mode="FAST_COMPILE")
    with pytest.raises(ValueError, match=r"scan: sequence 0 has 3 entries, fewer than the 5 steps"):
        f(np.zeros(3))


def test_map_over_no_rows_keeps_the_row_shape():
    m = T.dmatrix("m")
    out, _ = theanogo.map(lambda r: T.exp(r) * 2, sequences=m)
    # no step ran: the row shape comes from the step's shape rules on
    # both backends (the evaluator gave (0, 0) before)
    assert both([m], out, np.zeros((0, 3))).shape == (0, 3)


@pytest.mark.parametrize("loop", ["while", "ifelse"])
def test_kernel_with_regions_does_not_update_a_read_shared_value_in_place(loop):
    # The fuzzer found it: a region compiled in phase 2 (a while loop's
    # step, an ifelse branch) overwrote the kernel's "no update in place"
    # answer, so the update was written into v's buffer before the output
    # reading v was copied.
    from theanogo.ifelse import ifelse

    v = theanogo.shared(np.arange(12.0).reshape(4, 3), name="v")
    seen = v.T[:-2]
    c = T.dscalar("c")
    if loop == "while":
        other, _ = theanogo.scan(lambda x_t, h: (T.tanh(h + x_t), until(h.sum() > c)), sequences=seen,
                                 outputs_info=T.zeros_like(seen[0]))
    else:
        other = ifelse(c > 0, seen * 2, seen + 1)
    for mode in MODES:
        v.set_value(np.arange(12.0).reshape(4, 3))
        f = theanogo.function([c], [other, seen], updates=[(v, T.set_subtensor(v[::-1], v))], mode=mode)
        np.testing.assert_array_equal(f(1.0)[1], [[0, 3, 6, 9]])
        np.testing.assert_array_equal(v.get_value(), np.arange(12.0).reshape(4, 3)[::-1])


def test_while_loop_with_updates_counts_the_steps_it_ran():
    counter = theanogo.shared(np.float64(0), name="counter")
    x = T.dvector("x")
    ys, updates = theanogo.scan(lambda x_t: (x_t + counter, {counter: counter + 1}, until(x_t > 2)), sequences=x)
    for mode in MODES:
        counter.set_value(np.float64(0))
        f = theanogo.function([x], ys, updates=updates, mode=mode)
        if mode == "FAST_RUN":
            assert f.backend == "cxx" and f.maker.evaluator_nodes == []
        np.testing.assert_array_equal(f(np.array([1.0, 2.0, 3.0, 4.0])), [1, 3, 5])
        assert counter.get_value() == 3
        np.testing.assert_array_equal(f(np.array([5.0])), [8])
        assert counter.get_value() == 4


def test_while_loop_needs_a_bound():
    h0 = T.dscalar("h0")
    with pytest.raises(ValueError, match=r"scan: no information about the number of steps") as exc:
        theanogo.scan(lambda h: (h * 2, until(h > 3)), outputs_info=h0)
    assert "test_scan.py" in str(exc.value)
    with pytest.raises(TypeError, match=r"scan: the until condition must be a scalar"):
        theanogo.scan(lambda h: (h * 2, until(T.stack([h, h]) > 3) if hasattr(T, "stack") else until(T.dvector() > 3)),
                      outputs_info=h0, n_steps=4)


def test_while_loop_over_no_rows_keeps_the_row_shape():
    m = T.dmatrix("m")
    ys, _ = theanogo.scan(lambda r: (T.exp(r) * 2, until(r.sum() > 1)), sequences=m)
    # no step ran: the rows have the sequence's row length on both backends
    assert both([m], [ys, ys.sum()], np.zeros((0, 3)))[0].shape == (0, 3)
    np.testing.assert_allclose(both([m], ys, np.ones((4, 3))), np.full((1, 3), 2 * np.e))


def test_nested_scan_whose_steps_are_a_non_sequence(rng):
    x = T.dvector("x")
    k = T.iscalar("k")

    def powers(x_t, k):
        inner, _ = theanogo.scan(lambda h: h * 2, outputs_info=x_t, n_steps=k)
        return inner

    # the inner n_steps is the outer k (a loop-invariant value): the outer
    # scan's shape reads k, so the function compiles (it fell back before);
    # a computed k works too (its value is read after it is computed)
    xv = rng.standard_normal(3)
    want = xv[:, None] * 2.0 ** np.arange(1, 5)
    for ins, kk, args in (([x, k], k, [xv, np.array(4, "int32")]), ([x], T.cast(T.shape(x)[0] + 1, "int32"), [xv])):
        out, _ = theanogo.scan(powers, sequences=x, non_sequences=kk)
        np.testing.assert_allclose(both(ins, out, *args), want, rtol=1e-12)
        g = theanogo.grad((out ** 2).sum(), x)
        f = theanogo.function(ins, (out ** 2).sum(), mode="FAST_COMPILE")
        np.testing.assert_allclose(both(ins, g, *args), numeric_grad(f, args, 0), rtol=1e-6)


def test_scan_whose_rows_are_known_after_a_step():
    k = T.ivector("k")
    x = T.dvector("x")
    # each row's length is a value of the sequence: known once a step ran;
    # the loop runs in the kernel as a while loop does (it fell back before)
    out, _ = theanogo.scan(lambda i, v: T.arange(i) * v, sequences=[k, x])
    got = both([k, x], [out, out.sum()], np.array([3, 3], "int32"), np.array([1.0, 2.0]))
    np.testing.assert_array_equal(got[0], [[0, 1, 2], [0, 2, 4]])
    assert both([k, x], out, np.array([], "int32"), np.array([])).shape == (0, 0)
    for mode in MODES:
        f = theanogo.function([k, x], out, mode=mode)
        with pytest.raises(ValueError, match=r"scan: step 1 computed output 0 of"):
            f(np.array([3, 2], "int32"), np.array([1.0, 2.0]))
