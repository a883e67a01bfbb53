"""A one-element constant operand is a literal of the kernel's expression
in every map and reduction (core/ops/map_kernel.go, reduce_kernel.go; issue
12): unfused `x ** 2` prints `x * x` (no tg_powi, no pow), `2 * x` and
`x * 0.5` multiply by a literal, and a reduction of `x * 3` reads no
constant from memory, with optimizer=None (the constant padded by a
dimshuffle) and with fusion excluded. The values are numpy's, bit for bit
(maps are exact)."""

import re

import numpy as np
import pytest

import theanogo as theano
import theanogo.tensor as T
from theanogo import printing

MODES = {
    "none": lambda: theano.Mode(linker="cvm", optimizer=None),
    "nofusion": lambda: theano.compile.mode.get_default_mode().excluding("fusion"),
}
# the Go evaluator on the same optimized graph: the oracle maps equal exactly
ORACLES = {
    "none": lambda: theano.Mode(linker="py", optimizer=None),
    "nofusion": lambda: theano.Mode(linker="py", optimizer="fast_run").excluding("fusion"),
}


def _kernels(src):
    """The node functions' kernel comments (the kernel's text, kir)."""
    return [line.strip()[3:] for line in src.splitlines() if line.strip().startswith("// ")]


def _elements(src):
    """The element functions' bodies (the helpers named tg_elem_...)."""
    return re.findall(r"static inline \S+ tg_elem_\w+\(([^)]*)\) \{\n(.*?)\n\}", src, re.S)


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_constants_are_literals(mode, dtype):
    x = T.vector("x", dtype=dtype)
    # name: (expression, its value, the kernel's text, the product in an
    # element function); the optimizer (nofusion) turns x ** 2 into sqr(x)
    # and x ** 3 into sqr(x) * x, with no constant left
    cases = {
        "x**2": (x ** 2, lambda v: v * v, r"in\d\[i0\] \*\* 2", "({x} * {x})"),
        "x**3": (x ** 3, lambda v: v * (v * v), r"in\d\[i0\] \*\* 3", "({x} * ({x} * {x}))"),
        "2*x": (2 * x, lambda v: 2 * v, r"2 \* in\d\[i0\]", None),
        "x*0.5": (x * 0.5, lambda v: v * np.asarray(0.5, dtype), r"in\d\[i0\] \* 0\.5", None),
    }
    xv = np.linspace(-3, 3, 37).astype(dtype)
    for name, (expr, want, text, product) in cases.items():
        f = theano.function([x], expr, mode=MODES[mode]())
        src = printing.source(f)
        assert src, "the function runs on the C++ backend"
        assert "tg_powi" not in src and "tg_pow(" not in src and "std::pow" not in src, name
        kernels = "\n".join(_kernels(src))
        elements = _elements(src)
        if mode == "none" or "**" not in name:
            # the constant is a literal of the kernel: the element function reads x only
            assert re.search(text, kernels), (name, kernels)
            assert any(params.count(",") == 0 and params for params, _ in elements), (name, elements)
            if product:  # float powers multiply in double, as tg_powi did
                assert any(product.format(x="tg_convert<double>(a0)") in body for _, body in elements), (name, elements)
        got = f(xv)
        np.testing.assert_array_equal(got, theano.function([x], expr, mode=ORACLES[mode]())(xv))
        if mode == "none":  # one rounding: powers multiply in double
            exact = xv.astype(np.float64) if "x**" in name else xv
            np.testing.assert_array_equal(got, np.asarray(want(exact)).astype(dtype))


@pytest.mark.parametrize("mode", sorted(MODES))
def test_reduction_of_a_constant_product(mode):
    x = T.matrix("x")
    f = theano.function([x], (x * 3).sum(axis=1), mode=MODES[mode]())
    src = printing.source(f)
    kernels = "\n".join(_kernels(src))
    assert "* 3" in kernels, kernels
    for params, body in _elements(src):
        assert params.count(",") == 0, (params, body)  # x only: 3 is a literal
    xv = np.arange(12.0).reshape(3, 4) - 5
    np.testing.assert_allclose(f(xv), (xv * 3).sum(axis=1), rtol=1e-15)


def test_integer_power_of_a_constant_is_a_product():
    x = T.vector("x", dtype="int32")
    f = theano.function([x], x ** 2, mode=theano.Mode(linker="cvm", optimizer=None))
    src = printing.source(f)
    assert "tg_pow" not in src and "tg_any_negative" not in src, src
    xv = np.array([0, 1, -3, 46341, -2**31], "int32")
    np.testing.assert_array_equal(f(xv), xv ** 2)


def test_integer_power_of_a_negative_constant_raises():
    x = T.vector("x", dtype="int32")
    f = theano.function([x], x ** np.int32(-1), mode=theano.Mode(linker="cvm", optimizer=None))
    with pytest.raises(ValueError, match="negative integer powers"):
        f(np.array([1, 2], "int32"))
