"""theanogo.function on the C++ backend, from Python: which backend runs
(FAST_RUN and the default mode compile to C++, FAST_COMPILE and linker py
run on the evaluator), the config flags reaching Go, Out(borrow=True),
profiles, the generated source, fallbacks, odd names, bad calls, and two
processes compiling at once. Results are compared with the evaluator."""

import json
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T
from theanogo import _lib, config
from theanogo.compile.function import _mode_options

# The library has the C++ backend once pyapi exports its source (cxx-core).
HAS_CXX = hasattr(_lib._lib, "tg_function_source")
needs_cxx = pytest.mark.skipif(not HAS_CXX, reason="libtheanogo.so predates the C++ backend")


def evaluator(inputs, outputs, **kw):
    return theanogo.function(inputs, outputs, mode="FAST_COMPILE", **kw)


# --- which backend runs -------------------------------------------------------------

@needs_cxx
def test_default_and_fast_run_compile_to_cxx():
    x = T.dvector("x")
    for mode in (None, "FAST_RUN", theanogo.Mode(linker="c"), theanogo.Mode(linker="cvm"), theanogo.Mode("vm")):
        f = theanogo.function([x], x + 1, mode=mode)
        assert f.backend == f.maker.backend == f.maker.linker == "cxx", mode
        np.testing.assert_array_equal(f(np.arange(3.0)), [1.0, 2.0, 3.0])
    assert f.maker.describe_backend().startswith("cxx")
    assert "tg_fn_" in f.maker.source and f.maker.source == theanogo.printing.source(f)


def test_fast_compile_and_linker_py_run_on_the_evaluator():
    x = T.dvector("x")
    for mode in ("FAST_COMPILE", theanogo.Mode(linker="py"), theanogo.Mode(linker="py", optimizer="fast_run")):
        f = theanogo.function([x], x * 2, mode=mode)
        assert f.backend == "evaluator" and f.maker.describe_backend() == "evaluator"
        assert f.maker.source == "" and f.maker.evaluator_nodes == []
        np.testing.assert_array_equal(f(np.arange(3.0)), [0.0, 2.0, 4.0])


def test_debug_mode_calls_the_go_side():
    x = T.dvector("x")
    f = theanogo.function([x], T.exp(x).sum(), mode="DebugMode")
    assert f.maker.mode == "DebugMode"
    assert float(f(np.zeros(4))) == 4.0


# --- the mode options Go receives ---------------------------------------------------

def test_backend_flags_reach_the_mode_options():
    _, options = _mode_options("FAST_RUN")
    assert "cxx" not in options  # unset: Go finds a compiler
    assert options["cxx_fallback"] == "warn" and options["profile"] is False
    assert options["cxxflags"] == config.gcc__cxxflags and isinstance(options["blas"], str)
    with config.change_flags(cxx="", gcc__cxxflags="-O1", cxx_fallback="raise", compiledir="/tmp/tg-cache"):
        _, options = _mode_options("FAST_RUN", profile=True)
        assert options["cxx"] == "" and options["cxxflags"] == "-O1" and options["cxx_fallback"] == "raise"
        assert options["cache_dir"] == "/tmp/tg-cache" and options["profile"] is True
        json.dumps(options)
    assert not config.is_set("cxx") and config.cxx == ""  # change_flags restores "unset"
    with pytest.raises(ValueError, match="cxx_fallback"):
        config.cxx_fallback = "ignore"


