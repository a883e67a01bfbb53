"""Elementwise ops against numpy: random shapes, broadcasting, dtypes."""

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T
from conftest import assert_same, random_array, var_like

# Theano function, numpy function, input range, dtypes to try
UNARY = [
    (T.neg, np.negative, (-3, 3), ["float64", "float32", "int32", "int64"]),
    (T.abs_, np.abs, (-3, 3), ["float64", "float32", "int16", "int64"]),
    (T.sgn, np.sign, (-3, 3), ["float64", "int32"]),
    (T.sqr, np.square, (-3, 3), ["float64", "float32", "int32"]),
    (T.sqrt, np.sqrt, (0.1, 4), ["float64", "float32"]),
    (T.exp, np.exp, (-3, 3), ["float64", "float32"]),
    (T.log, np.log, (0.1, 4), ["float64", "float32"]),
    (T.log1p, np.log1p, (-0.5, 3), ["float64", "float32"]),
    (T.expm1, np.expm1, (-3, 3), ["float64", "float32"]),
    (T.tanh, np.tanh, (-3, 3), ["float64", "float32"]),
    (T.sin, np.sin, (-3, 3), ["float64"]),
    (T.cos, np.cos, (-3, 3), ["float64"]),
    (T.sigmoid, lambda a: 1 / (1 + np.exp(-a)), (-5, 5), ["float64", "float32"]),
    (T.softplus, lambda a: np.log1p(np.exp(a)), (-5, 5), ["float64", "float32"]),
]

BINARY = [
    (T.add, np.add, (-3, 3)),
    (T.sub, np.subtract, (-3, 3)),
    (T.mul, np.multiply, (-3, 3)),
    (T.maximum, np.maximum, (-3, 3)),
    (T.minimum, np.minimum, (-3, 3)),
    (T.lt, np.less, (-2, 2)),
    (T.gt, np.greater, (-2, 2)),
    (T.le, np.less_equal, (-2, 2)),
    (T.ge, np.greater_equal, (-2, 2)),
    (T.eq, np.equal, (-2, 2)),
    (T.neq, np.not_equal, (-2, 2)),
]

SHAPES = [((3, 4), (3, 4)), ((3, 4), (1, 4)), ((3, 4), (3, 1)), ((2, 3, 4), (4,)), ((5,), ()),
          ((0, 3), (1, 3)), ((1, 1), (2, 5)), ((2, 0, 3), (3,))]


@pytest.mark.parametrize("op,ref,bounds,dtypes", UNARY, ids=[u[0].__name__ for u in UNARY])
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 0, 3), (1, 1, 3)])
def test_unary(op, ref, bounds, dtypes, shape, rng):
    for dt in dtypes:
        a = random_array(rng, shape, dt, *bounds)
        x = var_like(a)
        got = theanogo.function([x], op(x))(a)
        want = ref(a)
        if want.dtype == np.float16:
            want = want.astype("float32")
        assert_same(got, want, dtype_check=np.dtype(dt).kind == "f")


@pytest.mark.parametrize("op,ref,bounds", BINARY, ids=[b[0].__name__ for b in BINARY])
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_binary_broadcasting(op, ref, bounds, shapes, rng):
    a = random_array(rng, shapes[0], "float64", *bounds).round()
    b = random_array(rng, shapes[1], "float64", *bounds).round()
    x, y = var_like(a), var_like(b)
    assert_same(theanogo.function([x, y], op(x, y))(a, b), ref(a, b))


@pytest.mark.parametrize("da,db", [("float32", "float64"), ("int32", "float32"), ("int8", "int64"),
                                   ("int32", "int32"), ("float32", "float32"), ("bool", "int16")])
def test_dtype_promotion_matches_numpy(da, db, rng):
    a = random_array(rng, (3, 2), da)
    b = random_array(rng, (3, 2), db)
    x, y = var_like(a), var_like(b)
    got = theanogo.function([x, y], [x + y, x * y, T.maximum(x, y)])(a, b)
    for g, w in zip(got, [a + b, a * b, np.maximum(a, b)]):
        assert_same(g, w)


