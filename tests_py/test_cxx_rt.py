"""theanogo._rt with a hand-written kernel (rt_add_one.c, the loop a
generated kernel runs for x + 1): borrowed outputs, the GIL policy, errors,
threads. Independent of the Go backend: the kernel is compiled here."""

import ctypes
import shutil
import subprocess
import sys
import threading

import numpy as np
import pytest

import theanogo
from theanogo import _lib, _rt

HERE = __file__.rsplit("/", 1)[0]
F8 = np.dtype("float64").num

compiler = shutil.which("cc") or shutil.which("gcc")
pytestmark = pytest.mark.skipif(compiler is None, reason="needs a C compiler")


@pytest.fixture(scope="module")
def add_one(tmp_path_factory):
    """The address of rt_add_one.c's kernel and its call counter."""
    so = str(tmp_path_factory.mktemp("rt") / "rt_add_one.so")
    subprocess.check_call([compiler, "-O2", "-shared", "-fPIC", f"-I{HERE}/../codegen/runtime",
                           f"{HERE}/rt_add_one.c", "-o", so])
    lib = ctypes.CDLL(so)
    counter = ctypes.c_int64(0)
    return ctypes.cast(lib.add_one, ctypes.c_void_p).value, counter, lib


def kernel(add_one, **kw):
    address, counter, _ = add_one
    fn = _rt.Kernel(kernel_address=address, function=ctypes.addressof(counter), input_types=[(F8, (-1,))], n_args=1,
                    containers=(), result_typenums=[F8], update_targets=[], n_outputs=1, single=True,
                    fallback=lambda self, i, v: np.ascontiguousarray(v, dtype="float64"),
                    raise_error=_lib.raise_error, keywords=lambda *a: None, **kw)
    return fn


def test_new_array_each_call_without_borrow(add_one):
    k = kernel(add_one)
    a, b = k(np.zeros(4)), k(np.zeros(4))
    assert not np.shares_memory(a, b)
    np.testing.assert_array_equal(a, np.ones(4))


def test_borrowed_output_reuses_the_previous_array(add_one):
    k = kernel(add_one, output_borrow=[True])
    a = k(np.zeros(1000))
    first = a.copy()
    b = k(np.full(1000, 2.0))
    assert np.shares_memory(a, b)
    np.testing.assert_array_equal(first, np.ones(1000))
    np.testing.assert_array_equal(b, np.full(1000, 3.0))
    c = k(np.zeros(7))  # another shape: a new array
    assert not np.shares_memory(c, b) and c.shape == (7,)
    np.testing.assert_array_equal(k(np.arange(7.0)), np.arange(7.0) + 1)


def test_borrowed_output_is_never_an_input_of_the_call(add_one):
    k = kernel(add_one, output_borrow=[True])
    a = k(np.zeros(5))
    b = k(a)  # the kept array is the input: the kernel gets new memory
    assert not np.shares_memory(a, b)
    np.testing.assert_array_equal(a, np.ones(5))
    np.testing.assert_array_equal(b, np.full(5, 2.0))
    c = k(b[::-1].copy())
    np.testing.assert_array_equal(c, np.full(5, 3.0))


def test_borrowed_output_stored_in_a_shared_variable_is_forgotten(add_one):
    k = kernel(add_one, output_borrow=[True])
    a = k(np.zeros(3))
    s = theanogo.shared(np.zeros(3))
    s.set_value(a, borrow=True)
    assert s.get_value(borrow=True) is a
    b = k(np.full(3, 5.0))
    assert not np.shares_memory(a, b)
    np.testing.assert_array_equal(s.get_value(), np.ones(3))
    c = k(np.zeros(3))
    t = theanogo.shared(c, borrow=True)  # a new shared variable over it: forgotten too
    k(np.full(3, 9.0))
    np.testing.assert_array_equal(t.get_value(), np.ones(3))


def test_read_only_or_viewed_kept_arrays_are_not_written(add_one):
    k = kernel(add_one, output_borrow=[True])
    a = k(np.zeros(3))
    a.flags.writeable = False
    b = k(np.zeros(3))
    assert not np.shares_memory(a, b)


