"""Bad expressions raise TypeError/ValueError naming the op; Go panics become exceptions."""

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T
from theanogo import _lib


def test_incompatible_constant_shapes():
    with pytest.raises(ValueError, match="add"):
        T.constant(np.ones((2, 3))) + T.constant(np.ones((4, 3)))


def test_incompatible_static_shapes_across_ranks():
    m = T.TensorType("float64", shape=(None, 3))("m")
    t3 = T.TensorType("float64", shape=(None, None, 4))("t3")
    with pytest.raises(ValueError, match="mul"):
        m * t3


def test_dot_of_unsupported_ranks():
    with pytest.raises((TypeError, ValueError), match="dot"):
        T.dot(T.tensor3(), T.vector())
    with pytest.raises((TypeError, ValueError), match="dot"):
        T.dot(T.scalar(), T.matrix())


def test_dot_of_mismatched_static_lengths():
    a = T.constant(np.ones((2, 3)))
    b = T.constant(np.ones((4, 2)))
    with pytest.raises(ValueError, match="dot"):
        T.dot(a, b)


@pytest.mark.parametrize("build", [
    lambda x: x.sum(axis=2),
    lambda x: x.mean(axis=-3),
    lambda x: T.max(x, axis=[0, 0]),
    lambda x: x.transpose(0, 0),
    lambda x: x.dimshuffle(0),
    lambda x: x.dimshuffle(2, 0, 1),
    lambda x: x[1, 2, 3],
], ids=["sum-axis", "mean-negative-axis", "max-repeated-axis", "transpose", "dimshuffle-drop",
        "dimshuffle-bad-axis", "too-many-indices"])
def test_bad_axes(build):
    with pytest.raises((TypeError, ValueError, IndexError)):
        build(T.dmatrix("x"))


def test_error_names_the_op():
    with pytest.raises(ValueError) as info:
        T.dmatrix().sum(axis=5)
    assert "sum" in str(info.value)


def test_error_points_at_the_users_line():
    x = T.dmatrix("x")
    line = __import__("inspect").currentframe().f_lineno + 2
    with pytest.raises(ValueError) as info:
        x.sum(axis=5)
    assert f"{__file__}:{line}" in str(info.value)


def test_unknown_dtype():
    with pytest.raises(TypeError):
        T.matrix(dtype="float128x")
    with pytest.raises(TypeError):
        T.cast(T.dvector(), "notatype")
    with pytest.raises(TypeError):
        T.TensorType("nope", (False,))


def test_switch_condition_must_broadcast():
    with pytest.raises(ValueError, match="switch"):
        T.switch(T.constant(np.ones(3) > 0), T.constant(np.ones(4)), 0)


def test_unknown_op_is_value_error():
    with pytest.raises(ValueError, match="unknown op"):
        T.TensorVariable(_lib.apply("no_such_op", None, []))


def test_bad_params_are_reported():
    x = T.dvector()
    with pytest.raises((TypeError, ValueError)):
        T.TensorVariable(_lib.apply("sum", {"axis": "zero"}, [x._h]))


def test_go_panic_becomes_runtime_error():
    with pytest.raises(RuntimeError, match="panic"):
        _lib.debug_panic()
    # the process and the library are fine afterwards
    x = T.dscalar()
    assert float(theanogo.function([x], x + 1)(1.0)) == 2.0


def test_invalid_handle_is_an_error_not_a_crash():
    with pytest.raises(RuntimeError, match="handle"):
        _lib.var_meta(10 ** 15)


def test_bool_of_variable_raises():
    x = T.dscalar()
    with pytest.raises(TypeError):
        bool(x)
    with pytest.raises(TypeError):
        if x > 0:
            pass


def test_iterating_unknown_length_raises():
    with pytest.raises(TypeError):
        list(T.dvector())
    assert len(list(T.constant(np.arange(3)))) == 3


def test_constant_index_out_of_range_is_an_index_error_at_build_time():
    x = T.TensorType("float64", shape=(3,))("x")
    with pytest.raises(IndexError, match="subtensor: index 3 is out of bounds for axis 0 with size 3"):
        x[3]
    with pytest.raises(IndexError, match="out of bounds"):
        x[-4]


@pytest.mark.parametrize("build", [
    lambda x, i: x[3],
    lambda x, i: x[i],
    lambda x, i: T.set_subtensor(x[i], 0.0),
    lambda x, i: T.inc_subtensor(x[i], 1.0),
    lambda x, i: x[i.dimshuffle('x')],
    lambda x, i: T.set_subtensor(x[i.dimshuffle('x')], 0.0),
], ids=["constant", "symbolic", "set_subtensor", "inc_subtensor", "advanced", "advanced-set"])
def test_index_out_of_range_is_an_index_error_at_call_time(build):
    x, i = T.dvector("x"), T.lscalar("i")
    f = theanogo.function([x, i], build(x, i), on_unused_input="ignore")
    with pytest.raises(IndexError, match="out of bounds"):
        f(np.ones(3), 3)
    with pytest.raises(IndexError, match="out of bounds"):
        f(np.ones(3), -4)
    f(np.ones(4), -1)  # and in range it works