def test_division_and_power(rng):
    a = random_array(rng, (4, 3), "float64", 0.5, 3)
    b = random_array(rng, (3,), "float64", 0.5, 3)
    x, y = var_like(a), var_like(b)
    f = theanogo.function([x, y], [x / y, x ** y, x // y, x % y, 2 / x, 2 ** y])
    for g, w in zip(f(a, b), [a / b, a ** b, a // b, a % b, 2 / a, 2 ** b]):
        assert_same(g, w)


def test_integer_division_and_mod_follow_python(rng):
    a = np.array([7, -7, 7, -7, 0], dtype="int32")
    b = np.array([2, 2, -2, -2, 3], dtype="int32")
    x, y = var_like(a), var_like(b)
    got = theanogo.function([x, y], [x // y, x % y, x / y])(a, b)
    assert_same(got[0], a // b)
    assert_same(got[1], a % b)
    assert_same(got[2], a / b)


def test_operators_with_python_and_numpy_values(rng):
    a = random_array(rng, (2, 3))
    x = var_like(a)
    exprs = [x + 1, 1 + x, x - 2.5, 2.5 - x, x * 3, 3 * x, -x, abs(x), x < 0, 0 > x, x >= 1, x <= 1,
             np.ones(3) + x, x @ np.ones(3)]
    wants = [a + 1, 1 + a, a - 2.5, 2.5 - a, a * 3, 3 * a, -a, abs(a), a < 0, 0 > a, a >= 1, a <= 1,
             np.ones(3) + a, a @ np.ones(3)]
    for g, w in zip(theanogo.function([x], exprs)(a), wants):
        assert_same(g, w)


def test_switch_and_logic(rng):
    a = random_array(rng, (3, 4))
    x = var_like(a)
    f = theanogo.function([x], [T.switch(x > 0, x, 0.0), T.switch(x > 0, 1.0, x),
                                T.and_(x > 0, x < 1), T.or_(x > 1, x < -1), T.xor(x > 0, x > 1)])
    want = [np.where(a > 0, a, 0.0), np.where(a > 0, 1.0, a), (a > 0) & (a < 1), (a > 1) | (a < -1),
            (a > 0) ^ (a > 1)]
    for g, w in zip(f(a), want):
        assert_same(g, w)


@pytest.mark.parametrize("src,dst", [("float64", "float32"), ("float64", "int32"), ("int32", "float64"),
                                     ("bool", "float64"), ("float32", "int8")])
def test_cast(src, dst, rng):
    a = random_array(rng, (4, 2), src)
    x = var_like(a)
    assert_same(theanogo.function([x], T.cast(x, dst))(a), a.astype(dst))


def test_zeros_ones_like_and_clip(rng):
    a = random_array(rng, (2, 3), "float32")
    x = var_like(a)
    f = theanogo.function([x], [T.zeros_like(x), T.ones_like(x), T.ones_like(x, dtype="int64"), T.clip(x, -1, 1)])
    z, o, oi, c = f(a)
    assert_same(z, np.zeros_like(a))
    assert_same(o, np.ones_like(a))
    assert_same(oi, np.ones(a.shape, dtype="int64"))
    assert_same(c, np.clip(a, -1, 1))


def test_nnet_elementwise(rng):
    a = random_array(rng, (3, 5))
    x = var_like(a)
    f = theanogo.function([x], [T.nnet.sigmoid(x), T.nnet.softplus(x), T.nnet.relu(x), T.nnet.relu(x, 0.1)])
    s, sp, r, lr = f(a)
    assert_same(s, 1 / (1 + np.exp(-a)))
    assert_same(sp, np.log1p(np.exp(a)))
    assert_same(r, np.maximum(a, 0))
    assert_same(lr, np.where(a > 0, a, 0.1 * a))


ALL_DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
              "float16", "float32", "float64", "complex64", "complex128"]


@pytest.mark.parametrize("da", ALL_DTYPES)
def test_every_dtype_pair_promotes_like_numpy(da):
    """x + y for every pair of dtypes has numpy.result_type's dtype (arrays, not scalars)."""
    for db in ALL_DTYPES:
        z = T.vector(dtype=da) + T.vector(dtype=db)
        assert z.dtype == np.result_type(np.dtype(da), np.dtype(db)).name, (da, db)