@pytest.mark.parametrize("release", [-1, 0, 1 << 16], ids=["never", "always", "64KiB"])
def test_gil_policies_compute_the_same(add_one, release):
    k = kernel(add_one, release_gil_bytes=release)
    for n in (0, 1, 1000, 20000):
        x = np.random.default_rng(n).random(n)
        np.testing.assert_array_equal(k(x), x + 1)


def waiting_kernel(add_one, report, **kw):
    """rt_add_one.c's add_one_waiting, reporting `report` bytes of work:
    each call waits for another thread to set its flag."""
    _, _, lib = add_one
    state = (ctypes.c_int64 * 2)(report, 0)
    fn = _rt.Kernel(kernel_address=ctypes.cast(lib.add_one_waiting, ctypes.c_void_p).value,
                    function=ctypes.addressof(state), input_types=[(F8, (-1,))], n_args=1, containers=(),
                    result_typenums=[F8], update_targets=[], n_outputs=1, single=True,
                    fallback=lambda self, i, v: v, raise_error=_lib.raise_error, keywords=lambda *a: None, **kw)
    return fn, state


def call_with_a_helper(k, state, x):
    """Calls k(x) while another thread waits to set the kernel's flag (only
    possible while the call has released the GIL)."""
    stop = threading.Event()

    def helper():
        while not stop.is_set():
            if state[1] == 0:
                state[1] = 1
            stop.wait(0.001)

    t = threading.Thread(target=helper)
    t.start()
    try:
        return k(x)
    finally:
        stop.set()
        t.join()


@pytest.mark.parametrize("report", [(1 << 16) + 1, 1 << 40])
def test_reported_work_releases_the_gil(add_one, report):
    """A kernel with small inputs that reports large work (tg_args.work)
    runs the rest of the call without the GIL; its allocation afterwards
    takes the GIL back."""
    k, state = waiting_kernel(add_one, report)
    for n in (0, 3, 1000):
        x = np.arange(float(n))
        np.testing.assert_array_equal(call_with_a_helper(k, state, x), x + 1)


@pytest.mark.parametrize("report,release", [(0, 1 << 16), (1 << 40, -1)], ids=["small", "never"])
def test_small_reported_work_keeps_the_gil(add_one, report, release):
    k, state = waiting_kernel(add_one, report, release_gil_bytes=release)
    with pytest.raises(RuntimeError, match="no other thread ran"):
        call_with_a_helper(k, state, np.zeros(3))


def test_threads_calling_one_borrowing_kernel(add_one):
    """Concurrent calls of one kernel with a borrowed output: each call
    takes the kept array for itself (a concurrent call gets new memory),
    and a borrowed result may be overwritten by any later call, from any
    thread (Theano's contract), so every element holds some call's value."""
    k = kernel(add_one, output_borrow=[True], release_gil_bytes=0)
    seen = []

    def work(value):
        x = np.full(50_000, float(value))
        for _ in range(200):
            seen.append(np.unique(k(x)))

    threads = [threading.Thread(target=work, args=(v,)) for v in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(np.concatenate(seen)) <= {1.0, 2.0, 3.0, 4.0}
    np.testing.assert_array_equal(k(np.zeros(3)), np.ones(3))


def test_refcounts_stay_flat(add_one):
    k = kernel(add_one, output_borrow=[True])
    x = np.zeros(10)
    before = sys.getrefcount(x)
    for _ in range(1000):
        k(x)
    assert sys.getrefcount(x) == before


def test_bad_kernel_arguments():
    with pytest.raises(ValueError, match="output_borrow"):
        _rt.Kernel(kernel_address=_lib.EVAL_KERNEL, function=0, input_types=[], n_args=0, containers=(),
                   result_typenums=[F8], update_targets=[], n_outputs=1, single=True, fallback=print,
                   raise_error=print, keywords=print, output_borrow=[True, False])
    assert _rt.release_borrowed(object()) is None
