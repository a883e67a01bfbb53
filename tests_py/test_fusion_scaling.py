"""Fusion keeps shared subexpressions shared (issue 11, defect 7).

In the chain below every value is read twice (y in tanh(y * 0.5) and in
sin(y)). The fused program is a DAG, one instruction per node; printing it
inline at each use unfolds it into a tree that doubles at each level, and
compiling 30 levels in FAST_RUN ran the Go library out of memory. Now every
stage (the program, its printed form in f.maker.fgraph and in the generated
C++, the Go evaluation and the C++ element function) is linear in the chain.
"""

import numpy as np

import theanogo as theano
import theanogo.tensor as T


def chain(y, levels, lib):
    """levels of y -> tanh(y * 0.5) + sin(y) and y -> exp(-|y|) * y, in turn."""
    for i in range(levels):
        if i % 2 == 0:
            y = lib.tanh(y * 0.5) + lib.sin(y)
        else:
            y = lib.exp(-abs(y)) * y
    return y


def values():
    return np.random.default_rng(7).uniform(-3, 3, size=101)


def test_shared_chain_30_levels():
    x = T.dvector("x")
    y = chain(x, 30, T)
    f = theano.function([x], y)  # FAST_RUN: fused
    plain = theano.function([x], y, mode="FAST_COMPILE")
    nodes = f.maker.fgraph.toposort()
    assert len(nodes) == 1 and nodes[0].op.startswith("composite{"), [n.op[:80] for n in nodes]
    # the printed program names each shared value once: about 40 characters
    # a level (the tree had 2**30 copies of i0)
    assert len(nodes[0].op) < 60 * 30, len(nodes[0].op)
    assert nodes[0].op.count("i0") == 2, nodes[0].op
    a = values()
    want = chain(a, 30, np)
    np.testing.assert_allclose(f(a), want, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(plain(a), want, rtol=1e-12, atol=1e-14)


def test_shared_chain_4000_nodes():
    levels = 1000  # 4 elementwise nodes a level
    x = T.dvector("x")
    y = chain(x, levels, T)
    f = theano.function([x], y)
    nodes = f.maker.fgraph.toposort()
    assert all(n.op.startswith("composite{") for n in nodes), {n.op[:40] for n in nodes}
    # groups are capped (core/compile/fusion.go's maxFusedSize): a few
    # composites, printed in a length linear in the chain
    assert 1 < len(nodes) <= 8, len(nodes)
    assert sum(len(n.op) for n in nodes) < 60 * levels
    a = values()
    np.testing.assert_allclose(f(a), chain(a, levels, np), rtol=1e-12, atol=1e-14)
