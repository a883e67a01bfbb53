"""theanogo._rt, the calling path: shared-value storage (borrow, copies),
concurrent updates, Function.copy, mode, f.maker.fgraph, the GIL."""

import copy
import threading
import time

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T


def test_get_value_borrow_is_the_stored_array():
    s = theanogo.shared(np.arange(3.0))
    stored = s.get_value(borrow=True)
    assert s.get_value(borrow=True) is stored
    assert s.get_value() is not stored
    np.testing.assert_array_equal(s.get_value(), stored)


def test_set_value_borrow_stores_the_array_itself():
    s = theanogo.shared(np.zeros(3))
    a = np.arange(3.0)
    s.set_value(a, borrow=True)
    assert s.get_value(borrow=True) is a
    s.set_value(a)  # without borrow: a copy
    assert s.get_value(borrow=True) is not a
    b = np.arange(6.0)[::2]  # not contiguous: copied even with borrow
    s.set_value(b, borrow=True)
    assert s.get_value(borrow=True) is not b and s.get_value(borrow=True).flags.c_contiguous
    np.testing.assert_array_equal(s.get_value(), b)


def test_shared_borrow_keeps_the_value():
    a = np.arange(4.0)
    assert theanogo.shared(a, borrow=True).get_value(borrow=True) is a
    assert theanogo.shared(a).get_value(borrow=True) is not a


def test_update_replaces_the_stored_array():
    s = theanogo.shared(np.zeros(2))
    before = s.get_value(borrow=True)
    f = theanogo.function([], [], updates=[(s, s + 1)])
    f()
    assert s.get_value(borrow=True) is not before
    np.testing.assert_array_equal(before, [0.0, 0.0])  # the old array was not written into
    np.testing.assert_array_equal(s.get_value(), [1.0, 1.0])


@pytest.mark.parametrize("copier", [copy.copy, copy.deepcopy], ids=["copy", "deepcopy"])
def test_copied_shared_variable_is_independent(copier):
    s = theanogo.shared(np.arange(3.0), name="s", broadcastable=(False,))
    t = copier(s)
    assert t is not s and t.type == s.type and t.name == "s"
    np.testing.assert_array_equal(t.get_value(), s.get_value())
    t.set_value(np.ones(3))
    np.testing.assert_array_equal(s.get_value(), [0.0, 1.0, 2.0])
    f = theanogo.function([], [], updates=[(t, t * 10)])
    f()
    np.testing.assert_array_equal(t.get_value(), np.full(3, 10.0))
    np.testing.assert_array_equal(s.get_value(), [0.0, 1.0, 2.0])
    g = theanogo.function([], s + t)  # two distinct variables in one graph
    np.testing.assert_array_equal(g(), [10.0, 11.0, 12.0])


def test_deepcopy_copies_the_value():
    s = theanogo.shared(np.arange(3.0))
    t = copy.deepcopy(s)
    assert t.get_value(borrow=True) is not s.get_value(borrow=True)
    t.get_value(borrow=True)[0] = 7.0
    assert s.get_value()[0] == 0.0


def test_function_copy_swaps_shared_variables():
    a = theanogo.shared(np.array(0.0), name="a")
    b = theanogo.shared(np.array(10.0), name="b")
    x = T.dscalar("x")
    f = theanogo.function([x], a * x, updates=[(a, a + 1)])
    g = f.copy(swap={a: b})
    assert float(g(2.0)) == 20.0
    assert float(b.get_value()) == 11.0 and float(a.get_value()) == 0.0
    assert float(f(2.0)) == 0.0 and float(a.get_value()) == 1.0
    h = f.copy()  # shares a with f
    h(1.0)
    assert float(a.get_value()) == 2.0
    d = f.copy(delete_updates=True)
    assert float(d(1.0)) == 2.0 and float(a.get_value()) == 2.0
    with pytest.raises(TypeError):
        f.copy(swap={a: theanogo.shared(np.zeros(2))})
    with pytest.raises(ValueError):
        f.copy(swap={theanogo.shared(np.array(0.0)): b})


def test_two_functions_two_threads_lose_no_update():
    s = theanogo.shared(np.array(0.0), name="s")
    inc = theanogo.function([], [], updates=[(s, s + 1)])
    inc2 = theanogo.function([], [], updates=[(s, s + 2)])
    n = 20_000

    def work():
        for _ in range(n):
            inc()
            inc2()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert float(s.get_value()) == 2 * n * 3


