"""Modes and optimizer flags as Theano's (theanogo.Mode, compile.mode,
config.optimizer*, THEANO_FLAGS), the device flag, and printing of the
optimized graph (debugprint(f)) and of expressions (pp)."""

import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T
from theanogo import config
from theanogo.compile import DebugMode, NanGuardMode
from theanogo.compile import mode as mode_module
from theanogo.compile.function import _mode_options


def two_dots():
    """A graph the user wrote with dot(m, w) twice; merge computes it once."""
    m, w = T.dmatrix("m"), T.dmatrix("w")
    return [m, w], T.dot(m, w).sum() * T.dot(m, w).max()


def count_ops(f, name):
    return sum(1 for node in f.maker.fgraph.toposort() if node.op == name)


def test_merge_runs_in_fast_run_and_not_without_an_optimizer():
    inputs, out = two_dots()
    assert count_ops(theanogo.function(inputs, out), "dot") == 1
    assert count_ops(theanogo.function(inputs, out, mode=theanogo.Mode(optimizer=None)), "dot") == 2
    with config.change_flags(optimizer=None):
        f = theanogo.function(inputs, out)
    assert count_ops(f, "dot") == 2
    assert f.maker.optimizer == "None" and f.maker.rewrites == {}
    v = np.arange(4.0).reshape(2, 2)
    np.testing.assert_allclose(f(v, v), (v @ v).sum() * (v @ v).max())


def test_including_and_excluding_reach_go():
    inputs, out = two_dots()
    base = theanogo.Mode(optimizer="fast_run")
    assert count_ops(theanogo.function(inputs, out, mode=base.excluding("merge", "merge_final")), "dot") == 2
    assert count_ops(theanogo.function(inputs, out, mode=theanogo.Mode(optimizer=None).including("merge")), "dot") == 1
    with config.change_flags(optimizer_excluding="merge:merge_final"):
        assert count_ops(theanogo.function(inputs, out), "dot") == 2
        # a Mode object passed to function is used as given, as in Theano
        assert count_ops(theanogo.function(inputs, out, mode=base), "dot") == 1


def test_mode_objects_are_immutable_and_build_the_options():
    base = theanogo.Mode(linker="py", optimizer="stabilize")
    derived = base.including("canonicalize").excluding("fusion").requiring("stabilize")
    assert base.included == () and derived.included == ("canonicalize",)
    assert derived.options() == {"mode": "FAST_COMPILE", "optimizer": "stabilize", "including": ["canonicalize"],
                                 "excluding": ["fusion"], "requiring": ["stabilize"], "verbose": False,
                                 "strict": False}
    assert "excluding('fusion')" in repr(derived)
    assert pickle.loads(pickle.dumps(derived)).options() == derived.options()
    with pytest.raises(ValueError, match="linker"):
        theanogo.Mode(linker="nope")
    with config.change_flags(optimizer="fast_compile"):
        assert theanogo.Mode().optimizer == "fast_compile"  # 'default' is config.optimizer


def test_predefined_modes_and_names():
    assert mode_module.FAST_RUN.options()["mode"] == "FAST_RUN"
    assert mode_module.FAST_RUN.optimizer == "fast_run"
    assert mode_module.FAST_COMPILE.options()["optimizer"] == "fast_compile"
    assert mode_module.get_mode("FAST_COMPILE") is mode_module.FAST_COMPILE
    assert isinstance(mode_module.get_default_mode(), theanogo.Mode)
    x = T.dvector("x")
    assert theanogo.function([x], x + 1, mode=mode_module.FAST_COMPILE).maker.optimizer == "fast_compile"
    assert theanogo.function([x], x + 1, mode="FAST_RUN").maker.optimizer == "fast_run"
    with config.change_flags(mode="FAST_COMPILE"):
        assert mode_module.get_default_mode() is mode_module.FAST_COMPILE
        assert theanogo.function([x], x + 1).maker.mode == "FAST_COMPILE"
    with pytest.raises(ValueError):
        config.mode = "FASTEST"


