"""theanogo.function and shared variables: calling, updates, givens, bad calls."""

from collections import OrderedDict

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T
from theanogo import config


def test_single_output_and_list_of_outputs():
    x = T.dvector("x")
    f = theanogo.function([x], x * 2)
    assert isinstance(f(np.ones(2)), np.ndarray)
    g = theanogo.function([x], [x * 2, x.sum()])
    out = g(np.ones(2))
    assert isinstance(out, list) and len(out) == 2
    np.testing.assert_array_equal(out[0], [2.0, 2.0])
    assert out[1].shape == () and float(out[1]) == 2.0


def test_keyword_arguments_by_name():
    x, y = T.dscalar("x"), T.dscalar("y")
    f = theanogo.function([x, y], x - y)
    assert float(f(y=1.0, x=3.0)) == 2.0
    assert float(f(3.0, y=1.0)) == 2.0
    with pytest.raises(TypeError):
        f(3.0, z=1.0)


def test_updates_apply_after_outputs_from_old_values():
    a = theanogo.shared(np.array(1.0), name="a")
    b = theanogo.shared(np.array(10.0), name="b")
    inc = T.dscalar("inc")
    # a and b swap-and-add: both updates must read the old values
    f = theanogo.function([inc], [a, b], updates=[(a, b + inc), (b, a)])
    out = f(0.5)
    assert [float(v) for v in out] == [1.0, 10.0]  # outputs see the values before updates
    assert float(a.get_value()) == 10.5 and float(b.get_value()) == 1.0
    f(0.0)
    assert float(a.get_value()) == 1.0 and float(b.get_value()) == 10.5


def test_updates_as_dict_and_ordered_dict():
    acc = theanogo.shared(0.0)
    x = T.dscalar()
    for updates in ({acc: acc + x}, OrderedDict([(acc, acc + x)])):
        acc.set_value(0.0)
        f = theanogo.function([x], [], updates=updates)
        f(2.0)
        f(3.0)
        assert float(acc.get_value()) == 5.0


def test_givens_replace_inputs_with_shared_slices():
    data = theanogo.shared(np.arange(10.0), name="data")
    index = T.lscalar("index")
    x = T.dvector("x")
    f = theanogo.function([index], x.sum(), givens={x: data[index * 3:(index + 1) * 3]})
    assert [float(f(i)) for i in range(3)] == [3.0, 12.0, 21.0]
    g = theanogo.function([index], x.sum(), givens=[(x, data[index:])])
    assert float(g(7)) == 24.0


def test_shared_get_value_returns_a_copy():
    value = np.arange(4.0)
    s = theanogo.shared(value)
    value[0] = 100.0  # the shared variable holds its own copy
    got = s.get_value()
    assert got[0] == 0.0
    got[1] = 100.0
    assert s.get_value()[1] == 1.0


def test_shared_types():
    assert theanogo.shared(np.zeros(3, dtype="float32")).dtype == "float32"
    assert theanogo.shared(np.zeros((2, 2), dtype="int32")).type == T.imatrix
    assert theanogo.shared(1.5).dtype == config.floatX
    assert theanogo.shared(3).dtype == "int64"
    s = theanogo.shared(np.zeros((1, 3)), broadcastable=(True, False), name="b")
    assert s.broadcastable == (True, False) and s.name == "b"
    with config.change_flags(floatX="float32"):
        assert theanogo.shared(1.5).dtype == "float32"


def test_shared_set_value_checks_type():
    s = theanogo.shared(np.zeros(3, dtype="float32"))
    s.set_value(np.ones(5, dtype="float32"))  # the shape may change (not broadcastable)
    assert s.get_value().shape == (5,)
    s.set_value([1, 2])  # a Python list whose values fit
    assert s.get_value().dtype == np.float32
    with pytest.raises(TypeError):
        s.set_value(np.ones(3, dtype="float64"))  # would lose precision
    with pytest.raises(TypeError):
        s.set_value(np.ones((3, 3), dtype="float32"))  # wrong rank
    b = theanogo.shared(np.zeros((1, 3)), broadcastable=(True, False))
    with pytest.raises(TypeError):
        b.set_value(np.zeros((2, 3)))


def test_input_dtype_conversion_rules():
    x = T.fvector("x")
    f = theanogo.function([x], x * 2)
    assert f(np.ones(2, dtype="float32")).dtype == np.float32
    assert f(np.ones(2, dtype="int16")).dtype == np.float32  # safe cast
    assert f([1, 2]).dtype == np.float32  # a Python list whose values round-trip
    assert f([0.5, 0.25]).dtype == np.float32
    with pytest.raises(TypeError, match="allow_input_downcast"):
        f(np.ones(2, dtype="float64"))
    g = theanogo.function([x], x * 2, allow_input_downcast=True)
    np.testing.assert_allclose(g(np.array([0.1, 0.2])), np.float32([0.2, 0.4]))
    i = T.iscalar("i")
    h = theanogo.function([i], i + 1)
    assert int(h(3)) == 4 and int(h(3.0)) == 4
    with pytest.raises(TypeError):
        h(3.5)
    with pytest.raises(TypeError):
        h(np.int64(3))  # numpy int64 into int32 is not safe