def test_kernel_runs_without_the_gil():
    """While one thread is inside a long call, another thread runs Python."""
    x = T.dmatrix("x")
    f = theanogo.function([x], T.dot(x, x))
    rng = np.random.default_rng(0)
    for n in (600, 1000, 1600, 2400):  # a call long enough to tell (>= 0.15 s)
        big = rng.random((n, n))
        window = {}

        def call():
            window["start"] = time.perf_counter()
            f(big)
            window["end"] = time.perf_counter()

        stamps = []
        t = threading.Thread(target=call)
        t.start()
        while t.is_alive():
            stamps.append(time.perf_counter())
        t.join()
        start, end = window["start"], window["end"]
        if end - start >= 0.15:
            break
    inside = [s for s in stamps if start + 0.02 < s < end - 0.02]
    assert len(inside) > 100, f"{len(inside)} iterations of the other thread during a {end - start:.2f}s call"


def test_mode_argument():
    x = T.dvector("x")
    assert theanogo.function([x], x + 1, mode="FAST_COMPILE").maker.mode == "FAST_COMPILE"
    assert theanogo.function([x], x + 1, mode="FAST_RUN").maker.mode == "FAST_RUN"
    # config.mode is "Mode", as in Theano: the optimized backend, FAST_RUN
    assert theanogo.function([x], x + 1).maker.mode == theanogo.compile.mode.get_default_mode().name == "FAST_RUN"

    class Mode:
        name = "FAST_COMPILE"

    assert theanogo.function([x], x + 1, mode=Mode()).maker.mode == "FAST_COMPILE"
    with pytest.raises(ValueError, match="unknown mode"):
        theanogo.function([x], x + 1, mode="NO_SUCH_MODE")


def test_maker_fgraph():
    x = T.dvector("x")
    s = theanogo.shared(np.zeros(3), name="s")
    f = theanogo.function([x], T.exp(x).sum(), updates=[(s, s + x)])
    fg = f.maker.fgraph
    assert fg.inputs[0].name == "x" and isinstance(fg.inputs[1], theanogo.SharedVariable)
    assert fg.inputs[1].get_value(borrow=True) is s.get_value(borrow=True)
    assert len(fg.outputs) == 2
    nodes = fg.toposort()
    assert set(nodes) == fg.apply_nodes
    seen = set(fg.inputs)
    for node in nodes:  # dependency order: every input computed before
        assert all(i in seen or isinstance(i, T.TensorConstant) for i in node.inputs), node.op
        seen.update(node.outputs)
    assert all(o in seen for o in fg.outputs)
    assert any(n.op.startswith("composite_reduce{sum{axis=[0]}(exp(i0))}") for n in nodes), [n.op for n in nodes]


def test_kernel_errors_name_the_users_line_and_change_nothing():
    v = T.dvector("v")
    i = T.lscalar("i")
    s = theanogo.shared(np.array(0.0))
    f = theanogo.function([v, i], v[i], updates=[(s, s + 1)])
    line = __import__("inspect").currentframe().f_lineno + 2
    with pytest.raises(IndexError, match="out of bounds") as info:
        f(np.zeros(3), 5)
    assert f"{__file__}:{line}" in str(info.value)
    assert float(s.get_value()) == 0.0
    assert float(f(np.arange(3.0), 2)) == 2.0 and float(s.get_value()) == 1.0


def test_failing_calls_in_threads_change_no_shared_variable():
    # Two shared variables updated by one function: calls that fail inside the
    # kernel (an index out of range), from several threads at once with
    # succeeding calls, never commit part of an update.
    a = theanogo.shared(np.array(0.0), name="a")
    b = theanogo.shared(np.array(0.0), name="b")
    v, i = T.dvector("v"), T.lscalar("i")
    f = theanogo.function([v, i], v[i], updates=[(a, a + 1), (b, b + 1)])
    n, errors = 2_000, []

    def work(bad):
        for _ in range(n):
            try:
                f(np.zeros(3), 7 if bad else 1)
            except IndexError:
                errors.append(1)

    threads = [threading.Thread(target=work, args=(k % 2 == 0,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 2 * n
    assert float(a.get_value()) == float(b.get_value()) == 2 * n


def test_argument_checks():
    x = T.dmatrix("x")
    r = T.drow("r")
    f = theanogo.function([x, r], x + r, name="f")
    with pytest.raises(TypeError, match=r'"f" at index 0 \(0-based\) \(x\): expected 2 dimensions'):
        f(np.ones(3), np.ones((1, 3)))
    with pytest.raises(ValueError, match="at index 1 .*static shape"):
        f(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(TypeError, match="takes 2 argument"):
        f(np.ones((2, 3)))
    np.testing.assert_array_equal(f(np.ones((2, 3), dtype="float32"), [[1, 2, 3]]), [[2.0, 3.0, 4.0]] * 2)
    np.testing.assert_array_equal(f(np.ones((3, 2)).T, np.ones((1, 3))), np.full((2, 3), 2.0))
