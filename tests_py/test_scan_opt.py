"""The scan rewrites (core/compile/scan_hoist.go, scan_save_mem.go) and the
in-place loop: FAST_RUN (the rewrites, the C++ loop) against FAST_COMPILE
(no rewrite, the Go evaluator) and numpy, cases where a rewrite must not
fire, gradients through rewritten scans, and the memory a long
accumulator keeps."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T

MODES = ["FAST_RUN", "FAST_COMPILE"]


def run_both(inputs, outputs, *args, updates=None):
    """FAST_RUN's function (its loop native) and results, checked against
    FAST_COMPILE's."""
    fast = theanogo.function(inputs, outputs, updates=updates, mode="FAST_RUN")
    assert fast.backend == "cxx" and fast.maker.evaluator_nodes == [], fast.maker.evaluator_nodes
    ref = theanogo.function(inputs, outputs, updates=updates, mode="FAST_COMPILE")
    got, want = fast(*args), ref(*args)
    for g, w in zip(got, want) if isinstance(got, list) else [(got, want)]:
        tol = 1e-5 if np.asarray(g).dtype == np.float32 else 1e-12
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol)
    return fast, got


def graph_text(f):
    return theanogo.printing.debugprint(f, file="str")


def rnn_numpy(x, h0, W, b):
    h, out = h0, []
    for t in range(x.shape[0]):
        h = np.tanh(h @ (W @ W.T) + x[t] * (b * 2))
        out.append(h)
    return np.array(out)


def build_rnn(dtype):
    x, W = T.matrix("x", dtype=dtype), T.matrix("W", dtype=dtype)
    h0, b = T.vector("h0", dtype=dtype), T.vector("b", dtype=dtype)
    hs, _ = theanogo.scan(lambda x_t, h, W, b: T.tanh(T.dot(h, T.dot(W, W.T)) + x_t * (b * 2)),
                          sequences=x, outputs_info=h0, non_sequences=[W, b])
    return [x, h0, W, b], hs


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("steps,k", [(1, 2), (6, 3), (9, 5)])
def test_hoisted_rnn_matches_numpy(rng, dtype, steps, k):
    inputs, hs = build_rnn(dtype)
    vals = [rng.standard_normal((steps, k)), rng.standard_normal(k), 0.4 * rng.standard_normal((k, k)),
            rng.standard_normal(k)]
    vals = [v.astype(dtype) for v in vals]
    f, got = run_both(inputs, [hs, hs[-1]], *vals)
    want = rnn_numpy(*[v.astype(np.float64) for v in vals])
    tol = 1e-4 if dtype == "float32" else 1e-10
    np.testing.assert_allclose(got[0], want, rtol=tol, atol=tol)
    np.testing.assert_allclose(got[1], want[-1], rtol=tol, atol=tol)
    # the loop reads dot(W, W.T) and b * 2, no longer W and b
    assert "non_seqs=2" in graph_text(f)


def test_shared_weights_hoisted_and_updates(rng):
    """A shared variable read by the step is a non-sequence: its invariant
    work moves out too; a shared update from the step reads the last row."""
    W = theanogo.shared(0.3 * rng.standard_normal((3, 3)), name="W")
    count = theanogo.shared(np.float64(0), name="count")
    x = T.dmatrix("x")
    h0 = T.dvector("h0")

    def step(x_t, h):
        return T.tanh(T.dot(h, W * 3) + x_t), {count: count + 1}

    hs, updates = theanogo.scan(step, sequences=x, outputs_info=h0)
    xv, h0v = rng.standard_normal((5, 3)), rng.standard_normal(3)
    f = theanogo.function([x, h0], hs[-1], updates=updates)
    assert f.backend == "cxx" and f.maker.evaluator_nodes == []
    h, want = h0v, None
    for t in range(5):
        h = np.tanh(h @ (W.get_value() * 3) + xv[t])
    np.testing.assert_allclose(f(xv, h0v), h, rtol=1e-12)
    assert count.get_value() == 5
    text = graph_text(f)
    assert "keep=[2 1]" in text, text  # the state: its initial row and last step; the counter: its last row
    ref = theanogo.function([x, h0], hs[-1], mode="FAST_COMPILE")
    np.testing.assert_allclose(ref(xv, h0v), h, rtol=1e-12)