def test_debug_and_nan_guard_modes_name_their_go_modes():
    assert theanogo.compile.debugmode.DebugMode is DebugMode
    assert theanogo.compile.nanguardmode.NanGuardMode is NanGuardMode
    _, debug = _mode_options("DebugMode")
    assert debug["mode"] == "DebugMode" and debug["strict"] and debug["optimizer"] == "fast_run"
    guard = NanGuardMode(nan_is_error=True, inf_is_error=False, big_is_error=False).options()
    assert guard["mode"] == "NanGuardMode"
    assert (guard["nan_is_error"], guard["inf_is_error"], guard["big_is_error"]) == (True, False, False)
    assert _mode_options("NanGuardMode")[1]["big_is_error"] is True  # Theano's defaults
    assert isinstance(DebugMode(check_py_code=False).including("merge"), DebugMode)
    x = T.dvector("x")
    for m in ("DebugMode", DebugMode(), "NanGuardMode", NanGuardMode()):
        f = theanogo.function([x], x * 2, mode=m)
        assert f.maker.mode == _mode_options(m)[1]["mode"]
        np.testing.assert_array_equal(f(np.arange(3.0)), [0.0, 2.0, 4.0])


def test_nan_guard_mode_names_the_first_op_and_the_line():
    x = T.dvector("x")
    y = T.log(x) * 2  # the line NanGuardMode must name
    line = __import__("inspect").currentframe().f_lineno - 1
    f = theanogo.function([x], y, mode=NanGuardMode())
    np.testing.assert_allclose(f(np.array([1.0, np.e])), [0.0, 2.0])
    with pytest.raises(ValueError, match=rf"NanGuardMode: log \(at .*test_modes.py:{line}\) computed -Inf"):
        f(np.array([1.0, 0.0]))
    lenient = theanogo.function([x], y, mode=NanGuardMode(inf_is_error=False, big_is_error=False))
    assert lenient(np.array([0.0]))[0] == -np.inf
    with pytest.raises(ValueError, match="NanGuardMode: log .* computed NaN"):
        lenient(np.array([-1.0]))


def test_debug_mode_checks_the_rewrites_on_each_call():
    x = T.dvector("x")
    y = T.log(1 + T.exp(x)) - T.log(T.nnet.sigmoid(x))  # softplus and log(sigmoid) rewrites
    f = theanogo.function([x], y, mode=DebugMode())
    assert f.maker.rewrites
    v = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(f(v), np.log1p(np.exp(v)) - np.log(1 / (1 + np.exp(-v))), rtol=1e-10)


def test_unknown_names_raise_value_error():
    x = T.dvector("x")
    with pytest.raises(ValueError, match="no_such_rewrite"):
        theanogo.function([x], x + 1, mode=theanogo.Mode().including("no_such_rewrite"))
    with pytest.raises(ValueError, match="optimizer"):
        theanogo.function([x], x + 1, mode=theanogo.Mode(optimizer="o9"))
    with config.change_flags(optimizer_requiring="no_such_tag"):
        with pytest.raises(ValueError, match="no_such_tag"):
            theanogo.function([x], x + 1)
    with pytest.raises(ValueError):
        config.optimizer = "fastest"
    with pytest.raises(ValueError, match="unknown mode"):
        theanogo.function([x], x + 1, mode="NO_SUCH_MODE")


def test_optimizer_verbose_prints_the_log(capfd):
    x = T.dvector("x")
    out = T.log(1 + T.exp(x)) + T.log(1 + x)  # softplus and log1p, once the rules are in
    with config.change_flags(optimizer_verbose=True):
        assert _mode_options(None)[1]["verbose"] is True
        f = theanogo.function([x], out)
    err = capfd.readouterr().err
    hits = sum(f.maker.rewrites.values())
    assert err == f.maker.optimizer_log
    assert len([line for line in err.splitlines() if line.startswith("rewrite ")]) == hits
    quiet = theanogo.function([x], out)
    assert capfd.readouterr().err == "" and quiet.maker.optimizer_log == ""
    if hits == 0:
        pytest.skip("no rewrite rule matched: the stability rules are not in this build yet")


def run_python(code, **env):
    full = {k: v for k, v in os.environ.items() if k not in ("THEANO_FLAGS", "THEANOGO_FLAGS")}
    full.update(env)
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, check=True)


def test_theano_flags_are_read_and_theanogo_flags_win():
    code = "import theanogo as t; c = t.config; print(c.floatX, c.optimizer, c.optimizer_excluding, c.mode)"
    out = run_python(code, THEANO_FLAGS="floatX=float32,optimizer=None,mode=FAST_COMPILE",
                     THEANOGO_FLAGS="optimizer=fast_compile,optimizer_excluding=merge:fusion")
    assert out.stdout.split() == ["float32", "fast_compile", "merge:fusion", "FAST_COMPILE"]
    out = run_python(code, THEANO_FLAGS="optimizer=stabilize")
    assert out.stdout.split()[1] == "stabilize"


