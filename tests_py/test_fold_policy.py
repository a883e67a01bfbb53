"""The fold policy (DESIGN.md decision 13): FAST_RUN's float sums fold
pairwise and in parallel pieces, the evaluator (FAST_COMPILE) sequentially;
they agree within core/ops.ReduceTolerance (conftest.assert_reduce_close),
integer sums exactly."""

import numpy as np
import pytest

import theanogo as theano
import theanogo.tensor as T
from conftest import assert_reduce_close


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
def test_sums_within_the_fold_tolerance(dtype):
    x = T.matrix("x", dtype=dtype)
    outs = [x.sum(), x.sum(axis=0), x.sum(axis=1), x.T.sum(axis=1), x.mean(), (x * x).sum()]
    fr = theano.function([x], outs, mode="FAST_RUN")
    fc = theano.function([x], outs, mode="FAST_COMPILE")
    a = (np.random.default_rng(1).standard_normal((700, 900)) * 100).astype(dtype)
    mag = float(np.abs(a.astype(np.float64)).sum())
    counts = [a.size, 700, 900, 700, a.size, a.size]
    mags = [mag, mag, mag, mag, mag / a.size, float((a.astype(np.float64) ** 2).sum())]
    for got, want, n, m in zip(fr(a), fc(a), counts, mags):
        assert_reduce_close(got, want, n, m)


def test_a_sequential_fold_is_not_what_fast_run_computes():
    x = T.dvector("x")
    f = theano.function([x], x.sum())
    assert f(np.full(10 ** 6, 0.1)) == pytest.approx(100000.0, abs=1e-8)  # sequential: 100000.0000013
