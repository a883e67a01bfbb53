"""The fuzzer's threaded mode: several threads call the same and different
compiled functions that share variables updated in place.

Every shared variable holds a constant array (all elements equal) and every
update adds a whole number to all of it, so every consistent state is
recognizable: an output that reads a variable must be constant too (a torn
read mixes two states), hold a whole number no larger than the increments
made so far, and after the run each variable must equal the sum of the
increments made (a lost update leaves it short). The arrays hold more than
64 KiB so that the kernels run with the GIL released (README: smaller calls
keep it).
"""

import threading

import numpy as np

import theanogo as theano
import theanogo.tensor as T

N = 20000          # float64 elements: 160 KB
ITERS = 60
THREADS = 4


def build(mode):
    a = theano.shared(np.zeros(N), name="a")
    b = theano.shared(np.zeros((100, N // 100)), name="b")
    c = theano.shared(np.zeros(N, dtype="int64"), name="c")
    fns = {
        # name: (function, increments of (a, b, c), what each output reads)
        "inc_a": (theano.function([], [a * 2], updates=[(a, a + 1)], mode=mode), (1, 0, 0), ["2a"]),
        "inc_ab": (theano.function([], [a + 0.5, b.T * 1], updates=[(a, a + 2), (b, b + 1)], mode=mode),
                   (2, 1, 0), ["a+.5", "b"]),
        "read": (theano.function([], [T.exp(a * 0) * a, b.sum(axis=1), c * 3], mode=mode), (0, 0, 0),
                 ["a", "rowsum b", "3c"]),
        "inc_sub": (theano.function([], [c[::-1] + 0], updates=[(c, T.inc_subtensor(c[:], 1)),
                                                                 (b, T.inc_subtensor(b[:], 1))], mode=mode),
                    (0, 1, 1), ["c"]),
        "x_and_a": (None, (1, 0, 0), ["x+a"]),
    }
    x = T.dvector("x")
    fns["x_and_a"] = (theano.function([x], [x + a], updates=[(a, a + 1)], mode=mode), (1, 0, 0), ["x+a"])
    return (a, b, c), fns


def scale_of(label, b_cols):
    return {"2a": 2.0, "a+.5": 1.0, "b": 1.0, "a": 1.0, "rowsum b": float(b_cols), "3c": 3.0, "c": 1.0,
            "x+a": 1.0}[label]


def run(mode="FAST_RUN", seed=0, iters=ITERS, threads=THREADS):
    """Returns a list of failure messages."""
    (a, b, c), fns = build(mode)
    names = sorted(fns)
    fails = []
    lock = threading.Lock()
    counts = {"a": 0, "b": 0, "c": 0}
    xval = np.full(N, 0.25)

    def worker(k):
        rng = np.random.default_rng(seed * 100 + k)
        for i in range(iters):
            # threads 0 and 1 hammer the same function; the others mix
            name = "inc_ab" if k < 2 and i % 2 == 0 else names[int(rng.integers(len(names)))]
            f, inc, labels = fns[name]
            try:
                out = f(xval) if name == "x_and_a" else f()
            except Exception as e:  # noqa: BLE001 - a crash in a thread is a finding
                with lock:
                    fails.append("%s: %s: %s" % (name, type(e).__name__, e))
                return
            with lock:
                counts["a"] += inc[0]
                counts["b"] += inc[1]
                counts["c"] += inc[2]
                bound = dict(counts)
            for o, label in zip(out, labels):
                o = np.asarray(o, dtype=np.float64)
                if label == "x+a":
                    o = o - 0.25
                if label == "a+.5":
                    o = o - 0.5
                flat = o.ravel()
                if flat.size and not np.all(flat == flat[0]):
                    vals = np.unique(flat)
                    with lock:
                        fails.append("%s output %s: torn read, %d distinct values %s" % (
                            name, label, len(vals), vals[:6]))
                    continue
                v = flat[0] / scale_of(label, b.get_value(borrow=True).shape[1])
                var = "b" if "b" in label else "c" if "c" in label else "a"
                if v != int(v) or v < 0 or v > bound[var] + 0.0:
                    with lock:
                        fails.append("%s output %s: %r is no consistent state (%s incremented %d times so far)" % (
                            name, label, v, var, bound[var]))

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for var, sv in (("a", a), ("b", b), ("c", c)):
        v = sv.get_value()
        if not np.all(v == counts[var]):
            vals = np.unique(v)
            fails.append("%s after the run: %s, want all %d (lost or torn updates)" % (var, vals[:6], counts[var]))
    return ["%s: %s" % (mode if isinstance(mode, str) else "evaluator", f) for f in fails]


def run_all(iters=ITERS):
    fails = []
    for mode in ("FAST_RUN", theano.Mode(linker="py", optimizer="fast_run")):
        for seed in range(2):
            fails += run(mode, seed, iters)
    return fails


if __name__ == "__main__":
    msgs = run_all()
    print("\n".join(msgs) or "threads: ok")
