"""Theano's identity semantics (every expression is its own variable) and
pickling of variables, shared variables and compiled functions, loaded in a
fresh process."""

import copy
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T
from theanogo.printing import debugprint


# --- identity -------------------------------------------------------------------------

def test_naming_an_expression_does_not_name_an_equal_one():
    x = T.dvector("x")
    a = x + 1
    a.name = "a"
    b = x + 1
    assert b.name is None
    assert "'a'" not in debugprint(b, file="str")


def test_naming_a_constant_does_not_rename_other_uses_of_its_value():
    x = T.dvector("x")
    c = T.constant(2.0)
    c.name = "two"
    y = x * 2.0
    assert "two" not in debugprint(y, file="str")
    assert "two" in debugprint(x * c, file="str")


def test_naming_a_copy_leaves_the_original_alone():
    x = T.dvector("x")
    x.copy().name = "y"
    assert x.name == "x"
    y = x.copy(name="y")
    assert y.name == "y" and x.name == "x"
    f = theanogo.function([x], y * 2)
    np.testing.assert_array_equal(f(np.arange(3.0)), [0, 2, 4])
    g = theanogo.grad((y * y).sum(), x)
    np.testing.assert_array_equal(theanogo.function([x], g)(np.arange(3.0)), [0, 2, 4])


def test_consider_constant_freezes_only_the_variable_given():
    # c = x*y + x**2 and h = x*y built separately: freezing h must not
    # freeze the x*y inside c. d(c + h)/dx = y + 2x = 7 at x=2, y=3.
    x, y = T.dscalars("x", "y")
    c = x * y + x ** 2
    h = x * y
    g = theanogo.grad(c + h, x, consider_constant=[h])
    assert float(theanogo.function([x, y], g)(2, 3)) == 7.0
    g_all = theanogo.grad(c + h, x)
    assert float(theanogo.function([x, y], g_all)(2, 3)) == 10.0


def test_equal_subexpressions_are_computed_once_in_the_compiled_graph():
    x = T.dmatrix("x")
    out = T.dot(x, x).sum() * T.dot(x, x).max()
    f = theanogo.function([x], out)
    ops = [node.op for node in f.maker.fgraph.toposort()]
    assert sum(op == "dot" for op in ops) == 1, ops
    m = np.arange(4.0).reshape(2, 2)
    assert float(f(m)) == pytest.approx((m @ m).sum() * (m @ m).max())


def test_shape_never_computes_the_expression():
    x = T.dmatrix("x")
    f = theanogo.function([x], T.exp(T.dot(x, x.T)).shape)
    ops = [node.op for node in f.maker.fgraph.toposort()]
    assert not any(op.startswith(("dot", "exp")) for op in ops), ops
    np.testing.assert_array_equal(f(np.ones((5, 3))), [5, 5])


def test_symbolic_shapes_of_slices_reshapes_and_aranges():
    x = T.dmatrix("x")
    i, j = T.lscalars("i", "j")
    exprs = [x[i:j:2], x[::-1, j:], x.reshape((j, -1)), T.arange(i, j), x.flatten(), x[:, None, 1:].sum(axis=0)]
    f = theanogo.function([x, i, j], [e.shape for e in exprs] + exprs, on_unused_input="ignore")
    for m, a, b in [(np.ones((6, 4)), 1, 4), (np.ones((2, 12)), -1, 3), (np.ones((4, 6)), 0, 8)]:
        res = f(m, a, b)
        shapes, values = res[: len(exprs)], res[len(exprs):]
        for s, v in zip(shapes, values):
            assert tuple(s) == v.shape


# --- pickling -------------------------------------------------------------------------

def _run_fresh(code: str, data: bytes, tmp_path) -> str:
    """Run code in a fresh Python process with the pickle bytes in `data`."""
    path = tmp_path / "obj.pkl"
    path.write_bytes(data)
    script = "import pickle, numpy as np\nimport theanogo\n" + \
        f"obj = pickle.loads(open({str(path)!r}, 'rb').read())\n" + textwrap.dedent(code)
    env = dict(os.environ, PYTHONPATH="")
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_pickled_function_runs_in_a_fresh_process(tmp_path):
    x = T.dmatrix("x")
    idx = T.lscalar("idx")
    data = theanogo.shared(np.arange(12.0).reshape(6, 2), name="data")
    w = theanogo.shared(np.ones(2), name="w")
    cost = T.sum((T.dot(x, w) - 1) ** 2)
    train = theanogo.function([idx], cost, updates=[(w, w - 0.01 * theanogo.grad(cost, w))],
                              givens={x: data[idx * 2:(idx + 1) * 2]}, name="train")
    train(0)
    blob = pickle.dumps(train)
    twin = train.copy(swap={w: copy.deepcopy(w)})
    expected = [float(twin(i)) for i in (1, 2)]
    out = _run_fresh("""
        f = obj
        print(float(f(1)), float(f(2)), f.name)
        w = [v for v in f.maker.fgraph.inputs if v.name == "w"][0]
        print(w.get_value().tolist())
    """, blob, tmp_path).split("\n")
    a, b, name = out[0].split()
    assert [float(a), float(b)] == pytest.approx(expected) and name == "train"
    # the original's state is untouched by the copy's calls
    before = w.get_value()
    assert float(train(1)) == pytest.approx(expected[0])
    assert not np.array_equal(before, w.get_value())


def test_unpickled_function_never_aliases_the_original():
    w = theanogo.shared(np.zeros(3), name="w")
    f = theanogo.function([], w, updates=[(w, w + 1)])
    g = pickle.loads(pickle.dumps(f))
    g()
    g()
    np.testing.assert_array_equal(w.get_value(), np.zeros(3))
    f()
    np.testing.assert_array_equal(g(), [2, 2, 2])
    np.testing.assert_array_equal(w.get_value(), np.ones(3))


def test_shared_variables_pickled_together_stay_one_variable():
    w = theanogo.shared(np.ones(2), name="w")
    f = theanogo.function([], w * 2, updates=[(w, w + 1)])
    g = theanogo.function([], w * 3)
    f2, g2 = pickle.loads(pickle.dumps((f, g)))
    f2()
    np.testing.assert_array_equal(g2(), [6, 6])
    np.testing.assert_array_equal(g(), [3, 3])


def test_pickled_variables_and_shared_variables(tmp_path):
    x = T.dvector("x")
    w = theanogo.shared(np.array([1.0, 2.0]), name="w")
    y = T.tanh(x * w).sum()
    y.name = "y"
    out = _run_fresh("""
        y, w, x = obj
        print(y.name, x.name, w.get_value().tolist())
        f = theanogo.function([x], y)
        print(float(f(np.ones(2))))
    """, pickle.dumps((y, w, x)), tmp_path).split("\n")
    assert out[0] == "y x [1.0, 2.0]"
    assert float(out[1]) == pytest.approx(np.tanh(1) + np.tanh(2))


def test_deepcopy_of_a_shared_variable_is_independent():
    w = theanogo.shared(np.zeros(2))
    w2 = copy.deepcopy(w)
    w2.set_value(np.ones(2))
    np.testing.assert_array_equal(w.get_value(), [0, 0])


def test_unpickling_an_op_this_version_lacks_is_a_clear_error():
    x = T.dvector("x")
    blob = pickle.dumps(theanogo.function([x], T.exp(x)))
    assert b"Elemwise" in blob
    bad = blob.replace(b"Elemwise", b"Elemwisf")
    with pytest.raises(ValueError, match="Elemwisf.*does not have"):
        pickle.loads(bad)
