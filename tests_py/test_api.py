"""The Theano-facing API: types, constructors, variable properties, constants, config, printing."""

import os
import subprocess
import sys

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T
from theanogo import config


@pytest.mark.parametrize("ctor,dtype,bcast", [
    (T.fmatrix, "float32", (False, False)), (T.ivector, "int32", (False,)), (T.lscalar, "int64", ()),
    (T.dtensor4, "float64", (False,) * 4), (T.brow, "int8", (True, False)), (T.wcol, "int16", (False, True)),
    (T.ctensor3, "complex64", (False,) * 3), (T.zvector, "complex128", (False,)),
])
def test_typed_constructors(ctor, dtype, bcast):
    v = ctor("v")
    assert (v.dtype, v.broadcastable, v.name, v.ndim) == (dtype, bcast, "v", len(bcast))
    assert v.type == ctor


def test_default_dtype_follows_floatX():
    assert T.matrix().dtype == config.floatX
    with config.change_flags(floatX="float32"):
        assert T.matrix().dtype == "float32"
        assert T.vector(dtype="int32").dtype == "int32"
    assert T.tensor3().ndim == 3 and T.tensor4().ndim == 4 and T.scalar().ndim == 0
    assert T.row().broadcastable == (True, False) and T.col().broadcastable == (False, True)


def test_tensor_type_is_callable_and_comparable():
    t = T.TensorType("float32", (False, True))
    x = t("x")
    assert x.type == t and str(t) == "TensorType(float32, col)"
    assert T.TensorType("float64", (False, False)) == T.dmatrix
    assert T.tensor("int8", (False,) * 5).ndim == 5


def test_plurals():
    a, b = T.dscalars("a", "b")
    assert (a.name, b.name, a.dtype) == ("a", "b", "float64")
    assert len(T.matrices(3)) == 3
    x, y = T.fvectors("x", "y")
    assert y.dtype == "float32"


def test_variable_properties():
    x = T.dmatrix("x")
    y = (x * 2).sum(axis=0)
    assert y.ndim == 1 and y.dtype == "float64"
    assert x.owner is None and "sum" in str(y.owner.op)
    assert y.name is None
    y.name = "colsum"
    assert y.name == "colsum" and str(y) == "colsum"
    assert x.T.ndim == 2 and x.shape.ndim == 1 and x.shape.dtype == "int64"
    assert x.type == T.dmatrix and x.type.broadcastable == (False, False)


def test_equality_is_identity():
    x = T.dscalar()
    assert (x == x) is True and (x == T.dscalar()) is False
    assert len({x, x}) == 1
    assert isinstance(T.eq(x, x), T.TensorVariable)


@pytest.mark.parametrize("value,dtype", [
    (1, "int8"), (-129, "int16"), (40000, "int32"), (2 ** 40, "int64"), (True, "bool"), (0.5, "float32"),
    (0.1, "float64"), (np.float32(0.1), "float32"), (np.int64(3), "int64"), (np.arange(3, dtype="int16"), "int16"),
    ([1, 2], "int64"), ([0.5, 1.5], "float32"), ([0.1], "float64"),
])
def test_constant_dtypes(value, dtype):
    assert T.constant(value).dtype == dtype


def test_python_floats_follow_floatX_float32():
    with config.change_flags(floatX="float32"):
        assert T.constant(0.1).dtype == "float32"
        assert (T.fvector() * 0.1).dtype == "float32"
    assert (T.fvector() * 0.5).dtype == "float32"
    assert (T.fvector() * 2).dtype == "float32"
    assert (T.ivector() + 3).dtype == "int32"


def test_constant_data():
    c = T.constant(np.arange(4.0).reshape(2, 2), name="c")
    np.testing.assert_array_equal(c.data, np.arange(4.0).reshape(2, 2))
    assert c.name == "c"
    assert T.as_tensor_variable(c) is c
    assert T.as_tensor_variable([[1, 2]]).ndim == 2


def test_config_from_environment():
    code = "import theanogo; print(theanogo.config.floatX, theanogo.tensor.matrix().dtype)"
    env = dict(os.environ, THEANOGO_FLAGS="floatX=float32,mode=FAST_COMPILE")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["float32", "float32"]


def test_change_flags_restores_and_validates():
    old = config.floatX
    with pytest.raises(ValueError):
        with config.change_flags(floatX="float8"):
            pass
    assert config.floatX == old
    with theanogo.change_flags(floatX="float32"):
        assert config.floatX == "float32"
    assert config.floatX == old


def test_debugprint():
    x = T.dvector("x")
    y = (x * 2).sum()
    y.name = "total"
    text = theanogo.printing.debugprint(y, file="str")
    assert "x" in text and "sum" in text and "mul" in text
    f = theanogo.function([x], y)
    assert "sum" in theanogo.printing.debugprint(f, file="str")


def test_readme_one_liner():
    code = ("import theanogo as theano, theanogo.tensor as T, numpy as np; x = T.dmatrix('x'); "
            "f = theano.function([x], (x * 2 + 1).sum()); print(f(np.ones((2, 2))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "12.0"


def test_doctests_of_the_package():
    import doctest
    import importlib
    modules = ["theanogo", "theanogo.config", "theanogo.tensor", "theanogo.tensor.basic", "theanogo.tensor.var",
               "theanogo.tensor.type", "theanogo.tensor.nnet", "theanogo.compile.function",
               "theanogo.compile.sharedvalue", "theanogo.compile.filter", "theanogo.gradient", "theanogo.printing"]
    for name in modules:
        result = doctest.testmod(importlib.import_module(name))
        assert result.failed == 0, name


def test_clean_interpreter_exit_with_live_objects():
    code = ("import numpy as np, theanogo, theanogo.tensor as T\n"
            "x = T.dmatrix('x'); w = theanogo.shared(np.ones(3)); y = T.dot(x, w).sum()\n"
            "f = theanogo.function([x], y); g = theanogo.grad(y, w)\n"
            "class Holder:\n    pass\n"
            "h = Holder(); h.self = h; h.v = x * 2\n"  # a cycle collected at shutdown
            "print(float(f(np.ones((2, 3)))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "6.0"
    assert out.stderr == ""