def test_theano_dotted_flag_names():
    env = dict(os.environ, THEANO_FLAGS="gcc.cxxflags=-O1 -g,cxx=,profile=True")
    code = ("from theanogo import config; "
            "print(repr(config.gcc__cxxflags), config.is_set('cxx'), repr(config.cxx), config.profile)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["'-O1", "-g'", "True", "''", "True"]


# --- Out(borrow=True) ---------------------------------------------------------------

@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE"])
def test_borrowed_output_reuses_memory(mode):
    x = T.dvector("x")
    f = theanogo.function([x], theanogo.Out(x * 2 + 1, borrow=True), mode=mode)
    a = f(np.zeros(1000))
    b = f(np.ones(1000))
    assert np.shares_memory(a, b)
    np.testing.assert_array_equal(b, np.full(1000, 3.0))
    # without borrow: a new array each call
    g = theanogo.function([x], x * 2 + 1, mode=mode)
    assert not np.shares_memory(g(np.zeros(3)), g(np.zeros(3)))


def test_out_mixed_with_variables_and_import_paths():
    from theanogo.compile import Out as Out1
    from theanogo.compile.io import Out as Out2
    assert Out1 is Out2 is theanogo.Out
    x = T.dvector("x")
    f = theanogo.function([x], [theanogo.Out(x + 1, borrow=True), x * 3, theanogo.Out(x - 1)])
    r1 = f(np.zeros(4))
    kept = [r.copy() for r in r1]
    r2 = f(np.ones(4))
    assert np.shares_memory(r1[0], r2[0])
    assert not np.shares_memory(r1[1], r2[1]) and not np.shares_memory(r1[2], r2[2])
    np.testing.assert_array_equal(r1[1], kept[1])
    for got, want in zip(r2, [2.0, 3.0, 0.0]):
        np.testing.assert_array_equal(got, np.full(4, want))


def test_borrowed_output_passed_back_as_input():
    x = T.dvector("x")
    f = theanogo.function([x], theanogo.Out(x + 1, borrow=True))
    a = f(np.zeros(5))
    b = f(a)  # never written into its own input
    np.testing.assert_array_equal(a, np.ones(5))
    np.testing.assert_array_equal(b, np.full(5, 2.0))
    c = f(b)
    np.testing.assert_array_equal(c, np.full(5, 3.0))


def test_borrowed_output_never_overwrites_a_shared_value():
    x = T.dvector("x")
    s = theanogo.shared(np.zeros(4), name="s")
    f = theanogo.function([x], theanogo.Out(x + s, borrow=True))
    a = f(np.ones(4))
    s.set_value(a, borrow=True)  # the output becomes s's value
    b = f(np.full(4, 10.0))
    np.testing.assert_array_equal(s.get_value(), np.ones(4))
    np.testing.assert_array_equal(b, np.full(4, 11.0))
    other = theanogo.function([x], theanogo.Out(x * 0, borrow=True))
    kept = other(np.ones(4))
    t = theanogo.shared(kept, borrow=True)
    other(np.ones(4))
    assert t.get_value(borrow=True) is kept


def test_borrowed_output_survives_pickle_and_copy():
    import pickle
    x = T.dvector("x")
    f = theanogo.function([x], theanogo.Out(x + 1, borrow=True))
    for g in (pickle.loads(pickle.dumps(f)), f.copy()):
        a, b = g(np.zeros(3)), g(np.zeros(3))
        assert np.shares_memory(a, b)


# --- profile ------------------------------------------------------------------------

def test_profile_object_and_summary(capsys):
    x = T.dvector("x")
    f = theanogo.function([x], T.exp(x).sum() + T.tanh(x).max(), profile=True, name="prof")
    g = theanogo.function([x], x + 1)
    assert g.profile is None
    with config.change_flags(profile=True):
        assert theanogo.function([x], x + 1).profile is not None
    for _ in range(3):
        f(np.ones(100))
    f.profile.summary()
    err = capsys.readouterr().err
    assert err.startswith("Function profile prof (backend: ")
    if f.backend == "cxx":
        records = f.profile.nodes()
        assert records and all({"node", "op", "source", "ns", "calls"} <= set(r) for r in records)
        assert all(r["calls"] == 3 for r in records)
        times = [float(line.split()[2]) for line in err.splitlines()[3:] if "%" in line]
        assert times == sorted(times, reverse=True)
        text = theanogo.printing.debugprint(f, file="str", print_profile=True)
        assert " ms " in text and "calls" in text


# --- fallbacks and the source -------------------------------------------------------

@needs_cxx
def test_no_compiler_warns_and_runs_on_the_evaluator():
    x = T.dvector("x")
    with config.change_flags(cxx="", cxx_fallback="warn"):
        with pytest.warns(UserWarning) as record:
            f = theanogo.function([x], x * 3)
    assert f.backend == "evaluator"
    assert any("compiler" in str(w.message).lower() for w in record)
    np.testing.assert_array_equal(f(np.arange(3.0)), [0.0, 3.0, 6.0])


@needs_cxx
def test_no_compiler_with_raise_raises():
    x = T.dvector("x")
    with config.change_flags(cxx="", cxx_fallback="raise"):
        with pytest.raises(Exception, match="(?i)compiler"):
            theanogo.function([x], x * 3)


@needs_cxx
def test_a_compile_error_names_the_kept_source(tmp_path):
    x = T.dvector("x")
    with config.change_flags(gcc__cxxflags="-DTG_NO_SUCH -include /no/such/header.h", cxx_fallback="warn",
                             compiledir=str(tmp_path)):
        with pytest.warns(UserWarning) as record:
            f = theanogo.function([x], x * 5)
    assert f.backend == "evaluator"
    message = " ".join(str(w.message) for w in record)
    assert "header.h" in message and "source" in message.lower()  # the compiler's message, the kept source
    np.testing.assert_array_equal(f(np.ones(2)), [5.0, 5.0])


@needs_cxx
def test_print_source_switch(capfd):
    x = T.dvector("x")
    with config.change_flags(cxx_print_source=True):
        f = theanogo.function([x], x + 2)
    err = capfd.readouterr().err
    assert f.maker.source and f.maker.source in err


@needs_cxx
def test_odd_variable_names_compile_and_compute():
    name = 'x */ y\n"q" \\ z /* \\n'
    x = T.dvector(name)
    y = (x * 2).sum()
    y.name = "*/\n#include <nothing>\n\"\\"
    f = theanogo.function([x], y + 1)
    assert f.backend == "cxx"
    assert float(f(np.arange(4.0))) == 13.0


# --- bad calls: same exceptions as the evaluator, shared variables unchanged --------

BAD_CALLS = [
    ("rank", lambda: [np.zeros((2, 2))]),
    ("dtype", lambda: [np.array(["a", "b"])]),
    ("length", lambda: [np.zeros(3)]),  # x + s needs length 4
    ("index", lambda: [np.zeros(4), 7]),
]


@pytest.mark.parametrize("case", [c[0] for c in BAD_CALLS])
def test_bad_calls_raise_like_the_evaluator_and_change_nothing(case):
    args = dict(BAD_CALLS)[case]
    x, i = T.dvector("x"), T.lscalar("i")
    errors = []
    for mode in ("FAST_RUN", "FAST_COMPILE"):
        s = theanogo.shared(np.arange(4.0), name="s")
        f = theanogo.function([x, i], (x + s)[i], updates=[(s, s * 2 + x)], mode=mode, on_unused_input="ignore")
        call = args()
        if len(call) == 1:
            call.append(0)
        with pytest.raises(Exception) as info:
            f(*call)
        errors.append(type(info.value))
        np.testing.assert_array_equal(s.get_value(), np.arange(4.0))
        f(np.ones(4), 1)  # and it still works
        np.testing.assert_array_equal(s.get_value(), np.arange(4.0) * 2 + 1)
    assert errors[0] is errors[1], errors


# --- two processes compiling the same function at once ------------------------------

def test_two_processes_compile_the_same_function(tmp_path):
    script = textwrap.dedent("""
        import sys, numpy as np, theanogo, theanogo.tensor as T
        x = T.dmatrix("x")
        f = theanogo.function([x], (T.tanh(x) * 3 + 1).sum(axis=0))
        v = np.arange(6.0).reshape(2, 3)
        assert np.allclose(f(v), (np.tanh(v) * 3 + 1).sum(axis=0))
        print(f.backend)
    """)
    env = dict(os.environ, THEANOGO_CACHE_DIR=str(tmp_path / "cache"))
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
    backends = {out.strip() for out, _ in outs}
    assert backends == ({"cxx"} if HAS_CXX else {"evaluator"})


def test_unoptimized_graphs_compile_to_cxx():
    # optimizer=None keeps shape(softmax(z)) nodes (from the gradient of
    # categorical_crossentropy): the kernel's shape phase must read them
    # from the symbolic shapes, not compute softmax, so no fallback.
    z, y = T.dmatrix("z"), T.lvector("y")
    cost = T.mean(T.nnet.categorical_crossentropy(T.nnet.softmax(z), y))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = theanogo.function([z, y], [cost, theanogo.grad(cost, z)], mode=theanogo.Mode(optimizer=None))
    assert f.backend == "cxx" and f.maker.evaluator_nodes == []
    zv = np.array([[1.0, -1.0, 0.5], [-0.5, 0.0, 1.0]])
    c, g = f(zv, np.array([1, 0]))
    p = np.exp(zv) / np.exp(zv).sum(1, keepdims=True)
    np.testing.assert_allclose(c, -np.log(p[[0, 1], [1, 0]]).mean())
    np.testing.assert_allclose(g, (p - np.eye(3)[[1, 0]]) / 2, atol=1e-12)
