"""Threads and shared variables (theanogo._rt, DESIGN.md decisions 2 and 3):
an in-place update never overwrites a value another thread is reading, no
update is lost, and a call whose work is large releases the GIL even when
its inputs are small."""

import copy
import pickle
import sys
import threading
import time

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T

N = 2 ** 21  # 16 MiB of float64: the kernel runs without the GIL


def _run(*targets):
    """Runs each target in its own thread; re-raises the first error."""
    errors = []

    def wrap(fn):
        def run():
            try:
                fn()
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)
        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _one_generation(value, what):
    """Every element of value is equal: it was read from one generation of w."""
    lo, hi = float(value.min()), float(value.max())
    assert lo == hi, f"{what} mixed two generations of w: min {lo}, max {hi}"
    return lo


def _incrementer():
    w = theanogo.shared(np.zeros(N), name="w")
    inc = theanogo.function([], [], updates=[(w, w + 1)])
    assert inc.maker.backend != "cxx" or inc._compiled.info["inplace"] == [True]
    return w, inc



def _increment(inc, n, done):
    """Calls inc n times, then sets done (also when a call raises)."""
    try:
        for _ in range(n):
            inc()
    finally:
        done.set()

def test_in_place_update_never_tears_a_concurrent_read():
    w, inc = _incrementer()
    read = theanogo.function([], w * 1.0)
    n_updates, n_reads = 150, 300
    seen = []
    done = threading.Event()

    def writer():
        _increment(inc, n_updates, done)

    def reader():
        for _ in range(n_reads):
            seen.append(_one_generation(read(), "a function's result"))
            if done.is_set() and len(seen) > 20:
                break

    _run(writer, reader)
    assert float(w.get_value()[0]) == n_updates
    _one_generation(w.get_value(), "the final value")
    assert seen == sorted(seen)  # generations only go forward


@pytest.mark.parametrize("how", ["copy", "borrow", "deepcopy", "pickle"])
def test_in_place_update_never_tears_get_value(how):
    w, inc = _incrementer()
    read = {
        "copy": lambda: w.get_value(),
        # the stored array itself: a writer in flight finishes first, and no
        # later in-place update writes into it while it is held
        "borrow": lambda: w.get_value(borrow=True).copy(),
        "deepcopy": lambda: copy.deepcopy(w).get_value(borrow=True),
        "pickle": lambda: pickle.loads(pickle.dumps(w)).get_value(borrow=True),
    }[how]
    n_updates = 100
    done = threading.Event()

    def writer():
        _increment(inc, n_updates, done)

    def reader():
        reads = 0
        while not done.is_set() or reads < 5:
            _one_generation(read(), f"get_value ({how})")
            reads += 1

    _run(writer, reader)
    assert float(w.get_value()[0]) == n_updates


def test_set_value_is_not_lost_inside_an_update():
    """A set_value while an update is in flight is ordered before or after
    it, never overwritten by an update computed from the value before it."""
    w, inc = _incrementer()
    n_updates = 300
    done = threading.Event()

    def writer():
        _increment(inc, n_updates, done)

    def setter():
        i = 0
        while not done.is_set():
            i += 1
            w.set_value(np.full(N, -1000.0 * i), borrow=True)
            time.sleep(0.002)  # let an update in flight commit
            # later updates may have added to it, but none computed from
            # the value before the set_value may have replaced it
            now = float(w.get_value(borrow=True)[0])
            assert -1000.0 * i <= now <= -1000.0 * i + n_updates, f"set_value({-1000.0 * i}) was lost: {now}"

    _run(writer, setter)
    _one_generation(w.get_value(), "the final value")


def test_threads_lose_no_update():
    """Several threads call the same and different functions over shared
    variables (in place and not, large enough to run without the GIL), with
    readers among them: the final values count every call."""
    m = 1 << 15  # 256 KiB of float64
    a = theanogo.shared(np.zeros(m), name="a")
    b = theanogo.shared(np.zeros(m), name="b")
    inc_a = theanogo.function([], [], updates=[(a, a + 1)])
    inc_b = theanogo.function([], [], updates=[(b, b + 1)])
    inc_ab = theanogo.function([], [], updates=[(a, a + 1), (b, b + 2)])
    total = theanogo.function([], a + b)  # a reader of both
    x = T.dvector("x")
    add_x = theanogo.function([x], a.sum(), updates=[(a, a + x)])
    n = 600

    def work(fns):
        def run():
            for i in range(n):
                fns[i % len(fns)]()
        return run

    ones = np.ones(m)
    _run(work([inc_a, inc_ab]), work([inc_ab, inc_b]), work([inc_a]),
         work([lambda: _one_generation(total(), "a + b"), inc_b]),
         work([lambda: add_x(ones), lambda: _one_generation(a.get_value(), "a")]))
    # calls: inc_a n/2 + n, inc_ab n/2 + n/2, inc_b n/2 + n/2, add_x n/2
    np.testing.assert_array_equal(a.get_value(), np.full(m, n / 2 + n + n + n / 2))
    np.testing.assert_array_equal(b.get_value(), np.full(m, 2 * n + n / 2 + n / 2))


def _progress_during_calls(f, args, calls=10):
    """Iterations a second Python thread makes while this thread calls
    f(*args) `calls` times. The switch interval is made huge, so that the
    interpreter never forces the GIL from this thread between calls: the
    other thread (which gives the GIL up at each iteration) runs only while
    a call has released it."""
    f(*args)  # compile, warm the workspace
    stop = threading.Event()
    started = threading.Event()
    count = [0]

    def spin():
        started.set()
        while not stop.is_set():
            count[0] += 1
            time.sleep(0.0001)  # gives the GIL up

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    t = threading.Thread(target=spin)
    try:
        t.start()
        started.wait()
        before = count[0]  # from here on this thread keeps the GIL, except inside f
        for _ in range(calls):
            f(*args)
        during = count[0] - before
    finally:
        stop.set()
        sys.setswitchinterval(interval)
        t.join()
    return during


def test_progress_is_zero_when_the_gil_is_held():
    """The measurement itself: a call that keeps the GIL lets the other
    thread make no progress."""
    x = T.dvector("x")
    f = theanogo.function([x], x + 1)
    assert _progress_during_calls(f, (np.ones(10),), calls=2000) == 0


@pytest.mark.parametrize("what", ["outer", "zeros_like"])
def test_small_inputs_large_result_release_the_gil(what):
    """A call on small inputs that writes a large result (or a large
    intermediate) runs without the GIL: another Python thread makes
    progress while it runs."""
    x = T.dvector("x")
    values = np.linspace(0, 1, 3000)
    outer = x.dimshuffle(0, "x") * x.dimshuffle("x", 0)  # 3000 x 3000 from 3000 values
    if what == "outer":
        f = theanogo.function([x], T.exp(outer))
        args = (values,)
    else:
        s = T.dscalar("s")
        f = theanogo.function([x, s], (T.zeros_like(outer) + T.exp(outer * s)).sum(axis=0))
        args = (values, 2.0)
    if f.maker.backend != "cxx":
        pytest.skip("the C++ kernel reports its work; the evaluator is judged by its inputs")
    assert sum(np.asarray(a).nbytes for a in args) <= 65536  # the input rule alone would keep the GIL
    during = _progress_during_calls(f, args)
    assert during > 0, "the other thread never ran during the calls"