def test_non_contiguous_arguments_are_accepted():
    x = T.dmatrix("x")
    f = theanogo.function([x], x * 1)
    a = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(f(a.T), a.T)
    np.testing.assert_array_equal(f(a[:, ::2]), a[:, ::2])
    big = np.arange(6.0).astype(">f8").reshape(2, 3)  # non-native byte order
    np.testing.assert_array_equal(f(big), big)


def make_sgd_step():
    """A function with an update, to check that failed calls change nothing."""
    w = theanogo.shared(np.array([1.0, 2.0, 3.0]), name="w")
    x = T.dmatrix("x")
    cost = T.sum(T.dot(x, w))
    f = theanogo.function([x], cost, updates=[(w, w - 0.1 * theanogo.grad(cost, w))])
    return f, w


@pytest.mark.parametrize("args,exc", [
    ((), TypeError),                                                   # too few arguments
    ((np.ones((2, 3)), np.ones((2, 3))), TypeError),                   # too many
    ((np.ones(3),), TypeError),                                        # wrong rank
    ((np.ones((2, 3), dtype="complex128"),), TypeError),               # wrong dtype
    ((np.ones((2, 4)),), ValueError),                                  # shape breaks the dot
    (("abc",), TypeError),                                             # not numbers
    ((T.dmatrix(),), TypeError),                                       # a symbolic variable
])
def test_bad_calls_raise_and_leave_shared_unchanged(args, exc):
    f, w = make_sgd_step()
    before = w.get_value()
    with pytest.raises(exc):
        f(*args)
    np.testing.assert_array_equal(w.get_value(), before)
    f(np.ones((2, 3)))  # still usable
    np.testing.assert_allclose(w.get_value(), before - 0.2)


def test_broadcasting_failure_at_call_changes_nothing():
    s = theanogo.shared(np.zeros(3), name="s")
    x, y = T.dvector("x"), T.dvector("y")
    f = theanogo.function([x, y], x + y, updates=[(s, s + 1)])
    with pytest.raises(ValueError):
        f(np.ones(3), np.ones(4))
    np.testing.assert_array_equal(s.get_value(), np.zeros(3))
    with pytest.raises(ValueError):  # as in Theano, only statically broadcastable dims broadcast
        f(np.ones(3), np.ones(1))
    np.testing.assert_array_equal(s.get_value(), np.zeros(3))
    f(np.ones(3), np.ones(3))
    np.testing.assert_array_equal(s.get_value(), np.ones(3))


def test_static_shape_is_checked():
    r = T.drow("r")
    f = theanogo.function([r], r * 2)
    with pytest.raises((TypeError, ValueError)):
        f(np.ones((2, 3)))


def test_function_construction_errors():
    x, y = T.dvector("x"), T.dvector("y")
    with pytest.raises(theanogo.MissingInputError):
        theanogo.function([x], x + y)
    with pytest.raises(Exception):  # unused input raises by default
        theanogo.function([x, y], x * 2)
    theanogo.function([x, y], x * 2, on_unused_input="ignore")
    with pytest.warns(UserWarning):
        theanogo.function([x, y], x * 2, on_unused_input="warn")
    s = theanogo.shared(np.zeros(2, dtype="float32"))
    with pytest.raises(TypeError):  # update of another dtype
        theanogo.function([x], x, updates=[(s, x)])
    with pytest.raises(TypeError):  # a shared variable cannot be an explicit input
        theanogo.function([s], s * 2)
    with pytest.raises(TypeError):
        theanogo.function(x, x)


def test_eval():
    x = T.dvector("x")
    np.testing.assert_array_equal((x + 1).eval({x: np.zeros(2)}), [1.0, 1.0])
    assert float(T.constant(3.0).eval()) == 3.0


def test_print_graph_switch_prints_the_compiled_graph(capsys):
    x = T.dvector("x")
    s = theanogo.shared(np.zeros(2), name="s")
    with theanogo.config.change_flags(print_graph=True):
        theanogo.function([x], T.exp(x), updates=[(s, s + x)])
    err = capsys.readouterr().err
    assert "exp [id" in err and "add [id" in err and "x [id" in err and "s [id" in err


def test_concurrent_calls_apply_every_update():
    """Threads building expressions and calling one function: no update is lost."""
    import threading

    s = theanogo.shared(np.zeros(4), name="s")
    x = T.dvector("x")
    inc = theanogo.function([x], s.sum(), updates=[(s, s + x)])
    errors = []

    def work(k):
        try:
            for i in range(500):
                (x * (k * 1000 + i) + 1).sum()
                inc(np.ones(4))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    np.testing.assert_array_equal(s.get_value(), np.full(4, 2000.0))