@pytest.mark.parametrize("fold", ["reduce", "foldl", "foldr"])
def test_folds_keep_two_rows(rng, fold):
    x = T.dvector("x")
    fn = getattr(theanogo, fold)
    s, _ = fn(lambda x_t, acc: acc * 0.5 + x_t, sequences=x, outputs_info=np.float64(0)) \
        if fold == "reduce" else fn(lambda x_t, acc: acc * 0.5 + x_t, x, np.float64(0))
    xv = rng.standard_normal(11)
    f, got = run_both([x], s, xv)
    acc = 0.0
    for v in (xv[::-1] if fold == "foldr" else xv):
        acc = acc * 0.5 + v
    np.testing.assert_allclose(got, acc, rtol=1e-12)
    assert "keep=[2]" in graph_text(f)


@pytest.mark.parametrize("steps", [1, 2, 3, 8])
def test_taps_and_tails(rng, steps):
    """A mit-sot (taps [-1, -2]) read at its last rows, a tail longer than
    the steps, and a nit-sot read at its tail."""
    x = T.dvector("x")
    f0 = T.dvector("f0")
    (fib, sq), _ = theanogo.scan(lambda x_t, a, b: [a + b * x_t, x_t * x_t], sequences=x,
                                 outputs_info=[dict(initial=f0, taps=[-1, -2]), None])
    xv, f0v = rng.standard_normal(steps), rng.standard_normal(2)
    f, got = run_both([x, f0], [fib[-1], fib[-4:], sq[-2:]], xv, f0v)
    hist = list(f0v)
    for t in range(steps):
        hist.append(hist[-1] + hist[-2] * xv[t])
    np.testing.assert_allclose(got[0], hist[-1], rtol=1e-12)
    np.testing.assert_allclose(got[1], hist[2:][-4:], rtol=1e-12)
    np.testing.assert_allclose(got[2], (xv * xv)[-2:], rtol=1e-12)
    assert "keep=[6 2]" in graph_text(f)  # 2 initial rows + 4; the nit-sot's last 2


def test_not_when_the_history_is_read(rng):
    x = T.dvector("x")
    s, _ = theanogo.scan(lambda x_t, acc: acc + x_t, sequences=x, outputs_info=np.float64(0))
    xv = rng.standard_normal(6)
    for outputs in ([s[-1], s], [s[-1], s.sum()], [s[0]], [s[-1], s[1:3]], [s[-1], s[::-1][0]]):
        f, got = run_both([x], outputs, xv)
        assert "keep=" not in graph_text(f), outputs
    np.testing.assert_allclose(got[0], np.cumsum(xv)[-1])
    # its length is computed from n_steps (shape_of), not read from the buffer: the tail is enough
    f, got = run_both([x], [s[-1], s.shape[0]], xv)
    assert "keep=[2]" in graph_text(f) and got[1] == 6


