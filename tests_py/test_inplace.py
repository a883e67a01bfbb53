"""In-place updates: an update computed by the graph is written into the
storage of the variable's old value when nothing else holds that value."""

import weakref

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T


def test_sgd_update_reuses_the_array():
    w = theanogo.shared(np.ones(1000), name="w")
    x = T.dvector("x")
    step = theanogo.function([x], (w * x).sum(), updates=[(w, w - 0.1 * x)])
    old = weakref.ref(w.container[0])  # a weak reference: it does not hold the array
    for _ in range(3):
        step(np.ones(1000))
    assert old() is w.container[0], "the update allocated a new array"
    np.testing.assert_allclose(w.get_value(), 0.7)
    copy = step.copy(delete_updates=True)  # no update: nothing is written
    copy(np.ones(1000))
    np.testing.assert_allclose(w.get_value(), 0.7)


def test_a_borrowed_value_is_never_overwritten():
    w = theanogo.shared(np.ones(3), name="w")
    step = theanogo.function([], [], updates=[(w, w * 2)])
    kept = w.get_value(borrow=True)
    step()
    np.testing.assert_array_equal(kept, [1, 1, 1])
    np.testing.assert_array_equal(w.get_value(), [2, 2, 2])
    assert w.get_value(borrow=True) is not kept


def test_outputs_read_the_old_value_before_it_is_overwritten():
    w = theanogo.shared(np.arange(4.0), name="w")
    f = theanogo.function([], [w, w.reshape((2, 2))], updates=[(w, w * 10)])
    old, old2d = f()
    np.testing.assert_array_equal(old, [0, 1, 2, 3])
    np.testing.assert_array_equal(old2d, [[0, 1], [2, 3]])
    np.testing.assert_array_equal(w.get_value(), [0, 10, 20, 30])


def test_updates_that_swap_two_variables():
    a = theanogo.shared(np.array([1.0, 2.0]), name="a")
    b = theanogo.shared(np.array([3.0, 4.0]), name="b")
    for swap in ([(a, b), (b, a)], [(a, b + 0), (b, a + 0)], [(a, b.reshape((2,))), (b, a * 1)],
                 [(b, a * 1), (a, b.reshape((2,)))]):
        a.set_value([1.0, 2.0])
        b.set_value([3.0, 4.0])
        theanogo.function([], [], updates=swap)()
        np.testing.assert_array_equal(a.get_value(), [3, 4])
        np.testing.assert_array_equal(b.get_value(), [1, 2])


def test_sgd_step_with_an_ifelse_keeps_its_update_in_place():
    """Gradient clipping with ifelse: the update reads the ifelse's value
    (computed after the branch's region), yet it is written into w's array;
    a call failing inside the taken branch changes nothing."""
    from theanogo.ifelse import ifelse

    w = theanogo.shared(np.ones(1000), name="w")
    x = T.dvector("x")
    idx = T.lvector("idx")
    g = x * w
    norm = T.sqrt((g ** 2).sum())
    clipped = ifelse(norm > 1.0, g / norm * x[idx].sum(), g)
    step = theanogo.function([x, idx], (w * x).sum(), updates=[(w, w - 0.1 * clipped)])
    old = weakref.ref(w.container[0])
    xv = np.full(1000, 0.01)
    want = np.ones(1000)
    for v in (xv, xv * 100):
        gv = v * want
        n = np.sqrt((gv ** 2).sum())
        clip = gv / n * v[[0, 1]].sum() if n > 1 else gv
        cost = step(v, np.array([0, 1]))
        assert cost == pytest.approx((want * v).sum())
        want = want - 0.1 * clip
        np.testing.assert_allclose(w.get_value(), want, rtol=1e-12)
    assert old() is w.container[0], "the update allocated a new array"
    with pytest.raises(IndexError):
        step(xv * 100, np.array([5000]))  # the taken branch indexes out of range
    np.testing.assert_allclose(w.get_value(), want, rtol=1e-12)
    assert old() is w.container[0]
