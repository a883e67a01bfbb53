"""The MLP of BENCHMARKS.md section 2 (784-500-10, tanh hidden layer,
softmax output, mean negative log-likelihood of integer labels, plain SGD
with learning rate 0.01), written once per peer from the same initial
parameters and the same minibatch.

``build(peer, dtype, batch)`` returns a ``Model`` whose ``step()`` runs one
full training step (forward, backward, update of all four parameters) and
returns the loss before the update; ``build(..., penalty=True)`` adds
DeepLearningTutorials' mlp.py penalties to the cost, as mlp.py writes them::

    L1 = abs(W1).sum() + abs(W2).sum()
    L2_sqr = (W1 ** 2).sum() + (W2 ** 2).sum()
    cost = NLL + L1_REG * L1 + L2_REG * L2_sqr      # mlp.py's defaults: 0.00 and 0.0001

(the L1 term stays in the graph with its zero weight, as in the tutorial); ``compile_s`` is the time of the call
that compiles (``theanogo.function``, ``pytensor.function``, JAX's first
call) and ``live_bytes`` the bytes of the parameters and the minibatch.
Used by the step timing, the compile-time children and the memory children.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from typing import Any, Callable

import numpy as np

from . import peers

N_IN, N_HID, N_OUT = 784, 500, 10
LR = 0.01
L1_REG, L2_REG = 0.00, 0.0001  # mlp.py's test_mlp defaults
PEERS = ("numpy", "torch", "jax.jit", "pytensor (default)", "pytensor (C, cvm)", "theanogo")
# --quick leaves out PyTensor's default (Numba) mode here: compiling the MLP with Numba takes
# about a minute on these machines.
QUICK_PEERS = tuple(p for p in PEERS if p != "pytensor (default)")


def peers_for(quick: bool) -> tuple[str, ...]:
    """The MLP's columns, all of them or --quick's."""
    return QUICK_PEERS if quick else PEERS


@dataclasses.dataclass
class Model:
    """One peer's compiled training step."""

    step: Callable[[], Any]
    compile_s: float | None
    live_bytes: int
    backend: str = ""


def initial(dtype: str, batch: int, seed: int = 0) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """([W1, b1, W2, b2], x, y): Glorot-uniform weights, zero biases, a
    random minibatch with int32 labels."""
    rng = np.random.default_rng(seed)
    r1, r2 = np.sqrt(6 / (N_IN + N_HID)), np.sqrt(6 / (N_HID + N_OUT))
    params = [rng.uniform(-r1, r1, (N_IN, N_HID)).astype(dtype), np.zeros(N_HID, dtype),
              rng.uniform(-r2, r2, (N_HID, N_OUT)).astype(dtype), np.zeros(N_OUT, dtype)]
    x = rng.random((batch, N_IN)).astype(dtype)
    y = rng.integers(0, N_OUT, batch).astype(np.int32)
    return params, x, y


def build(peer: str, dtype: str, batch: int, penalty: bool = False) -> Model:
    """The peer's training step (with mlp.py's L1/L2 penalties when
    ``penalty``); raises LookupError when the peer is not installed."""
    params, x, y = initial(dtype, batch)
    live = sum(p.nbytes for p in params) + x.nbytes + y.nbytes
    if peer == "numpy":
        return Model(_numpy_step(params, x, y, penalty), None, live)
    if peer == "torch":
        return Model(_torch_step(params, x, y, penalty), None, live)
    if peer == "jax.jit":
        return _jax_model(params, x, y, live, penalty)
    if peer.startswith("pytensor"):
        return _symbolic_model("pytensor", params, x, y, live, penalty, c_backend="cvm" in peer)
    if peer == "theanogo":
        return _symbolic_model("theanogo", params, x, y, live, penalty)
    raise ValueError(f"unknown peer {peer!r}")


def _require(name: str) -> Any:
    module = peers.load(name)
    if module is None:
        raise LookupError(peers.NOT_INSTALLED)
    return module


def _numpy_step(params: list[np.ndarray], x: np.ndarray, y: np.ndarray, penalty: bool) -> Callable[[], float]:
    """Hand-written forward and backward, updating the arrays in place; the
    penalties' values and gradients (l1·sign(W), 2·l2·W) when ``penalty``."""
    w1, b1, w2, b2 = [p.copy() for p in params]
    rows = np.arange(len(x))
    lr, l1, l2 = (x.dtype.type(v) for v in (LR, L1_REG, L2_REG))

    def step() -> float:
        nonlocal w1, b1, w2, b2  # updated in place (-=), never rebound to new arrays
        h = np.tanh(x @ w1 + b1)
        z = h @ w2 + b2
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[rows, y]))
        if penalty:
            loss += l1 * (np.abs(w1).sum() + np.abs(w2).sum()) + l2 * ((w1 ** 2).sum() + (w2 ** 2).sum())
        p[rows, y] -= 1
        p /= len(x)  # p is now d loss / d z
        gh = (p @ w2.T) * (1 - h * h)
        if penalty:
            w2 -= lr * (h.T @ p + l1 * np.sign(w2) + 2 * l2 * w2)
        else:
            w2 -= lr * (h.T @ p)
        b2 -= lr * p.sum(axis=0)
        if penalty:
            w1 -= lr * (x.T @ gh + l1 * np.sign(w1) + 2 * l2 * w1)
        else:
            w1 -= lr * (x.T @ gh)
        b1 -= lr * gh.sum(axis=0)
        return float(loss)

    return step


