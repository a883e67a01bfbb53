"""Numpy parity on randomly drawn shapes, dtypes, axes and slices.

Each test draws many cases from a seeded generator: ranks 0 to 4, lengths 0
to 4 (so size-0 and size-1 dimensions come up often), random broadcast
patterns, random axes with keepdims, random slices with negative steps.
"""

import numpy as np
import pytest

import theanogo
import theanogo.tensor as T
from conftest import assert_same, random_array, var_like

CASES = 60
DTYPES = ["float64", "float32", "int64", "int32", "int8", "uint8", "bool"]


def random_shape(rng, rank=None):
    rank = int(rng.integers(0, 5)) if rank is None else rank
    return tuple(int(n) for n in rng.integers(0, 5, size=rank))


def broadcast_partner(rng, shape):
    """A shape that broadcasts against shape: some dims set to 1, some leading dims dropped."""
    other = [1 if rng.random() < 0.3 else n for n in shape]
    drop = int(rng.integers(0, len(shape) + 1))
    return tuple(other[drop:])


@pytest.mark.parametrize("seed", range(CASES))
def test_random_binary_elemwise(seed):
    rng = np.random.default_rng(seed)
    name, ref = [("add", np.add), ("sub", np.subtract), ("mul", np.multiply), ("maximum", np.maximum),
                 ("minimum", np.minimum), ("lt", np.less), ("eq", np.equal),
                 ("true_div", np.true_divide)][seed % 8]
    da, db = rng.choice(DTYPES[:6], size=2)
    shape = random_shape(rng)
    a = random_array(rng, shape, da, 1, 4)
    b = random_array(rng, broadcast_partner(rng, shape), db, 1, 4)
    if rng.random() < 0.5:
        a, b = b, a
    x, y = var_like(a), var_like(b)
    got = theanogo.function([x, y], getattr(T, name)(x, y))(a, b)
    want = ref(a, b)
    assert got.dtype == want.dtype, (name, da, db)
    assert_same(got, want)


@pytest.mark.parametrize("seed", range(CASES))
def test_random_reduction(seed):
    rng = np.random.default_rng(1000 + seed)
    name = ["sum", "prod", "mean", "max", "min", "argmax", "argmin"][seed % 7]
    dt = DTYPES[seed % 6]
    shape = tuple(max(n, 1) for n in random_shape(rng)) if name in ("max", "min", "argmax", "argmin") \
        else random_shape(rng)
    a = random_array(rng, shape, dt, -2, 2)
    ndim = len(shape)
    if ndim == 0 or rng.random() < 0.2:
        axis = None
    elif name in ("argmax", "argmin"):
        axis = int(rng.integers(-ndim, ndim))
    else:
        k = int(rng.integers(1, ndim + 1))
        axis = tuple(int(v) for v in rng.choice(np.arange(ndim), size=k, replace=False))
    keepdims = bool(rng.random() < 0.5) and name not in ("argmax", "argmin")
    x = var_like(a)
    sym = getattr(T, name)(x, axis=axis, keepdims=True) if keepdims else getattr(T, name)(x, axis=axis)
    got = theanogo.function([x], sym)(a)
    want = getattr(np, name)(a, axis=axis, keepdims=True) if keepdims else getattr(np, name)(a, axis=axis)
    if name == "mean" and want.dtype == np.float16:
        want = want.astype(np.float32)
    assert_same(got, want, dtype_check=name != "mean")


@pytest.mark.parametrize("seed", range(CASES))
def test_random_basic_indexing(seed):
    rng = np.random.default_rng(2000 + seed)
    shape = tuple(int(n) for n in rng.integers(1, 6, size=int(rng.integers(1, 4))))
    a = random_array(rng, shape, DTYPES[seed % 7])
    index = []
    for n in shape[: int(rng.integers(1, len(shape) + 1))]:
        if rng.random() < 0.3:
            index.append(int(rng.integers(-n, n)))
        else:
            def bound():
                return None if rng.random() < 0.3 else int(rng.integers(-n - 2, n + 3))
            step = [None, 1, 2, -1, -2][int(rng.integers(0, 5))]
            index.append(slice(bound(), bound(), step))
    index = tuple(index)
    x = var_like(a)
    got = theanogo.function([x], x[index])(a)
    assert_same(got, a[index])


@pytest.mark.parametrize("seed", range(CASES // 2))
def test_random_dimshuffle(seed):
    rng = np.random.default_rng(3000 + seed)
    shape = random_shape(rng, rank=int(rng.integers(1, 5)))
    a = random_array(rng, shape, DTYPES[seed % 7])
    perm = [int(p) for p in rng.permutation(len(shape))]
    pattern = list(perm)
    for _ in range(int(rng.integers(0, 3))):
        pattern.insert(int(rng.integers(0, len(pattern) + 1)), "x")
    x = var_like(a)
    got = theanogo.function([x], x.dimshuffle(*pattern))(a)
    want = np.transpose(a, perm)
    for i, p in enumerate(pattern):
        if p == "x":
            want = np.expand_dims(want, i)
    assert_same(got, want)


@pytest.mark.parametrize("seed", range(CASES // 2))
def test_random_dot(seed):
    rng = np.random.default_rng(4000 + seed)
    m, k, n = (int(v) for v in rng.integers(0, 5, size=3))
    ranks = [(1, 1), (2, 1), (1, 2), (2, 2)][seed % 4]
    dt = ["float64", "float32", "int64", "int32"][seed % 4]
    a = random_array(rng, (m, k)[2 - ranks[0]:], dt)
    b = random_array(rng, (k, n)[: ranks[1]], dt)
    x, y = T.TensorType(dt, [False] * a.ndim)(), T.TensorType(dt, [False] * b.ndim)()
    assert_same(theanogo.function([x, y], T.dot(x, y))(a, b), np.dot(a, b))


@pytest.mark.parametrize("seed", range(CASES // 2))
def test_random_reshape(seed):
    rng = np.random.default_rng(5000 + seed)
    shape = random_shape(rng, rank=int(rng.integers(1, 4)))
    a = random_array(rng, shape, DTYPES[seed % 7])
    size = a.size
    target = [size] if size == 0 else []
    rest = size
    while rest > 1 and len(target) < 3:
        f = [d for d in range(1, rest + 1) if rest % d == 0]
        d = int(rng.choice(f))
        target.append(d)
        rest //= d
    target = target + [rest] if size else target
    if len(target) > 1 and rng.random() < 0.5:
        target[int(rng.integers(0, len(target)))] = -1
    x = var_like(a)
    assert_same(theanogo.function([x], x.reshape(tuple(target)))(a), a.reshape(tuple(target)))
