"""The differential fuzzer (fuzzgen.py) on a fixed seed set, its threaded
mode, and generated kernels under AddressSanitizer and UBSan.

Each seed is one test: a random graph compiled in FAST_RUN (C++), on the Go
evaluator with the same optimizer, and in FAST_COMPILE, compared with each
other and with numpy within the bounds fuzzgen.py documents. The seeds run
in child processes (a crashing kernel fails its seed, not the session) and
a failure prints the seed and a reproducer script (shrunk for up to
FUZZ_SHRINK_S seconds, 10 here). A longer run: `make fuzz FUZZ_SEEDS=500`.
"""

import os

import pytest

import fuzzgen
import fuzzthreads

# 40 seeds (about half hold a scan), plus seeds that found bugs on main in
# longer runs: under a minute with a warm compile cache on a loaded 2-core
# machine
SEEDS = list(range(40)) + [67, 124, 150, 162, 183, 212, 220, 257]
# a few ordinary graphs, rank-33 ones (23, 67), and while loops (19, 21: one
# beside sequence taps, one beside an update)
SANITIZE_SEEDS = [0, 3, 7, 11, 23, 67, 19, 21]
SHRINK_S = float(os.environ.get("FUZZ_SHRINK_S", "10"))


@pytest.fixture(scope="module")
def batch():
    return fuzzgen.run_batch(SEEDS, shrink_s=SHRINK_S)


@pytest.mark.parametrize("seed", SEEDS)
def test_fuzz_seed(batch, seed):
    r = batch[seed]
    if r["fails"]:
        pytest.fail(r["report"], pytrace=False)


def test_fuzz_threads():
    """Threads calling the same and different functions over shared
    variables updated in place: no torn read, no lost update."""
    fails = fuzzthreads.run_all(iters=40)
    assert not fails, "\n".join(fails)


def test_fuzz_sanitized():
    """Generated kernels (and libtgrt.so) built with
    -fsanitize=address,undefined -fno-sanitize-recover=all, run on fuzzer
    graphs in a child with libasan preloaded: any sanitizer report fails.
    Skipped only when the compiler cannot build and run such a program."""
    env = fuzzgen.sanitizer_env()
    if env is None:
        pytest.skip("the C++ compiler cannot build and run an -fsanitize=address,undefined program")
    res = fuzzgen.run_batch(SANITIZE_SEEDS, shrink_s=0, sanitize=True, env=env, timeout=900)
    bad = [res[s]["report"] for s in SANITIZE_SEEDS if res[s]["fails"]]
    assert not bad, "\n".join(bad)
