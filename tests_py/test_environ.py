"""Environment variables set in os.environ before ``import theanogo`` reach
the Go library (which, loaded as a shared library, copies the environment
the process started with): the kernel cache, the flags Go reads itself."""

import glob
import os
import subprocess
import sys
import textwrap


def run(env, *parts):
    """Run the script made of parts (each dedented on its own)."""
    script = "\n".join(textwrap.dedent(p) for p in parts)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, env=env)
    assert out.returncode == 0, out.stderr
    return out


def kernels(cache):
    return glob.glob(os.path.join(cache, "lib", "*", "tg_fn_*.so"))


COMPILE = """
    import numpy as np, theanogo, theanogo.tensor as T
    x = T.dvector("x")
    f = theanogo.function([x], T.exp(x) * 3 - 1)
    assert f.backend == "cxx", f.backend
    np.testing.assert_allclose(f(np.arange(3.0)), np.exp(np.arange(3.0)) * 3 - 1)
"""


def test_cache_dir_set_in_os_environ(tmp_path):
    # The process starts without THEANOGO_CACHE_DIR (its default cache is
    # under XDG_CACHE_HOME); the program sets it before the import. (A
    # variable the process started with and that the program changes was
    # seen before, by accident: glibc overwrites the original environment
    # array in place, which Go copied at load; a new one or a deletion was
    # not.)
    wanted, started = str(tmp_path / "wanted"), str(tmp_path / "started")
    env = dict(os.environ, XDG_CACHE_HOME=started)
    env.pop("THEANOGO_CACHE_DIR", None)
    run(env, f"""
        import os
        os.environ["THEANOGO_CACHE_DIR"] = {wanted!r}
    """, COMPILE)
    assert kernels(wanted)
    assert not kernels(os.path.join(started, "theanogo"))


def test_variable_deleted_from_os_environ(tmp_path):
    # Deleting THEANOGO_CACHE_DIR before the import falls back to
    # XDG_CACHE_HOME, also set there.
    xdg, started = str(tmp_path / "xdg"), str(tmp_path / "started")
    env = dict(os.environ, THEANOGO_CACHE_DIR=started)
    env.pop("XDG_CACHE_HOME", None)
    run(env, f"""
        import os
        del os.environ["THEANOGO_CACHE_DIR"]
        os.environ["XDG_CACHE_HOME"] = {xdg!r}
    """, COMPILE)
    assert kernels(os.path.join(xdg, "theanogo"))
    assert not kernels(started)


def test_flags_set_in_os_environ(tmp_path):
    # cxx_print_source is read by Go (codegen/cxx) from THEANOGO_FLAGS; the
    # Python flags come from the same variable.
    env = dict(os.environ, THEANOGO_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("THEANOGO_FLAGS", None)
    env.pop("THEANO_FLAGS", None)
    out = run(env, """
        import os
        os.environ["THEANOGO_FLAGS"] = "cxx_print_source=True,compiledir_max_size=64M"
        os.environ["THEANO_FLAGS"] = "floatX=float32"
    """, COMPILE, """
        assert theanogo.config.floatX == "float32", theanogo.config.floatX
        assert theanogo.config.compiledir_max_size == 64 << 20
    """)
    assert "generated C++" in out.stderr
    assert out.stderr.count("generated C++") == 1, out.stderr  # Go prints it, Python does not again


def test_cache_size_limit_evicts_least_recently_used(tmp_path):
    # compiledir_max_size=1: each new kernel evicts the others (once a
    # minute at most: the test makes the last eviction old). A function
    # whose module was evicted keeps working: its module stays mapped.
    cache = str(tmp_path / "cache")
    env = dict(os.environ, THEANOGO_CACHE_DIR=cache, THEANOGO_FLAGS="compiledir_max_size=1")
    env.pop("THEANO_FLAGS", None)
    run(env, f"""
        import glob, os, numpy as np, theanogo, theanogo.tensor as T
        def kernels():
            return sorted(glob.glob(os.path.join({cache!r}, "lib", "*", "tg_fn_*.so")))
        def age_stamp():
            os.utime(os.path.join({cache!r}, "last-eviction"), (0, 0))
        x = T.dvector("x")
        v = np.arange(4.0)
        f = theanogo.function([x], x * 2 + 1)
        first = kernels()
        assert len(first) == 1, first
        age_stamp()
        g = theanogo.function([x], T.exp(x) - 7)
        second = kernels()
        assert len(second) == 1 and second != first, (first, second)
        np.testing.assert_allclose(f(v), v * 2 + 1)   # evicted, still loaded
        np.testing.assert_allclose(g(v), np.exp(v) - 7)
        del f
        age_stamp()
        f = theanogo.function([x], x * 2 + 1)         # compiled again
        assert kernels() == first, (first, kernels())
        np.testing.assert_allclose(f(v), v * 2 + 1)
    """)