def _torch_step(params: list[np.ndarray], x: np.ndarray, y: np.ndarray, penalty: bool) -> Callable[[], float]:
    """Eager autograd; the update in place under no_grad."""
    torch = _require("torch")
    F = torch.nn.functional
    ps = [torch.tensor(p, requires_grad=True) for p in params]
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))

    def step() -> float:
        w1, b1, w2, b2 = ps
        loss = F.cross_entropy(torch.tanh(xt @ w1 + b1) @ w2 + b2, yt)
        if penalty:
            loss = loss + L1_REG * (w1.abs().sum() + w2.abs().sum()) + L2_REG * ((w1 ** 2).sum() + (w2 ** 2).sum())
        grads = torch.autograd.grad(loss, ps)
        with torch.no_grad():
            for p, g in zip(ps, grads):
                p.add_(g, alpha=-LR)
        return float(loss)

    return step


def _jax_model(params: list[np.ndarray], x: np.ndarray, y: np.ndarray, live: int, penalty: bool) -> Model:
    """A jitted functional step returning new parameters (the old ones donated)."""
    jax = _require("jax")
    jnp = jax.numpy

    def loss(ps, xb, yb):
        w1, b1, w2, b2 = ps
        logp = jax.nn.log_softmax(jnp.tanh(xb @ w1 + b1) @ w2 + b2)
        nll = -jnp.mean(logp[jnp.arange(xb.shape[0]), yb])
        if not penalty:
            return nll
        return nll + L1_REG * (jnp.abs(w1).sum() + jnp.abs(w2).sum()) + L2_REG * ((w1 ** 2).sum() + (w2 ** 2).sum())

    def update(ps, xb, yb):
        value, grads = jax.value_and_grad(loss)(ps, xb, yb)
        return [p - LR * g for p, g in zip(ps, grads)], value

    jitted = jax.jit(update, donate_argnums=0)
    state = [[jax.device_put(p) for p in params]]
    xj, yj = jax.device_put(x), jax.device_put(y)

    def step() -> float:
        state[0], value = jitted(state[0], xj, yj)
        jax.block_until_ready(state[0])
        return float(value)

    start = time.perf_counter()
    first = step()
    compile_s = time.perf_counter() - start
    state[0] = [jax.device_put(p) for p in params]  # start again from the same parameters
    del first
    return Model(step, compile_s, live, f"XLA {jax.default_backend()}")


_compiled: dict[tuple[str, bool, str, bool], tuple[Any, list[Any], float]] = {}


def _symbolic_model(lib: str, params: list[np.ndarray], x: np.ndarray, y: np.ndarray, live: int,
                    penalty: bool, c_backend: bool = False) -> Model:
    """theanogo or pytensor: the Theano tutorial's graph, function with
    updates. The function does not depend on the batch size, so it is
    compiled once per dtype and its parameters reset for each batch."""
    key = (lib, c_backend, str(x.dtype), penalty)
    if key not in _compiled:
        _compiled[key] = _compile_symbolic(lib, params, x, penalty, c_backend)
    f, shared, compile_s = _compiled[key]
    for v, p in zip(shared, params):
        v.set_value(p.copy())
    backend = getattr(f.maker, "backend", "") if lib == "theanogo" else type(f.maker.linker).__name__
    return Model(lambda: float(f(x, y)), compile_s, live, str(backend))


def _compile_symbolic(lib: str, params: list[np.ndarray], x: np.ndarray, penalty: bool,
                      c_backend: bool) -> tuple[Any, list[Any], float]:
    """(function, shared variables, seconds the function() call took)."""
    module = _require(lib)
    if lib == "theanogo":
        import theanogo.tensor as T

        softmax = T.nnet.softmax
        xv = {"float32": T.fmatrix, "float64": T.dmatrix}[str(x.dtype)]("x")
        yv = T.ivector("y")
        kwargs: dict[str, Any] = {}
    else:
        import pytensor.tensor as T
        from pytensor.compile.mode import Mode
        from pytensor.tensor.special import softmax

        softmax = functools.partial(softmax, axis=-1)
        xv, yv = T.matrix("x", dtype=str(x.dtype)), T.ivector("y")
        kwargs = {"mode": Mode(linker="cvm", optimizer="fast_run")} if c_backend else {}
    shared = [module.shared(p.copy(), name=n) for p, n in zip(params, ("W1", "b1", "W2", "b2"))]
    w1, b1, w2, b2 = shared
    p_y = softmax(T.dot(T.tanh(T.dot(xv, w1) + b1), w2) + b2)
    cost = -T.mean(T.log(p_y)[T.arange(yv.shape[0]), yv])
    if penalty:  # mlp.py's lines (its floatX=float32 constants as arrays of the dtype)
        l1 = abs(w1).sum() + abs(w2).sum()
        l2_sqr = (w1 ** 2).sum() + (w2 ** 2).sum()
        cost = cost + np.asarray(L1_REG, dtype=x.dtype) * l1 + np.asarray(L2_REG, dtype=x.dtype) * l2_sqr
    grads = module.grad(cost, shared)
    lr = np.asarray(LR, dtype=x.dtype)
    updates = [(v, v - lr * g) for v, g in zip(shared, grads)]
    start = time.perf_counter()
    f = module.function([xv, yv], cost, updates=updates, **kwargs)
    return f, shared, time.perf_counter() - start
