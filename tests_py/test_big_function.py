"""A function of 10,000 nodes compiles to C++ and runs, on a thread whose
stack is 1 MiB: the generated kernel keeps its tg_views in a heap table and
its shape arrays block-scoped, so its stack frame does not grow with the
graph (it took about 850 bytes per node, 8 MB at 10,000 nodes, before)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import threading
    import numpy as np
    import theanogo as theano
    import theanogo.tensor as T

    x = T.dmatrix("x")
    y = x
    for _ in range(10000):
        y = y.T  # optimizer=None keeps every transpose: 10,000 view nodes
    f = theano.function([x], y * 2 + 1, mode=theano.Mode(linker="cvm", optimizer=None))
    assert f.backend == "cxx", f.backend
    nodes = len(f.maker.fgraph.toposort())
    assert nodes >= 10000, nodes
    a = np.random.RandomState(0).rand(3, 4)
    got = []
    threading.stack_size(1 << 20)
    t = threading.Thread(target=lambda: got.append(f(a)))
    t.start()
    t.join()
    np.testing.assert_array_equal(got[0], a * 2 + 1)
    print("ok", nodes)
    """
)


def test_ten_thousand_nodes_compile_and_run_on_a_small_stack():
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("ok"), r.stdout + r.stderr