def test_not_when_a_gradient_reads_the_history(rng):
    """The backward loop walks the forward history (kept whole); its own
    carried gradients are read at their last row (kept short)."""
    x, W = T.dmatrix("x"), T.dmatrix("W")
    h0 = T.dvector("h0")
    hs, _ = theanogo.scan(lambda x_t, h, W: T.tanh(T.dot(h, W) + x_t), sequences=x, outputs_info=h0, non_sequences=W)
    loss = (hs[-1] ** 2).sum()
    g = theanogo.grad(loss, W)
    xv, h0v, Wv = rng.standard_normal((5, 3)), rng.standard_normal(3), 0.5 * rng.standard_normal((3, 3))
    f, (lv, gv) = run_both([x, h0, W], [loss, g], xv, h0v, Wv)
    text = graph_text(f)
    forward = [l for l in text.splitlines() if "scan{" in l and "grad_of" not in l]
    backward = [l for l in text.splitlines() if "scan{name=grad_of" in l]
    assert forward and all("keep=" not in l for l in forward), text
    assert backward and all("keep=" in l for l in backward), text
    floss = theanogo.function([x, h0, W], loss)
    num = np.zeros_like(Wv)
    for i in np.ndindex(*Wv.shape):
        d = np.zeros_like(Wv)
        d[i] = 1e-6
        num[i] = (floss(xv, h0v, Wv + d) - floss(xv, h0v, Wv - d)) / 2e-6
    np.testing.assert_allclose(gv, num, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("mode", MODES)
def test_index_past_the_steps_still_raises(mode):
    x = T.dvector("x")
    s, _ = theanogo.scan(lambda x_t, acc: acc + x_t, sequences=x, outputs_info=np.float64(0))
    f = theanogo.function([x], s[-3], mode=mode)
    np.testing.assert_allclose(f(np.arange(4.0)), 1.0)
    with pytest.raises(IndexError):
        f(np.arange(2.0))
    with pytest.raises(IndexError):
        f(np.zeros(0))


def test_in_place_step_with_views_and_repeated_results(rng):
    """Step results that are an input, a view of the state, or the same
    variable twice still land in their rows."""
    x = T.dmatrix("x")
    h0 = T.dvector("h0")
    (a, b, c), _ = theanogo.scan(lambda x_t, h: [h[::-1] + x_t, x_t, h[::-1] + x_t], sequences=x,
                                 outputs_info=[h0, None, None])
    xv, h0v = rng.standard_normal((4, 3)), rng.standard_normal(3)
    _, got = run_both([x, h0], [a, b, c], xv, h0v)
    h, want = h0v, []
    for t in range(4):
        h = h[::-1] + xv[t]
        want.append(h)
    np.testing.assert_allclose(got[0], want, rtol=1e-12)
    np.testing.assert_allclose(got[1], xv)
    np.testing.assert_allclose(got[2], want, rtol=1e-12)


PEAK = textwrap.dedent("""
    import sys, numpy as np, theanogo, theanogo.tensor as T
    def hwm():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    n = T.lscalar("n")
    s0 = T.dvector("s0")
    if sys.argv[2] == "while":  # never stops: runs to its bound
        from theanogo.scan_module import until
        s, _ = theanogo.scan(lambda acc: (acc * 0.999 + 1.0, until(acc[0] < 0)), outputs_info=s0, n_steps=n)
    else:
        s, _ = theanogo.scan(lambda acc: acc * 0.999 + 1.0, outputs_info=s0, n_steps=n)
    excluding = ["scan_save_mem"] if sys.argv[1] == "off" else []
    f = theanogo.function([n, s0], s[-1], mode=theanogo.compile.mode.Mode(optimizer="fast_run").excluding(*excluding))
    f(3, np.zeros(16))
    base = hwm()
    out = f(1_000_000, np.zeros(16))
    assert abs(out[0] - 1000.0 * (1 - 0.999 ** 1_000_000)) < 1e-6, out
    print(hwm() - base)
""")


@pytest.mark.parametrize("kind", ["for", "while"])
def test_million_step_accumulator_keeps_a_few_rows(kind):
    """A 1e6-step accumulator of 16 float64s read at its last step (a for
    loop, and a while loop running to its bound): with scan_save_mem the
    peak grows by far less than the 128 MB history."""
    def peak(flag):
        out = subprocess.run([sys.executable, "-c", PEAK, flag, kind], capture_output=True, text=True, check=True)
        return float(out.stdout.split()[-1])
    on, off = peak("on"), peak("off")
    assert off > 100, off  # the whole history: 1e6 rows of 128 bytes
    assert on < 20, on


@pytest.mark.parametrize("mode", ["FAST_RUN", "DebugMode"])
def test_nested_scan_invariant_leaves_both_loops(rng, mode):
    """W.sum() in an inner reduce's step reads only the outer loop's
    non-sequence: it is computed once, outside both loops; the inner and
    outer folds keep two rows; DebugMode checks every rewrite."""
    X, W = T.dmatrix("X"), T.dmatrix("W")

    def outer_step(row, acc, W):
        s, _ = theanogo.reduce(lambda v, a, W: a + v * W.sum(), sequences=row,
                               outputs_info=T.constant(np.float64(0)), non_sequences=W)
        return acc + s

    tot, _ = theanogo.scan(outer_step, sequences=X, outputs_info=T.constant(np.float64(0)), non_sequences=W)
    Xv, Wv = rng.standard_normal((4, 5)), rng.standard_normal((2, 2))
    f = theanogo.function([X, W], tot[-1], mode=mode)
    np.testing.assert_allclose(f(Xv, Wv), Xv.sum() * Wv.sum(), rtol=1e-12)
    text = graph_text(f)
    assert "keep=[2]" in text, text
    outer_scan = text.split("scan{", 1)[1]
    assert "sum{axis=[0 1]" in outer_scan.split("\n", 1)[1], text  # an input of the outer loop
    g = theanogo.function([X, W], theanogo.grad(tot[-1], W), mode=mode)
    np.testing.assert_allclose(g(Xv, Wv), np.full((2, 2), Xv.sum()), rtol=1e-10)


ODD_STEPS = {
    "non-sequence as a nit-sot": (lambda x_t, h, W: [h + x_t, W]),
    "identity carry": (lambda x_t, h, W: [h, x_t * 2]),
    "constant nit-sot": (lambda x_t, h, W: [h * W + x_t, T.constant(np.ones(3))]),
    "invariant carry": (lambda x_t, h, W: [W * 2, h]),
}


@pytest.mark.parametrize("name", sorted(ODD_STEPS))
@pytest.mark.parametrize("tail", [False, True])
def test_odd_step_results_in_place(rng, name, tail):
    """Step results that are a loop input, a constant, the carried state
    itself, or hoisted out entirely still land in their rows (whole, or in
    rings when only the tail is read)."""
    X, W, h0 = T.dmatrix("X"), T.dvector("W"), T.dvector("h0")
    outs, _ = theanogo.scan(ODD_STEPS[name], sequences=X, outputs_info=[h0, None], non_sequences=W)
    outputs = [outs[0][-1], outs[1][-2:]] if tail else outs
    vals = [rng.standard_normal((5, 3)), rng.standard_normal(3), rng.standard_normal(3)]
    fast = theanogo.function([X, W, h0], outputs, on_unused_input="ignore")
    assert fast.maker.evaluator_nodes == []
    ref = theanogo.function([X, W, h0], outputs, mode="FAST_COMPILE", on_unused_input="ignore")
    for g, w in zip(fast(*vals), ref(*vals)):
        assert np.shape(g) == np.shape(w)
        np.testing.assert_allclose(g, w, rtol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_invariant_work_in_an_untaken_branch_stays_lazy(mode):
    """W[5] * 2 reads only a non-sequence, but only a branch of an ifelse in
    the step reads it: it is not hoisted (it would raise: W has 3 rows),
    and the branch that is never taken never computes it."""
    from theanogo.ifelse import ifelse
    W = T.dmatrix("W")
    h0 = T.dvector("h0")
    hs, _ = theanogo.scan(lambda h, W: ifelse(T.gt(h.sum(), 1e9), h + W[5] * 2, h + W[0]),
                          outputs_info=h0, non_sequences=W, n_steps=4)
    f = theanogo.function([W, h0], [hs[-1], hs], mode=mode)
    Wv = np.arange(9.0).reshape(3, 3)
    last, whole = f(Wv, np.zeros(3))
    np.testing.assert_allclose(last, 4 * Wv[0])
    np.testing.assert_allclose(whole, [k * Wv[0] for k in range(1, 5)])


@pytest.mark.parametrize("stop", [0.5, 3.5, 1e9])
def test_while_loop_keeps_the_tail(stop):
    """A while loop read at its last rows keeps a ring (taps [-1, -2]); it
    stops at once, after a few steps, or runs to its bound; a nit-sot of a
    while loop stays whole."""
    from theanogo.scan_module import until
    f0 = T.dvector("f0")
    limit = T.dscalar("limit")
    (fib, sq), _ = theanogo.scan(lambda a, b, limit: ([a + b, a * a], until(a + b > limit)),
                                 outputs_info=[dict(initial=f0, taps=[-1, -2]), None],
                                 non_sequences=limit, n_steps=12)
    f, got = run_both([f0, limit], [fib[-1], fib[-3:], sq], np.array([0.0, 1.0]), stop)
    hist, squares = [0.0, 1.0], []
    for _ in range(12):
        hist.append(hist[-1] + hist[-2])
        squares.append(hist[-2] ** 2)
        if hist[-1] > stop:
            break
    np.testing.assert_allclose(got[0], hist[-1])
    np.testing.assert_allclose(got[1], hist[2:][-3:])
    np.testing.assert_allclose(got[2], squares)
    assert "keep=[5 0]" in graph_text(f)  # 2 initial rows + 3