def test_gpu_device_is_refused_with_a_clear_message():
    x = T.dvector("x")
    for device in ("cuda", "cuda0", "gpu"):
        with config.change_flags(device=device):
            with pytest.raises(NotImplementedError, match="no GPU backend"):
                theanogo.function([x], x + 1)
    with pytest.raises(ValueError, match="device"):
        config.device = "tpu"
    code = ("import theanogo, theanogo.tensor as T\n"
            "try:\n    theanogo.function([T.dvector()], T.dvector() + 1)\n"
            "except NotImplementedError as e:\n    print(e)\n")
    out = run_python(code, THEANO_FLAGS="device=cuda,floatX=float32")
    assert "no GPU backend" in out.stdout and "device=cpu" in out.stdout
    out = run_python("import theanogo; print(theanogo.config.device)", THEANO_FLAGS="device=cuda",
                     THEANOGO_FLAGS="device=cpu")
    assert out.stdout.strip() == "cpu"


def test_debugprint_of_a_function_is_the_optimized_graph():
    inputs, out = two_dots()
    user = theanogo.printing.debugprint(out, file="str")
    assert user.count("dot [id") == 2  # two dot nodes as written
    optimized = theanogo.printing.debugprint(theanogo.function(inputs, out), file="str")
    lines = optimized.splitlines()
    assert len([line for line in lines if "dot [id" in line]) == 2  # one node, printed again by id
    dot_ids = {line.split("[id ")[1].split("]")[0] for line in lines if "dot [id" in line}
    assert len(dot_ids) == 1
    assert "TensorType(float64, matrix" in optimized
    unoptimized = theanogo.function(inputs, out, mode=theanogo.Mode(optimizer=None))
    text = theanogo.printing.debugprint(unoptimized, file="str")
    assert len({line.split("[id ")[1].split("]")[0] for line in text.splitlines() if "dot [id" in line}) == 2


def test_debugprint_shows_updates():
    x = T.dvector("x")
    s = theanogo.shared(np.zeros(3), name="s")
    text = theanogo.printing.debugprint(theanogo.function([x], x.sum(), updates=[(s, s + x)]), file="str")
    assert "update s:" in text


@pytest.mark.parametrize("build, want", [
    (lambda x, y, m, W: x + y, "(x + y)"),
    (lambda x, y, m, W: x * 2 + T.exp(y), "((x * 2) + exp(y))"),
    (lambda x, y, m, W: x.sum(axis=0), "sum(x, axis=[0])"),
    (lambda x, y, m, W: m.sum(axis=1, keepdims=True), "sum(m, axis=[1], keepdims=True)"),
    (lambda x, y, m, W: x[1:], "x[1:]"),
    (lambda x, y, m, W: m[:, 0], "m[:, 0]"),
    (lambda x, y, m, W: T.dot(x, W), "dot(x, W)"),
    (lambda x, y, m, W: m.T, "m.T"),
    (lambda x, y, m, W: -(x - y) / 2.5, "(-(x - y) / 2.5)"),
    (lambda x, y, m, W: x ** 2 >= y, "((x ** 2) >= y)"),
    (lambda x, y, m, W: T.maximum(x, y), "maximum(x, y)"),
])
def test_pp(build, want):
    x, y = T.dvector("x"), T.dvector("y")
    m, W = T.dmatrix("m"), T.dmatrix("W")
    assert theanogo.printing.pp(build(x, y, m, W)) == want


def test_pp_of_a_function_prints_its_optimized_outputs():
    m, w = T.dmatrix("m"), T.dmatrix("w")
    out = T.dot(m, w) + T.dot(m, w)
    assert theanogo.pp(out) == "(dot(m, w) + dot(m, w))"
    plain = theanogo.function([m, w], [out, out.sum()], mode=theanogo.Mode(optimizer=None))
    assert theanogo.pp(plain).splitlines() == ["(dot(m, w) + dot(m, w))", "sum((dot(m, w) + dot(m, w)), axis=[0, 1])"]
    optimized = theanogo.pp(theanogo.function([m, w], out)).splitlines()
    assert len(optimized) == 1 and optimized[0].count("dot(m, w)") == 1, optimized


def test_function_pickles_with_its_mode():
    x = T.dvector("x")
    f = theanogo.function([x], x + x, mode=theanogo.Mode(optimizer=None).including("merge"))
    g = pickle.loads(pickle.dumps(f))
    assert g.maker.optimizer == "None"
    np.testing.assert_array_equal(g(np.ones(2)), [2.0, 2.0])


def test_mode_options_are_json():
    json.dumps(_mode_options(NanGuardMode())[1])
