"""Differential fuzzer: random graphs from the public API, run three ways.

A seed draws a small graph (a DAG of `Node`s) over random inputs and shared
variables: elementwise math with broadcasting, comparisons, switch, clip,
casts over int, float and bool dtypes; reductions over random axes with
keepdims; views (transpose, dimshuffle, slices with negative steps, integer
indices, reshape and flatten of non-contiguous values); advanced indexing
(`x[ivec]`, set/inc_subtensor); dot; softmax; shared variables updated in
place; outputs listed twice, inputs returned as outputs, outputs that are
views of other outputs; values used several times. Each node is kept three
ways at once: the theanogo variable, the numpy value (with an error bound,
below) and the Python source that builds it, so a failure prints a script
that reproduces it.

`check_graph` compiles the graph in FAST_RUN (the C++ backend), on the Go
evaluator with the same optimizer (`Mode(linker='py', optimizer='fast_run')`)
and in FAST_COMPILE, calls each twice from the same shared state (the second
call sees the first call's updates and reuses the kernel's workspace), and
compares outputs, shared values after the call and the untouched inputs; a
call with an out-of-range index must raise IndexError and change nothing.

Tolerance (DESIGN.md decision 13). Every numpy value carries `err`, a
per-element first-order bound on the rounding error any correct backend may
make, propagated with the values: an elementwise op adds ULP_OP ulps of its
result and scales its inputs' bounds by |derivative|; a sum of n terms adds
max(n * eps, ReduceTolerance(dtype, n)) * sum|x| (core/ops/tolerance.go,
through theanogo._lib.reduce_tolerance: any order of summation, pairwise,
blocked, parallel, in double or in the dtype as numpy folds); dot
adds k * eps * (|A| @ |B|); max/min pass the bound through. An element whose
result could flip within the bounds (a comparison, switch condition, argmax
tie, float-to-int cast at an integer boundary, log/sqrt at 0, a NaN or
overflow that depends on rounding) gets err = inf and is not compared. A
result matches when |got - want| <= SAFETY * err + ULP_OUT ulps of want;
integers and bools match exactly; where err is finite, NaN and infinity
positions must match exactly. Between FAST_RUN and the evaluator running the
same optimized graph the same bound applies (the C++ code may fold
reductions differently), and results of purely elementwise graphs must be
within ULP_ELEMWISE ulps (libm's and Go's exp, log, ... round differently
in the last bit).

Run `python tests_py/fuzzgen.py --seeds 0:200` (or `make fuzz`) for a long
run; tests_py/test_fuzz.py runs a fixed seed set.
"""

import argparse
import os
import sys
import threading
import time
import traceback
import warnings

import numpy as np

import theanogo as theano
import theanogo.tensor as T
from theanogo import _lib
from theanogo.ifelse import ifelse
from theanogo.scan_module import until  # noqa: F401 (the scan steps' source reads it)

ULP_OP = 4          # ulps an elementwise op may be off by (libm vs numpy's SIMD loops)
ULP_OUT = 4         # ulps of the final result, on top of the propagated bound
SAFETY = 4.0        # slack on the first-order bound
ULP_ELEMWISE = 4    # FAST_RUN vs evaluator on purely elementwise graphs

FLOATS = ["float64", "float32"]
INTS = ["int64", "int32", "int8", "uint8"]
SCAN_RATE = 0.05    # the chance that a generator step builds a scan


def eps(dtype):
    dtype = np.dtype(dtype)
    return float(np.finfo(dtype).eps) if dtype.kind == "f" else 0.0


class Skip(Exception):
    """The generator could not build this node; try another."""


# --------------------------------------------------------------------------
# the graph


class Node:
    """One value of the graph: op and arguments, the theanogo variable, its
    Python source, and per environment its numpy value and error bound."""

    def __init__(self, g, op, args, params, var):
        self.g, self.op, self.args, self.params, self.var = g, op, list(args), dict(params), var
        self.name = "v%d" % len(g.nodes)
        self.dtype = var.dtype
        self.bcast = tuple(var.broadcastable)
        self.ndim = var.ndim
        self.shape = None  # set by Graph.add from the numpy value

    def __repr__(self):
        return "%s:%s%s" % (self.name, self.dtype, self.shape)


class Graph:
    def __init__(self, seed):
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.inputs = []      # Nodes of op 'input'
        self.shared = []      # Nodes of op 'shared'
        self.index_inputs = []  # integer vector inputs used as indices: (node, axis length)
        self.values = {}      # name -> numpy value for inputs and shared (initial)
        self.outputs = []
        self.updates = []     # (shared node, update node)
        self.has_reduction = False
        self._vals = {}       # name -> (value, err) from the initial values

    # -- values ------------------------------------------------------------
    @staticmethod
    def eval_node(n, args):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v, e = OPS[n.op].np(n, *args)
            v = np.asarray(v)
            e = np.broadcast_to(np.asarray(e, dtype=np.float64), v.shape).copy()
            e[np.isnan(e)] = np.inf
            if v.dtype.kind in "iub":
                e[np.isfinite(e)] = 0.0
        return v, e

    def evaluate(self, env):
        """Numpy values and error bounds of every node, given input/shared
        values; a (value, bound) pair gives a value known only within a bound
        (a shared value after a call)."""
        out = {}
        for n in self.nodes:
            if n.op in ("input", "shared"):
                v = env[n.name]
                out[n.name] = v if isinstance(v, tuple) else (v, np.zeros(v.shape))
            else:
                out[n.name] = self.eval_node(n, [out[a.name] for a in n.args])
        return out

    def add(self, op, args, params, var):
        n = Node(self, op, args, params, var)
        if op in ("input", "shared"):
            v = self.values[n.name]
            self._vals[n.name] = (v, np.zeros(v.shape))
        else:
            v, e = self.eval_node(n, [self._vals[a.name] for a in args])
            if v.dtype != np.dtype(n.dtype) or v.ndim != n.ndim:
                # numpy and theanogo disagree on the type: a finding of its own
                raise TypeMismatch("%s: theanogo says %s rank %d, numpy %s rank %d (%s)" % (
                    op, n.dtype, n.ndim, v.dtype, v.ndim, OPS[op].src(n, *[a.name for a in args])))
            self._vals[n.name] = (v, e)
        self.nodes.append(n)
        n.shape = tuple(v.shape)
        return n

    def by_name_all(self, name):
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(name)

    def set_input_value(self, n, v):
        self.values[n.name] = v
        self._vals[n.name] = (v, np.zeros(v.shape))

    # -- source ------------------------------------------------------------
    def source(self, keep=None):
        """A standalone script that builds the graph and compares FAST_RUN
        with the Go evaluator (and numpy where given)."""
        lines = ["import numpy as np", "import theanogo as theano", "import theanogo.tensor as T", "from theanogo.ifelse import ifelse",
                 "from theanogo.scan_module import until",
                 "from numpy import array, int8, int32, int64, uint8, float32, float64, bool_", ""]
        np.set_printoptions(threshold=sys.maxsize)
        try:
            for n in self.nodes:
                if n.op == "input":
                    lines.append("%s = T.TensorType(%r, %r)(%r)" % (n.name, n.dtype, n.bcast, n.name))
                    lines.append("%s_val = %s" % (n.name, _literal(self.values[n.name])))
                elif n.op == "shared":
                    lines.append("%s = theano.shared(%s, name=%r)" % (
                        n.name, _literal(self.values[n.name]), n.name))
                else:
                    lines.append("%s = %s" % (n.name, OPS[n.op].src(n, *[a.name for a in n.args])))
        finally:
            np.set_printoptions(threshold=1000)
        ins = ", ".join(n.name for n in self.inputs)
        outs = ", ".join(n.name for n in self.outputs)
        ups = ", ".join("(%s, %s)" % (s.name, u.name) for s, u in self.updates)
        vals = ", ".join("%s_val" % n.name for n in self.inputs)
        lines += ["",
                  "results = {}",
                  "for mode in ['FAST_RUN', theano.Mode(linker='py', optimizer='fast_run')]:"]
        for s in self.shared:
            lines.append("    %s.set_value(%s)" % (s.name, _literal(self.values[s.name])))
        # two calls, as run_mode makes: some failures show on the second
        lines += ["    f = theano.function([%s], [%s], updates=[%s], mode=mode, on_unused_input='ignore')"
                  % (ins, outs, ups),
                  "    for call in range(2):",
                  "        out = f(%s)" % vals,
                  "        results[f.backend, call] = [np.array(o) for o in out] + [%s]" % ", ".join(
                      "%s.get_value()" % s.name for s, _ in self.updates),
                  "for call in range(2):",
                  "    for i, (c, e) in enumerate(zip(results['cxx', call], results['evaluator', call])):",
                  "        if c.shape != e.shape or not np.allclose(c, e, equal_nan=True):",
                  "            print('call', call, 'result', i, 'differs:\\nC++:', c, '\\nevaluator:', e)"]
        return "\n".join(lines) + "\n"


class TypeMismatch(Exception):
    pass


def _literal(v):
    if v.ndim == 0:
        return "np.%s(%r)" % (v.dtype.name if v.dtype.kind != "b" else "bool_", v.item())
    return "np.array(%s, dtype=%r).reshape(%r)" % (np.array2string(v.ravel(), separator=", ", floatmode="unique")
                                                   if v.size else "[]", v.dtype.name, v.shape)


# --------------------------------------------------------------------------
# ops: theanogo builder, numpy value with error bound, Python source


class Op:
    def __init__(self, th, np_, src):
        self.th, self.np, self.src = th, np_, src


def _absd(x):
    return np.abs(np.asarray(x, dtype=np.float64))


def prop(deriv, err):
    """|deriv| * err, with 0 where err is 0 (an exact input stays exact)."""
    d = _absd(deriv)
    return np.where(err == 0, 0.0, d * err)


def rnd(v, k=ULP_OP):
    """k ulps of v where finite."""
    v = np.asarray(v)
    if v.dtype.kind != "f":
        return np.zeros(v.shape)
    a = _absd(v)
    return np.where(np.isfinite(a), k * eps(v.dtype) * a, 0.0)


def uncertain(mask, err):
    return np.where(mask, np.inf, err)


UNARY = {
    # name: (theano, numpy, derivative(x, y), singular(x, err) or None)
    "neg": (lambda x: -x, np.negative, lambda x, y: 1.0, None, "-{0}"),
    "abs": (T.abs_, np.abs, lambda x, y: 1.0, None, "T.abs_({0})"),
    "exp": (T.exp, np.exp, lambda x, y: y, None, "T.exp({0})"),
    "log": (T.log, np.log, lambda x, y: 1 / _absd(x), lambda x, e: _absd(x) <= e, "T.log({0})"),
    "sqrt": (T.sqrt, np.sqrt, lambda x, y: 0.5 / _absd(y), lambda x, e: _absd(x) <= e, "T.sqrt({0})"),
    "tanh": (T.tanh, np.tanh, lambda x, y: 1 - _absd(y) ** 2, None, "T.tanh({0})"),
    "sin": (T.sin, np.sin, lambda x, y: 1.0, None, "T.sin({0})"),
    "cos": (T.cos, np.cos, lambda x, y: 1.0, None, "T.cos({0})"),
    "sigmoid": (T.nnet.sigmoid, lambda x: _sigmoid(x), lambda x, y: _absd(y) * (1 - _absd(y)), None,
                "T.nnet.sigmoid({0})"),
    "softplus": (T.nnet.softplus, lambda x: _softplus(x), lambda x, y: _sigmoid(_absd(x)), None,
                 "T.nnet.softplus({0})"),
    "relu": (T.nnet.relu, lambda x: np.maximum(x, 0).astype(x.dtype), lambda x, y: 1.0,
             None, "T.nnet.relu({0})"),
    "sqr": (T.sqr, np.square, lambda x, y: 2 * _absd(x), None, "T.sqr({0})"),
    "log1p": (T.log1p, np.log1p, lambda x, y: 1 / _absd(1 + _absd(x) * np.sign(x)),
              lambda x, e: _absd(np.asarray(x, dtype=np.float64) + 1) <= e, "T.log1p({0})"),
    "expm1": (T.expm1, np.expm1, lambda x, y: np.exp(np.asarray(x, dtype=np.float64)), None, "T.expm1({0})"),
    "sgn": (T.sgn, np.sign, lambda x, y: 0.0, lambda x, e: _absd(x) <= e, "T.sgn({0})"),
}


def _sigmoid(x):
    with np.errstate(all="ignore"):
        one = x.dtype.type(1)
        return (one / (one + np.exp(-x))).astype(x.dtype)


def _softplus(x):
    with np.errstate(all="ignore"):
        return (np.logaddexp(x.dtype.type(0), x)).astype(x.dtype)


def _unary(name):
    th, fn, deriv, singular, src = UNARY[name]

    def np_(n, a):
        x, e = a
        y = fn(x)
        err = prop(deriv(x, y), e) + rnd(y)
        if singular is not None:
            err = uncertain(singular(x, e) & (e > 0), err)
        # the extra square of the error for sqr
        if name == "sqr":
            err = err + np.where(e == 0, 0, e * e)
        return y, err
    return Op(lambda n, x: th(x), np_, lambda n, a: src.format(a))


for _name in UNARY:
    pass

BINARY = {
    # name: (theano, numpy, source)
    "add": (lambda a, b: a + b, np.add, "({0} + {1})"),
    "sub": (lambda a, b: a - b, np.subtract, "({0} - {1})"),
    "mul": (lambda a, b: a * b, np.multiply, "({0} * {1})"),
    "true_div": (lambda a, b: a / b, np.true_divide, "({0} / {1})"),
    "maximum": (T.maximum, np.maximum, "T.maximum({0}, {1})"),
    "minimum": (T.minimum, np.minimum, "T.minimum({0}, {1})"),
}
COMPARE = {
    "lt": (T.lt, np.less, "T.lt({0}, {1})"),
    "gt": (T.gt, np.greater, "T.gt({0}, {1})"),
    "le": (T.le, np.less_equal, "T.le({0}, {1})"),
    "ge": (T.ge, np.greater_equal, "T.ge({0}, {1})"),
    "eq": (T.eq, np.equal, "T.eq({0}, {1})"),
    "neq": (T.neq, np.not_equal, "T.neq({0}, {1})"),
}
LOGIC = {
    "and_": (T.and_, np.bitwise_and, "T.and_({0}, {1})"),
    "or_": (T.or_, np.bitwise_or, "T.or_({0}, {1})"),
    "xor": (T.xor, np.bitwise_xor, "T.xor({0}, {1})"),
}


def _binary(name):
    th, fn, src = BINARY[name]

    def np_(n, a, b):
        (x, ex), (y, ey) = a, b
        z = fn(x, y)
        if name in ("add", "sub"):
            err = ex + ey
            # the optimizer cancels terms (x - x -> 0, (a + b) - b -> a, as
            # Theano does): numpy's NaN or infinity is not the graph's value
            err = uncertain(~np.isfinite(x) | ~np.isfinite(y), err)
        elif name == "mul":
            err = prop(y, ex) + prop(x, ey) + np.where((ex == 0) | (ey == 0), 0, ex * ey)
        elif name == "true_div":
            yd = _absd(y)
            err = prop(1 / yd, ex) + prop(_absd(z) / yd, ey)
            err = uncertain((yd <= ey) & (ey > 0), err)
            # the optimizer cancels common factors (x / x -> 1, (a*b)/b -> a, as
            # Theano does): where the divisor is 0 or not finite numpy's NaN or
            # infinity is not the graph's value
            err = uncertain((y == 0) | ~np.isfinite(y) | ~np.isfinite(x), err)
        else:  # maximum, minimum
            err = np.maximum(ex, ey)
        return z, err + rnd(z)
    return Op(lambda n, a, b: th(a, b), np_, lambda n, a, b: src.format(a, b))


def _compare(table, name):
    th, fn, src = table[name]

    def np_(n, a, b):
        (x, ex), (y, ey) = a, b
        z = fn(x, y)
        if table is COMPARE:
            close = _absd(np.asarray(x, np.float64) - np.asarray(y, np.float64)) <= ex + ey
            # an operand whose value is uncertain (an infinite bound: say a
            # NaN the optimizer cancels, x / x -> 1) makes the comparison so
            err = uncertain((close & ((ex + ey) > 0)) | np.isinf(ex) | np.isinf(ey), np.zeros(z.shape))
        else:
            err = np.where(np.isinf(ex) | np.isinf(ey), np.inf, 0.0)
        return z, err
    return Op(lambda n, a, b: th(a, b), np_, lambda n, a, b: src.format(a, b))


def _const_binary():
    # x <op> python-constant: ('add'|'mul'|'sub'|'pow'|'floordiv'|'mod', c)
    def th(n, x):
        c = n.params["c"]
        return {"add": lambda: x + c, "sub": lambda: c - x, "mul": lambda: x * c, "pow": lambda: x ** c,
                "floordiv": lambda: x // c, "mod": lambda: x % c}[n.params["k"]]()

    def np_(n, a):
        x, e = a
        c, k = weak(n.params["c"]), n.params["k"]
        z = {"add": lambda: x + c, "sub": lambda: c - x, "mul": lambda: x * c, "pow": lambda: x ** c,
             "floordiv": lambda: x // c, "mod": lambda: x % c}[k]()
        if k in ("add", "sub"):
            err = e
        elif k == "mul":
            err = e * abs(c)
        elif k == "pow":
            err = prop(c * _absd(x) ** (c - 1), e)
        else:
            # floor: flips near a multiple of c
            q = np.asarray(x, np.float64) / c
            near = _absd(q - np.round(q)) * abs(c) <= e
            err = uncertain(near & (e > 0), e if k == "mod" else np.zeros(z.shape))
        return z, err + rnd(z)

    def src(n, a):
        c, k = n.params["c"], n.params["k"]
        return {"add": "({0} + {1!r})", "sub": "({1!r} - {0})", "mul": "({0} * {1!r})", "pow": "({0} ** {1!r})",
                "floordiv": "({0} // {1!r})", "mod": "({0} % {1!r})"}[k].format(a, c)
    return Op(th, np_, src)


def weak(c):
    """A Python number as Theano types it: an int the smallest of int8..int64
    that holds it, a float float32 when exact in float32 (a 0-d array, which
    numpy promotes as an array)."""
    if isinstance(c, (bool, np.bool_)):
        return np.asarray(c)
    if isinstance(c, (int, np.integer)):
        for d in (np.int8, np.int16, np.int32, np.int64):
            if np.iinfo(d).min <= c <= np.iinfo(d).max:
                return np.asarray(c, dtype=d)
    if float(np.float32(c)) == c:
        return np.asarray(c, dtype=np.float32)
    return np.asarray(c, dtype=np.float64)


def _switch():
    def np_(n, c, a, b):
        (cv, ce), (x, ex), (y, ey) = c, a, b
        z = np.where(cv, x, y)
        err = np.where(cv, ex, ey) + rnd(z, 0)
        return z, uncertain(np.isinf(ce) & np.ones(z.shape, bool), err)
    return Op(lambda n, c, a, b: T.switch(c, a, b), np_, lambda n, c, a, b: "T.switch(%s, %s, %s)" % (c, a, b))


def _ifelse():
    """ifelse(c, a, b) with branches of one type and shape: the lazy pass
    moves what one branch alone reads into it (a region of the kernel)."""
    def np_(n, c, a, b):
        (cv, ce), (x, ex), (y, ey) = c, a, b
        z, err = (x, ex) if cv != 0 else (y, ey)  # NaN is true, as Python's bool
        unsure = bool(np.any(ce != 0)) and not (np.isfinite(ce).all() and abs(float(np.real(cv))) > float(np.max(ce)))
        return np.array(z, copy=True), uncertain(np.full(np.shape(z), unsure), err)
    return Op(lambda n, c, a, b: ifelse(c, a, b), np_, lambda n, c, a, b: "ifelse(%s, %s, %s)" % (c, a, b))


def _clip():
    def np_(n, a):
        x, e = a
        lo, hi = n.params["lo"], n.params["hi"]
        z = np.clip(x, lo, hi)
        return z, e
    return Op(lambda n, x: T.clip(x, n.params["lo"], n.params["hi"]), np_,
              lambda n, a: "T.clip(%s, %r, %r)" % (a, n.params["lo"], n.params["hi"]))


def _cast():
    def np_(n, a):
        x, e = a
        d = np.dtype(n.params["dtype"])
        xf = np.asarray(x, np.float64) if x.dtype.kind == "f" else x
        if x.dtype.kind == "f" and d.kind in "iu":
            info = np.iinfo(d)
            bad = ~np.isfinite(xf) | (xf - e <= info.min - 1) | (xf + e >= info.max + 1)
            flip = np.trunc(xf - e) != np.trunc(xf + e)
            z = np.where(bad, 0, xf).astype(d)
            return z, uncertain(bad | (flip & (e > 0)), np.zeros(z.shape))
        if x.dtype.kind == "f" and d.kind == "b":
            z = x.astype(d)
            return z, uncertain((_absd(x) <= e) & (e > 0), np.zeros(z.shape))
        z = x.astype(d)
        return z, e + rnd(z, 1)
    return Op(lambda n, x: T.cast(x, n.params["dtype"]), np_, lambda n, a: "T.cast(%s, %r)" % (a, n.params["dtype"]))


def _reduce():
    def th(n, x):
        kind, axis, kd = n.params["kind"], n.params["axis"], n.params["keepdims"]
        if kind in ("argmax", "argmin"):
            return getattr(T, kind)(x, axis=axis, keepdims=kd)
        return getattr(T, kind)(x, axis=axis, keepdims=kd)

    def np_(n, a):
        x, e = a
        kind, axis, kd = n.params["kind"], n.params["axis"], n.params["keepdims"]
        if kind in ("argmax", "argmin"):
            fn = np.argmax if kind == "argmax" else np.argmin
            z = fn(x, axis=axis, keepdims=kd) if axis is not None else fn(x)
            if axis is None and kd:
                z = np.asarray(z).reshape((1,) * x.ndim)
            z = np.asarray(z, dtype=np.int64)
            # uncertain where the winner is within the bounds of another
            xm = np.asarray(x, np.float64) if axis is not None else np.asarray(x, np.float64).reshape(-1)
            em = e if axis is not None else e.reshape(-1)
            ax = axis if axis is not None else 0
            best = (np.max if kind == "argmax" else np.min)(xm, axis=ax, keepdims=True)
            ebest = np.take_along_axis(em, np.expand_dims(np.asarray(
                fn(xm, axis=ax)), ax), ax) if xm.size else np.zeros(best.shape)
            close = (_absd(xm - best) <= em + ebest) & ((em + ebest) > 0)
            nclose = np.sum(close, axis=ax) > 1
            nan = np.any(np.isnan(xm), axis=ax)
            if kd:
                nclose = np.reshape(nclose, z.shape)
                nan = np.reshape(nan, z.shape)
            return z, uncertain(np.reshape(nclose, z.shape), np.zeros(z.shape))
        fn = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min, "mean": np.mean}[kind]
        z = np.asarray(fn(x, axis=axis, keepdims=kd))
        if axis is None:
            axes = tuple(range(x.ndim))
        elif isinstance(axis, int):
            axes = (axis,)
        else:
            axes = tuple(axis)
        cnt = int(np.prod([x.shape[i] for i in axes])) if axes else 1
        if kind in ("max", "min"):
            err = np.max(e, axis=axis, keepdims=kd, initial=0.0) if x.size else np.zeros(z.shape)
        elif kind in ("sum", "mean"):
            s = np.sum(e, axis=axis, keepdims=kd) + fold_tol(z, cnt) * np.sum(_absd(x), axis=axis, keepdims=kd)
            err = s / max(cnt, 1) if kind == "mean" else s
        else:  # prod
            xa = _absd(x)
            rel = np.where(e == 0, 0.0, e / np.where(xa == 0, np.nan, xa))
            rel = np.where(np.isnan(rel), np.inf, rel)
            err = (np.sum(rel, axis=axis, keepdims=kd) + cnt * eps_acc(x, z)) * _absd(z)
        return z, np.asarray(err) + rnd(z)
    return Op(th, np_, lambda n, a: "T.%s(%s, axis=%r, keepdims=%r)" % (
        n.params["kind"], a, n.params["axis"], n.params["keepdims"]))


def fold_tol(z, cnt):
    """The bound on a sum of cnt terms, relative to their sum of magnitudes:
    core/ops.ReduceTolerance (2(n-1)*2**-53 + eps: the evaluator's
    sequential fold against the compiled pairwise, blocked, parallel one,
    both in double), or numpy's fold in the result's own dtype (cnt * eps,
    the larger for float32), whichever is larger."""
    z = np.asarray(z)
    if z.dtype.kind != "f":
        return 0.0
    return max(_lib.reduce_tolerance(z.dtype.name, cnt), cnt * eps(z.dtype))


def eps_acc(x, z):
    z = np.asarray(z)
    if z.dtype.kind == "f":
        return eps(z.dtype)
    return 0.0


def _view(kind):
    def th(n, x):
        p = n.params
        if kind == "transpose":
            return x.T if p["perm"] is None else x.transpose(*p["perm"])
        if kind == "dimshuffle":
            return x.dimshuffle(*p["pattern"])
        if kind == "slice":
            return x[p["index"]]
        if kind == "reshape":
            return x.reshape(p["shape"])
        if kind == "flatten":
            return x.flatten(p["ndim"])
        if kind == "copy":
            return x.copy()

    def np_v(p, v):
        if kind == "transpose":
            return v.T if p["perm"] is None else v.transpose(p["perm"])
        if kind == "dimshuffle":
            pat = p["pattern"]
            kept = [d for d in pat if d != "x"]
            dropped = [d for d in range(v.ndim) if d not in kept]
            w = v.reshape([s for i, s in enumerate(v.shape) if i not in dropped]) if dropped else v
            order = sorted(kept)
            w = w.transpose([order.index(d) for d in kept])
            shape = []
            it = iter(w.shape)
            for d in pat:
                shape.append(1 if d == "x" else next(it))
            return w.reshape(shape)
        if kind == "slice":
            return v[p["index"]]
        if kind == "reshape":
            return v.reshape(p["shape"])
        if kind == "flatten":
            k = p["ndim"]
            return v.reshape(v.shape[:k - 1] + (int(np.prod(v.shape[k - 1:])),))
        if kind == "copy":
            return v.copy()

    def np_(n, a):
        x, e = a
        return np_v(n.params, x), np_v(n.params, e)

    def src(n, a):
        p = n.params
        if kind == "transpose":
            return "%s.T" % a if p["perm"] is None else "%s.transpose%r" % (a, tuple(p["perm"]))
        if kind == "dimshuffle":
            return "%s.dimshuffle(%s)" % (a, ", ".join(repr(d) for d in p["pattern"]))
        if kind == "slice":
            return "%s[%s]" % (a, _index_src(p["index"]))
        if kind == "reshape":
            return "%s.reshape(%r)" % (a, p["shape"])
        if kind == "flatten":
            return "%s.flatten(%d)" % (a, p["ndim"])
        if kind == "copy":
            return "%s.copy()" % a
    return Op(th, np_, src)


def _index_src(index):
    parts = []
    for i in index:
        if isinstance(i, slice):
            s = "" if i.start is None else str(i.start)
            s += ":" + ("" if i.stop is None else str(i.stop))
            if i.step is not None:
                s += ":" + str(i.step)
            parts.append(s)
        else:
            parts.append(repr(i))
    return ", ".join(parts) + ("," if len(parts) == 1 and not isinstance(index[0], slice) else "")


def _adv_index():
    def np_(n, a, i):
        (x, e), (iv, _) = a, i
        return x[iv], e[iv]
    return Op(lambda n, x, i: x[i], np_, lambda n, a, i: "%s[%s]" % (a, i))


def _set_inc(kind):
    # set/inc_subtensor of x at a basic index (params) or at ivec (3rd arg)
    def th(n, x, y, *iv):
        sub = x[iv[0]] if iv else x[n.params["index"]]
        return (T.set_subtensor if kind == "set" else T.inc_subtensor)(sub, y)

    def np_(n, a, b, *i):
        (x, e), (y, ey) = a, b
        z, err = x.copy(), e.copy()
        if i:
            idx = i[0][0]
            if kind == "set":
                z[idx] = y
                err[idx] = ey
            else:
                np.add.at(z, idx, y)
                np.add.at(err, idx, np.broadcast_to(ey, z[idx].shape) + rnd(np.broadcast_to(y, z[idx].shape), 8))
                err += rnd(z, 1)
        else:
            idx = n.params["index"]
            if kind == "set":
                z[idx] = y
                err[idx] = ey
            else:
                z[idx] += y
                err[idx] += ey
                err += rnd(z, 1)
        return z, err

    def src(n, a, b, *i):
        fn = "T.set_subtensor" if kind == "set" else "T.inc_subtensor"
        sub = i[0] if i else _index_src(n.params["index"])
        return "%s(%s[%s], %s)" % (fn, a, sub, b)
    return Op(th, np_, src)


def _dot():
    def np_(n, a, b):
        (x, ex), (y, ey) = a, b
        z = np.dot(x, y)
        k = x.shape[-1]
        ax, ay = _absd(x), _absd(y)
        err = np.dot(ax, ey) + np.dot(ex, ay) + (k + 2) * eps(z.dtype) * np.dot(ax, ay)
        return z, np.asarray(err) + rnd(z, 1)
    return Op(lambda n, a, b: T.dot(a, b), np_, lambda n, a, b: "T.dot(%s, %s)" % (a, b))


def _softmax():
    def np_(n, a):
        x, e = a
        xf = np.asarray(x, np.float64)
        m = np.max(xf, axis=-1, keepdims=True) if x.shape[-1] else xf
        ex = np.exp(xf - m)
        z = (ex / np.sum(ex, axis=-1, keepdims=True)).astype(x.dtype)
        emax = np.max(e, axis=-1, keepdims=True) if x.shape[-1] else e
        err = _absd(z) * (2 * (e + emax) + (x.shape[-1] + 4) * eps(x.dtype))
        return z, err
    return Op(lambda n, x: T.nnet.softmax(x), np_, lambda n, a: "T.nnet.softmax(%s)" % a)


def _grad():
    # d sum(cost) / d wrt: numpy has no reference (err inf); FAST_RUN is
    # compared with the evaluator only (ORACLE_RTOL)
    def th(n, c, w):
        return theano.grad(T.sum(c), w, disconnected_inputs="ignore")

    def np_(n, c, w):
        v = np.zeros(w[0].shape, dtype=w[0].dtype)
        return v, np.full(v.shape, np.inf)
    return Op(th, np_, lambda n, c, w: "theano.grad(T.sum(%s), %s, disconnected_inputs='ignore')" % (c, w))


# --------------------------------------------------------------------------
# scan: small loops in random graphs. Each kind is a step function written
# once as source (the node builds it with eval, and the reproducer prints
# it), and a numpy loop with the error bound propagated step by step as
# the elementwise ops propagate it. A while loop stops on an integer
# sequence (exact: the number of steps never depends on rounding).

SCAN_STEPS = {
    # kind: step source
    "rnn": "lambda x_t, h, a: T.tanh(x_t + a * h)",                       # sit-sot, taps [-1]
    "fib": "lambda x_t, h2, h1: 0.5 * h1 - 0.25 * h2 + x_t",              # mit-sot, taps [-2, -1]
    "seqtaps": "lambda x_m1, x_t, w: x_m1 * w - x_t",                     # sequence taps [-1, 0], nit-sot
    "map2": "lambda x_t, z_t, w: T.sin(x_t) * w + z_t",                   # two sequences, nit-sot
    "while": "lambda k_t, x_t, h: ([T.tanh(h + x_t), k_t * 2], until(k_t > %d))",  # until, sit-sot + nit-sot
}


def _scan_call(n, names):
    """The theano.scan call of node n on argument sources names, as source."""
    p = n.params
    kind, step = p["kind"], SCAN_STEPS[p["kind"]]
    if kind == "while":
        step = step % p["c"]
    extra = ""
    if p.get("n") is not None:
        extra += ", n_steps=%d" % p["n"]
    if p.get("back"):
        extra += ", go_backwards=True"
    if kind == "rnn":
        call = "sequences=%s, outputs_info=%s, non_sequences=%s" % tuple(names)
    elif kind == "fib":
        call = "sequences=%s, outputs_info=dict(initial=%s, taps=[-2, -1])" % tuple(names)
    elif kind == "seqtaps":
        call = "sequences=dict(input=%s, taps=[-1, 0]), non_sequences=%s" % tuple(names)
    elif kind == "map2":
        call = "sequences=[%s, %s], non_sequences=%s" % tuple(names)
    else:
        call = "sequences=[%s, %s], outputs_info=[%s, None]" % tuple(names)
    out = "theano.scan(%s, %s%s)[0]" % (step, call, extra)
    return out + ("[%d]" % p["which"] if kind == "while" else "")


def _scan_np(n, *args):
    p = n.params
    kind = p["kind"]
    vals = [np.asarray(v) for v, _ in args]
    errs = [np.asarray(e, np.float64) for _, e in args]
    x, ex = vals[0], errs[0]
    if p.get("back"):
        x, ex = x[::-1], ex[::-1]
    dt = x.dtype.type
    rows, rerr = [], []
    if kind == "rnn":
        h, eh, a, ea = vals[1], errs[1], vals[2], errs[2]
        for t in range(p["n"] if p.get("n") is not None else x.shape[0]):
            s = a * h
            u = x[t] + s
            y = np.tanh(u)
            eh = prop(1 - _absd(y) ** 2, ex[t] + _absd(a) * eh + _absd(h) * ea + rnd(s) + rnd(u)) + rnd(y)
            h = y
            rows.append(y)
            rerr.append(eh)
        shape = x.shape[1:]
    elif kind == "fib":
        h2, h1, e2, e1 = vals[1][0], vals[1][1], errs[1][0], errs[1][1]
        for t in range(p["n"] if p.get("n") is not None else x.shape[0]):
            y = dt(0.5) * h1 - dt(0.25) * h2 + x[t]
            ey = 0.5 * e1 + 0.25 * e2 + ex[t] + 3 * rnd(y) + rnd(dt(0.5) * h1) + rnd(dt(0.25) * h2)
            h2, h1, e2, e1 = h1, y, e1, ey
            rows.append(y)
            rerr.append(ey)
        shape = x.shape[1:]
    elif kind == "seqtaps":
        w, ew = vals[1], errs[1]
        for t in range(1, x.shape[0]):
            y = x[t - 1] * w - x[t]
            rows.append(y)
            rerr.append(prop(w, ex[t - 1]) + prop(x[t - 1], ew) + ex[t] + 2 * rnd(y) + rnd(x[t - 1] * w))
        shape = x.shape[1:]
    elif kind == "map2":
        z, ez, w, ew = vals[1], errs[1], vals[2], errs[2]
        steps = min(x.shape[0], z.shape[0]) if p.get("n") is None else p["n"]
        for t in range(steps):
            sx = np.sin(x[t])
            y = sx * w + z[t]
            rows.append(y)
            rerr.append(prop(w, ex[t] + rnd(sx)) + prop(sx, ew) + ez[t] + 2 * rnd(y) + rnd(sx * w))
        shape = x.shape[1:]
    else:  # while: k (int sequence, exact), x, h0
        k, xs, exs, h, eh = vals[0], vals[1], errs[1], vals[2], errs[2]
        steps = min(k.shape[0], xs.shape[0]) if p.get("n") is None else p["n"]
        for t in range(steps):
            u = h + xs[t]
            y = np.tanh(u)
            eh = prop(1 - _absd(y) ** 2, eh + exs[t] + rnd(u)) + rnd(y)
            h = y
            if p["which"] == 0:
                rows.append(y)
                rerr.append(eh)
            else:
                rows.append(k[t] * weak(2))  # Theano's type: uint8 * 2 is int16
                rerr.append(np.zeros(()))
            if k[t] > p["c"]:
                break
        dt = (xs.dtype if p["which"] == 0 else (k[:0] * weak(2)).dtype).type
        shape = xs.shape[1:] if p["which"] == 0 else ()
    if not rows:
        return np.zeros((0,) + shape, dtype=dt), np.zeros((0,) + shape)
    return np.stack([np.asarray(r, dtype=dt) for r in rows]), np.stack([np.broadcast_to(e, np.shape(r)) for e, r in zip(rerr, rows)])


def _scan():
    def th(n, *args):
        names = ["_a%d" % i for i in range(len(args))]
        return eval(_scan_call(n, names), {"theano": theano, "T": T, "until": until, **dict(zip(names, args))})
    return Op(th, _scan_np, lambda n, *a: _scan_call(n, list(a)))



# gradients: FAST_RUN vs the evaluator within this relative tolerance of the
# result's largest magnitude (reductions in the backward pass fold freely)
ORACLE_RTOL = {"float64": 1e-9, "float32": 2e-4}

OPS = {}
for _n in UNARY:
    OPS[_n] = _unary(_n)
for _n in BINARY:
    OPS[_n] = _binary(_n)
for _n in COMPARE:
    OPS[_n] = _compare(COMPARE, _n)
for _n in LOGIC:
    OPS[_n] = _compare(LOGIC, _n)
OPS["const"] = _const_binary()
OPS["switch"] = _switch()
OPS["ifelse"] = _ifelse()
OPS["clip"] = _clip()
OPS["cast"] = _cast()
OPS["reduce"] = _reduce()
for _k in ("transpose", "dimshuffle", "slice", "reshape", "flatten", "copy"):
    OPS[_k] = _view(_k)
OPS["adv_index"] = _adv_index()
OPS["set"] = _set_inc("set")
OPS["inc"] = _set_inc("inc")
OPS["dot"] = _dot()
OPS["softmax"] = _softmax()
OPS["grad"] = _grad()
OPS["scan"] = _scan()


# --------------------------------------------------------------------------
# the generator


def compatible(nodes):
    """Whether the nodes broadcast together under Theano's rules (only
    broadcastable dimensions stretch; missing leading ones are broadcastable)."""
    k = max(n.ndim for n in nodes)
    for i in range(1, k + 1):
        lens = {n.shape[-i] for n in nodes if n.ndim >= i and not n.bcast[-i]}
        if len(lens) > 1:
            return False
    return True


def kind_of(dtype):
    """'f', 'i' (signed or unsigned) or 'b'."""
    k = np.dtype(dtype).kind
    return "i" if k == "u" else k


class Generator:
    def __init__(self, seed, max_rank=3, max_len=4, n_ops=None):
        self.g = Graph(seed)
        self.rng = self.g.rng
        self.max_rank, self.max_len = max_rank, max_len
        self.n_ops = n_ops if n_ops is not None else int(self.rng.integers(4, 20))
        self.type_errors = []
        # scans draw from a stream of their own: a seed whose graph holds
        # no scan is the graph it was before scans were fuzzed
        self.scan_rng = np.random.default_rng([seed, 12])

    # -- leaves -------------------------------------------------------------
    def shape(self, rank=None):
        rank = int(self.rng.integers(0, self.max_rank + 1)) if rank is None else rank
        # lengths 0..max_len, 0 rarely
        return tuple(int(self.rng.choice([0, 1, 2, 3, 4, 5], p=[.06, .22, .24, .2, .16, .12])) for _ in range(rank))

    def array(self, shape, dtype):
        d = np.dtype(dtype)
        if d.kind == "b":
            return self.rng.random(shape) < 0.5
        if d.kind == "u":
            return self.rng.integers(0, 10, size=shape).astype(d)
        if d.kind == "i":
            return self.rng.integers(-5, 6, size=shape).astype(d)
        v = self.rng.uniform(-3, 3, size=shape)
        v[self.rng.random(shape) < 0.1] = 0
        return v.astype(d)

    def dtype(self, kinds="fib"):
        opts = []
        if "f" in kinds:
            opts += FLOATS * 3
        if "i" in kinds:
            opts += INTS
        if "b" in kinds:
            opts += ["bool"]
        return str(self.rng.choice(opts))

    def new_input(self, shape, dtype, bcast=None):
        g = self.g
        if bcast is None:
            bcast = tuple(bool(s == 1 and self.rng.random() < 0.7) for s in shape)
        name = "v%d" % len(g.nodes)
        var = T.TensorType(dtype, bcast)(name)
        g.values[name] = self.array(shape, dtype)
        n = g.add("input", [], {}, var)
        g.inputs.append(n)
        return n

    def new_shared(self, shape, dtype):
        g = self.g
        name = "v%d" % len(g.nodes)
        val = self.array(shape, dtype)
        var = theano.shared(val.copy(), name=name)
        g.values[name] = val
        n = g.add("shared", [], {}, var)
        g.shared.append(n)
        return n

    def index_vector(self, length, n, unique=False):
        """An integer vector input indexing an axis of `length`: in range, negative too, repeats
        (unless unique: repeated assignments have no defined order)."""
        g = self.g
        dtype = str(self.rng.choice(["int64", "int32"]))
        name = "v%d" % len(g.nodes)
        var = T.TensorType(dtype, (False,))(name)
        v = self.rng.integers(-length, length, size=n) if length else np.zeros(0, int)
        if unique and length:
            v = np.unique(v % length) - (length if self.rng.random() < 0.5 else 0)
        g.values[name] = v.astype(dtype)
        node = g.add("input", [], {}, var)
        g.inputs.append(node)
        g.index_inputs.append((node, length))
        return node

    # -- building ----------------------------------------------------------
    def pick(self, pred=lambda n: True):
        idx = [i for i, _ in self.g.index_inputs]
        cands = [n for n in self.g.nodes if pred(n) and n not in idx]
        if not cands:
            return None
        # favour recent nodes: deeper graphs
        w = np.arange(1, len(cands) + 1, dtype=float) ** 1.5
        return cands[int(self.rng.choice(len(cands), p=w / w.sum()))]

    def operand(self, kinds, rank=None):
        n = self.pick(lambda n: kind_of(n.dtype) in kinds and (rank is None or n.ndim in rank))
        if n is None or self.rng.random() < 0.08:
            r = int(self.rng.choice(rank)) if rank else None
            n = self.new_input(self.shape(r), self.dtype(kinds))
        return n

    def partner(self, a, kinds):
        """A node that broadcasts with a (Theano's rules: only broadcastable dims stretch)."""
        def fits(b):
            if kind_of(b.dtype) not in kinds:
                return False
            k = min(a.ndim, b.ndim)
            for i in range(1, k + 1):
                sa, sb = a.shape[-i], b.shape[-i]
                if sa != sb and not (a.bcast[-i] or b.bcast[-i]):
                    return False
            # a type-level broadcastable dim meeting a non-1 length still works if the other is bcast
            return True
        if self.rng.random() < 0.75:
            idx = [i for i, _ in self.g.index_inputs]
            cands = [b for b in self.g.nodes if fits(b) and b is not a and b not in idx]
            if cands:
                return cands[int(self.rng.integers(len(cands)))]
        # a fresh input: a's shape with some dims 1 (broadcastable), some leading dims dropped
        drop = int(self.rng.integers(0, a.ndim + 1)) if self.rng.random() < 0.4 else 0
        shape, bcast = [], []
        for i in range(drop, a.ndim):
            if self.rng.random() < 0.25:
                shape.append(1)
                bcast.append(True)
            else:
                shape.append(a.shape[i])
                bcast.append(a.bcast[i] and a.shape[i] == 1)
        return self.new_input(tuple(shape), self.dtype(kinds), tuple(bcast))

    def build(self, op, args, params=None):
        params = params or {}
        node = Node.__new__(Node)
        node.params = params
        try:
            var = OPS[op].th(node, *[a.var for a in args])
        except (TypeError, ValueError, NotImplementedError) as e:
            if op == "grad":
                raise Skip
            # the generator meant a valid expression: theanogo refused it
            raise TypeMismatch("building %s raised %s: %s" % (
                OPS[op].src(node, *[a.name for a in args]), type(e).__name__, str(e).split("\n")[0]))
        return self.g.add(op, args, params, var)

    def step(self):
        if self.scan_rng.random() < SCAN_RATE:
            main, self.rng = self.rng, self.scan_rng
            try:
                return self.gen_scan()
            finally:
                self.rng = main
        r = self.rng.random()
        choices = ["unary", "binary", "const", "compare", "switch", "clip", "cast", "reduce", "transpose",
                   "dimshuffle", "slice", "reshape", "adv_index", "set_inc", "dot", "softmax", "logic", "reuse",
                   "ifelse"]
        weights = [12, 14, 5, 4, 4, 2, 4, 9, 4, 4, 7, 6, 3, 4, 4, 2, 1, 6, 5]
        w = np.array(weights, float)
        kind = choices[int(self.rng.choice(len(choices), p=w / w.sum()))]
        return getattr(self, "gen_" + kind)()

    def gen_reuse(self):
        """A value used several times: f(y) op y, dot(g(y), y) (y = x.T.flatten() is the classic)."""
        y = self.operand("f")
        if y.ndim == 1 and self.rng.random() < 0.4:
            u = self.build(str(self.rng.choice(["exp", "tanh", "sin", "sqr"])), [y])
            return self.build("dot", [u, y])
        u = self.build(str(self.rng.choice(list(UNARY))), [y]) if self.rng.random() < 0.6 else y
        return self.build(str(self.rng.choice(list(BINARY))), [u, y])

    def gen_unary(self):
        a = self.operand("f")
        name = str(self.rng.choice(list(UNARY)))
        return self.build(name, [a])

    def gen_binary(self):
        name = str(self.rng.choice(list(BINARY)))
        kinds = "f" if name == "true_div" and self.rng.random() < 0.5 else "fi"
        a = self.operand(kinds)
        b = self.partner(a, kinds)
        if self.rng.random() < 0.5:
            a, b = b, a
        return self.build(name, [a, b])

    def gen_const(self):
        a = self.operand("fi")
        k = str(self.rng.choice(["add", "sub", "mul", "pow", "floordiv", "mod"]))
        kind = kind_of(a.dtype)
        if kind == "f":
            c = float(self.rng.choice([0.5, 2.0, -1.5, 3.0])) if k != "pow" else int(self.rng.choice([2, 3]))
        else:
            c = int(self.rng.choice([2, 3, 7]))
            if k == "sub" and np.dtype(a.dtype).kind == "u":
                k = "add"
        return self.build("const", [a], {"k": k, "c": c})

    def gen_compare(self):
        a = self.operand("fi")
        b = self.partner(a, "fi" if kind_of(a.dtype) == "f" else "i")
        return self.build(str(self.rng.choice(list(COMPARE))), [a, b])

    def gen_logic(self):
        a = self.operand("b")
        b = self.partner(a, "b")
        return self.build(str(self.rng.choice(list(LOGIC))), [a, b])

    def gen_switch(self):
        c = self.operand("b")
        a = self.partner(c, "fi")
        b = self.partner(a, kind_of(a.dtype))
        if not compatible([c, a, b]):
            raise Skip
        return self.build("switch", [c, a, b])

    def gen_ifelse(self):
        """ifelse on a scalar condition (a computed scalar, or an input), with
        two branches of the same type and shape."""
        c = self.pick(lambda n: n.ndim == 0 and kind_of(n.dtype) in "fib")
        if c is None or self.rng.random() < 0.4:
            c = self.new_input((), self.dtype("bi"))
        a = self.operand("fi")
        same = [b for b in self.g.nodes if b is not a and b.dtype == a.dtype and b.shape == a.shape
                and b.bcast == a.bcast and b not in [i for i, _ in self.g.index_inputs]]
        if same and self.rng.random() < 0.7:
            b = same[int(self.rng.integers(len(same)))]
        else:
            b = self.new_input(a.shape, a.dtype, a.bcast)
        if self.rng.random() < 0.3:  # a branch of its own work
            b = self.build(str(self.rng.choice(["exp", "tanh", "sqr", "neg"])), [b]) if kind_of(b.dtype) == "f" else b
        if self.rng.random() < 0.5:
            a, b = b, a
        return self.build("ifelse", [c, a, b])

    def gen_scan(self):
        """A small scan over values of the graph (or new inputs): an RNN, a
        recurrence with taps [-2, -1], sequence taps, a map over two
        sequences, or now and then a while loop (until)."""
        kinds = ["rnn", "fib", "seqtaps", "map2", "while"]
        kind = kinds[int(self.rng.choice(len(kinds), p=[.3, .2, .2, .15, .15]))]
        x = self.operand("fi" if kind == "seqtaps" else "f", rank=[1, 2, 3])
        if x.var.type.shape[0] == 0:
            raise Skip  # a sequence statically empty: scan refuses it when built (a dynamic one runs no step)
        if kind == "seqtaps" and (x.shape[0] < 1 or (x.bcast[0] and x.shape[0] < 2)):
            raise Skip
        row, rb = x.shape[1:], x.bcast[1:]

        def like(shape, bcast, dtype):
            n = self.pick(lambda n: n.shape == tuple(shape) and n.bcast == tuple(bcast) and n.dtype == dtype)
            return n if n is not None and self.rng.random() < 0.6 else self.new_input(tuple(shape), dtype, tuple(bcast))

        params = {"kind": kind}
        if kind == "rnn":
            args = [x, like(row, rb, x.dtype), like((), (), x.dtype)]
            params["back"] = bool(self.rng.random() < 0.3)
        elif kind == "fib":
            args = [x, self.new_input((2,) + row, x.dtype, (False,) + rb)]
        elif kind == "seqtaps":
            args = [x, like((), (), x.dtype)]
        elif kind == "map2":
            z = like((int(self.rng.integers(0, 5)),) + row, (False,) + rb, x.dtype)
            if z.var.type.shape[0] == 0:
                raise Skip
            args = [x, z, like((), (), x.dtype)]
        else:
            k = self.new_input((int(self.rng.integers(0, 6)),), str(self.rng.choice(INTS)), (False,))
            args = [k, x, like(row, rb, x.dtype)]
            params["c"] = int(self.rng.integers(-2, 5))
            params["which"] = int(self.rng.integers(0, 2))
        if kind != "seqtaps" and not params.get("back") and self.rng.random() < 0.25:
            bound = min(a.shape[0] for a in args[:2 if kind in ("map2", "while") else 1])
            params["n"] = int(self.rng.integers(0, bound + 1))
        return self.build("scan", args, params)

    def gen_clip(self):
        a = self.operand("f")
        lo = float(self.rng.choice([-2.0, -1.0, 0.0]))
        return self.build("clip", [a], {"lo": lo, "hi": lo + float(self.rng.choice([0.5, 1.0, 2.5]))})

    def gen_cast(self):
        a = self.operand("fib")
        d = self.dtype("fib")
        if d == a.dtype:
            raise Skip
        if kind_of(a.dtype) == "f" and np.dtype(d).kind in "iu" and self.rng.random() < 0.7:
            a = self.build("clip", [a], {"lo": -100.0, "hi": 100.0})
        return self.build("cast", [a], {"dtype": d})

    def gen_reduce(self):
        kind = str(self.rng.choice(["sum", "sum", "prod", "max", "min", "mean", "argmax", "argmin"]))
        a = self.operand("fi" if kind not in ("prod",) else "f")
        if a.ndim == 0 and kind in ("argmax", "argmin"):
            raise Skip
        r = self.rng.random()
        if a.ndim == 0 or r < 0.2:
            axis = None
        elif r < 0.7 or kind in ("argmax", "argmin"):
            axis = int(self.rng.integers(-a.ndim, a.ndim))
        else:
            k = int(self.rng.integers(1, a.ndim + 1))
            axis = tuple(sorted(int(i) for i in self.rng.choice(a.ndim, size=k, replace=False)))
        if kind in ("max", "min", "argmax", "argmin"):
            axes = range(a.ndim) if axis is None else ([axis] if isinstance(axis, int) else axis)
            if any(a.shape[i] == 0 for i in axes):
                raise Skip
        self.g.has_reduction = True
        return self.build("reduce", [a], {"kind": kind, "axis": axis, "keepdims": bool(self.rng.random() < 0.4)})

    def gen_transpose(self):
        a = self.operand("fib", rank=[2, 3, 4])
        perm = None if self.rng.random() < 0.5 else [int(i) for i in self.rng.permutation(a.ndim)]
        return self.build("transpose", [a], {"perm": perm})

    def gen_dimshuffle(self):
        a = self.operand("fib")
        kept = [d for d in range(a.ndim) if not (a.bcast[d] and self.rng.random() < 0.5)]
        kept = [int(d) for d in self.rng.permutation(kept)] if len(kept) > 1 else kept
        pat = list(kept)
        n_x = int(self.rng.integers(0, 3))
        if self.rng.random() < 0.05:
            n_x = 33 - len(pat)  # rank 33 (> TG_MAXDIM)
        for _ in range(n_x):
            pat.insert(int(self.rng.integers(0, len(pat) + 1)), "x")
        return self.build("dimshuffle", [a], {"pattern": pat})

    def gen_slice(self):
        a = self.operand("fib", rank=[1, 2, 3, 4])
        index = []
        for d in range(int(self.rng.integers(1, a.ndim + 1))):
            n = a.shape[d]
            if n > 0 and self.rng.random() < 0.2:
                index.append(int(self.rng.integers(-n, n)))
                continue
            step = int(self.rng.choice([1, 1, 2, -1, -2, 3, None]) or 0) or None
            start = None if self.rng.random() < 0.4 else int(self.rng.integers(-n - 1, n + 2))
            stop = None if self.rng.random() < 0.4 else int(self.rng.integers(-n - 1, n + 2))
            index.append(slice(start, stop, step))
        return self.build("slice", [a], {"index": tuple(index)})

    def gen_reshape(self):
        a = self.operand("fib")
        if a.ndim >= 2 and self.rng.random() < 0.6:
            # a non-contiguous view first: x.T, x[::-1]
            if self.rng.random() < 0.5:
                a = self.build("transpose", [a], {"perm": None})
            else:
                a = self.build("slice", [a], {"index": (slice(None, None, -1),)})
        if self.rng.random() < 0.4:
            return self.build("flatten", [a], {"ndim": int(self.rng.integers(1, max(a.ndim, 1) + 1))})
        size = int(np.prod(a.shape))
        shape = []
        rest = size
        for _ in range(int(self.rng.integers(0, 4))):
            divs = [d for d in range(1, 6) if rest % d == 0] if rest else [0, 1, 2]
            d = int(self.rng.choice(divs))
            shape.append(d)
            rest = rest // d if d else 0
        if size:
            shape.append(rest)
        elif 0 not in shape:
            shape.append(0)
        if self.rng.random() < 0.3 and size:
            shape[int(self.rng.integers(len(shape)))] = -1
            if shape.count(-1) > 1:
                raise Skip
        return self.build("reshape", [a], {"shape": tuple(shape)})

    def gen_adv_index(self):
        a = self.operand("fib", rank=[1, 2, 3])
        iv = self.index_vector(a.shape[0], int(self.rng.integers(0, 5)) if a.shape[0] else 0)
        return self.build("adv_index", [a, iv])

    def gen_set_inc(self):
        kind = str(self.rng.choice(["set", "inc"]))
        x = self.operand("fi", rank=[1, 2, 3])
        if self.rng.random() < 0.5:
            iv = self.index_vector(x.shape[0], int(self.rng.integers(0, 5)) if x.shape[0] else 0, kind == "set")
            sub_shape = (len(self.g.values[iv.name]),) + x.shape[1:]
            extra = [iv]
            params = {}
        else:
            n = x.shape[0]
            sl = slice(None if self.rng.random() < 0.5 else int(self.rng.integers(-n, n + 1)), None,
                       int(self.rng.choice([1, 2, -1])))
            index = (sl,)
            sub_shape = np.empty(x.shape, bool)[index].shape
            extra = []
            params = {"index": index}
        idx = [i for i, _ in self.g.index_inputs]
        y = self.pick(lambda n: n.shape == sub_shape and n.dtype == x.dtype and n not in idx)
        if y is None or self.rng.random() < 0.3:
            shape = sub_shape if self.rng.random() < 0.7 else sub_shape[1:]
            y = self.new_input(shape, x.dtype, tuple(False for _ in shape))
        return self.build(kind, [x, y] + extra, params)

    def gen_dot(self):
        a = self.operand("f", rank=[1, 2])
        k = a.shape[-1]
        rank = int(self.rng.integers(1, 3))
        cands = [b for b in self.g.nodes if b.dtype == a.dtype and b.ndim in (1, 2) and b.shape[0] == k
                 and b.op != "input"]
        if cands and self.rng.random() < 0.6:
            b = cands[int(self.rng.integers(len(cands)))]
        else:
            b = self.new_input((k,) + self.shape(rank - 1), a.dtype, tuple(False for _ in range(rank)))
        if self.rng.random() < 0.2:
            # the known case: y = x.T.flatten(); dot(exp(y), y)
            pass
        return self.build("dot", [a, b])

    def gen_softmax(self):
        a = self.operand("f", rank=[2])
        return self.build("softmax", [a])

    # -- the whole graph ---------------------------------------------------
    def generate(self):
        g, rng = self.g, self.rng
        for _ in range(int(rng.integers(1, 3))):
            self.new_input(self.shape(), self.dtype("fi"))
        for _ in range(int(rng.integers(0, 3))):
            self.new_shared(self.shape(int(rng.integers(0, 3))), self.dtype("fi"))
        built = 0
        tries = 0
        while built < self.n_ops and tries < self.n_ops * 6:
            tries += 1
            try:
                self.step()
                built += 1
            except Skip:
                pass
            except TypeMismatch as e:
                self.type_errors.append(str(e))
        computed = [n for n in g.nodes if n.op not in ("input", "shared")]
        outs = list(computed[-2:]) if computed else []
        for n in computed[:-2]:
            if rng.random() < 0.15 or n.ndim > 32:
                outs.append(n)
        if outs and rng.random() < 0.2:
            outs.append(outs[int(rng.integers(len(outs)))])  # the same variable twice
        if rng.random() < 0.15:
            outs.append(g.inputs[int(rng.integers(len(g.inputs)))])  # an input as output
        if outs and rng.random() < 0.2:
            o = outs[int(rng.integers(len(outs)))]
            try:
                v = self.build("transpose", [o], {"perm": None}) if o.ndim >= 2 else \
                    self.build("slice", [o], {"index": (slice(None, None, -1),)}) if o.ndim == 1 else \
                    self.build("dimshuffle", [o], {"pattern": ["x"]})
                outs.append(v)  # an output that is a view of another
            except (Skip, TypeMismatch):
                pass
        if rng.random() < 0.3:
            self.add_grads(outs)
        if not outs:
            outs = [g.inputs[0]]
        g.outputs = outs
        for s in g.shared:
            if rng.random() < 0.8:
                try:
                    g.updates.append((s, self.update_for(s)))
                except (Skip, TypeMismatch):
                    pass
        return g

    def add_grads(self, outs):
        """Gradients of a float output with respect to float inputs it depends on."""
        fl = [o for o in outs if kind_of(o.dtype) == "f" and o.op not in ("input", "shared")]
        if not fl:
            return
        c = fl[int(self.rng.integers(len(fl)))]
        wrts = [n for n in reachable_from([c]) if self.g.by_name_all(n).op in ("input", "shared")
                and kind_of(self.g.by_name_all(n).dtype) == "f"]
        for w in wrts[:2]:
            try:
                outs.append(self.build("grad", [c, self.g.by_name_all(w)]))
            except (Skip, TypeMismatch, NotImplementedError):
                pass

    def update_for(self, s):
        """An update of s of its exact type: elementwise on s (in place), or set/inc_subtensor."""
        kind = kind_of(s.dtype)
        r = self.rng.random()
        if s.ndim >= 1 and r < 0.3:
            xs = self.operand_for_shape(s.shape[1:] if self.rng.random() < 0.5 else s.shape, s.dtype)
            if xs.shape != s.shape[1:] and xs.shape != s.shape:
                raise Skip
            if xs.shape == s.shape[1:]:
                iv = self.index_vector(s.shape[0], int(self.rng.integers(0, 4)) if s.shape[0] else 0)
                y = self.build("dimshuffle", [xs], {"pattern": ["x"] + list(range(xs.ndim))}) \
                    if self.rng.random() < 0.5 else xs
                u = self.build("inc", [s, y, iv])
            else:
                u = self.build("set", [s, xs], {"index": (slice(None, None, -1),)})
        else:
            b = self.partner(s, kind)
            u = self.build(str(self.rng.choice(["add", "sub", "maximum"])), [s, b])
        if u.dtype != s.dtype:
            u = self.build("cast", [u], {"dtype": s.dtype})
        if u.bcast != s.bcast or u.shape != s.shape:
            raise Skip
        return u

    def operand_for_shape(self, shape, dtype):
        n = self.pick(lambda n: n.shape == tuple(shape) and n.dtype == dtype)
        if n is None:
            n = self.new_input(tuple(shape), dtype, tuple(False for _ in shape))
        return n


# --------------------------------------------------------------------------
# checking


class Failure(Exception):
    pass


def compare(what, got, want, err, exact_ulps=None):
    """Raise Failure unless got matches want within the bound err."""
    got = np.asarray(got)
    if got.shape != want.shape:
        raise Failure("%s: shape %s, want %s" % (what, got.shape, want.shape))
    if got.dtype != want.dtype:
        raise Failure("%s: dtype %s, want %s" % (what, got.dtype, want.dtype))
    checked = np.isfinite(err)
    if want.dtype.kind != "f":
        bad = checked & (got != want)
    else:
        g, w = got.astype(np.float64), want.astype(np.float64)
        e = eps(want.dtype)
        with np.errstate(all="ignore"):
            tol = SAFETY * err + ULP_OUT * e * np.abs(w) + (np.finfo(want.dtype).tiny * 4)
            if exact_ulps is not None:
                tol = exact_ulps * e * np.abs(w) + np.finfo(want.dtype).tiny * 4
            finite = np.isfinite(w)
            bad_f = finite & ~(np.abs(g - w) <= tol)
            bad_nf = ~finite & ~((np.isnan(w) & np.isnan(g)) | (g == w))
        bad = checked & (bad_f | bad_nf)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise Failure("%s: %d of %d elements differ; first at %s: got %r, want %r (bound %.3g)" % (
            what, int(bad.sum()), bad.size, idx, got[idx].item(), want[idx].item(), err[idx]))


def run_mode(g, mode, args, shared_init):
    """Compile in mode and call twice from shared_init; returns per call
    (outputs, shared values after), the function, and the arrays handed in."""
    for s in g.shared:
        s.var.set_value(shared_init[s.name].copy())
    f = theano.function([n.var for n in g.inputs], [n.var for n in g.outputs],
                        updates=[(s.var, u.var) for s, u in g.updates], mode=mode, on_unused_input="ignore")
    calls = []
    for _ in range(2):
        given = [a.copy() for a in args]
        before = [a.copy() for a in given]
        out = f(*given)
        if not isinstance(out, (list, tuple)):
            out = [out]
        for i, (a, b) in enumerate(zip(given, before)):
            if not np.array_equal(a, b, equal_nan=True):
                raise Failure("%s: the call modified input %s" % (_mode_name(mode), g.inputs[i].name))
        shared_after = {s.name: s.var.get_value() for s in g.shared}
        _check_aliasing(g, mode, out, given)
        calls.append(([np.asarray(o).copy() for o in out], {k: v.copy() for k, v in shared_after.items()}, out))
    return f, calls


def _check_aliasing(g, mode, out, given):
    for i, o in enumerate(out):
        o = np.asarray(o)
        for j, a in enumerate(given):
            if np.shares_memory(o, a):
                raise Failure("%s: output %d shares memory with input %s" % (_mode_name(mode), i, g.inputs[j].name))
        for s in g.shared:
            if np.shares_memory(o, s.var.get_value(borrow=True)):
                raise Failure("%s: output %d shares memory with the value of shared %s" % (
                    _mode_name(mode), i, s.name))
        for k in range(i):
            if np.shares_memory(o, np.asarray(out[k])) and o.size:
                raise Failure("%s: outputs %d and %d share memory" % (_mode_name(mode), k, i))


def _mode_name(mode):
    return mode if isinstance(mode, str) else "Mode(linker='py', optimizer='fast_run')"


def expected(g, env):
    vals = g.evaluate(env)
    outs = [vals[n.name] for n in g.outputs]
    new_shared = {}
    for s in g.shared:
        v = env[s.name]
        new_shared[s.name] = v if isinstance(v, tuple) else (v, np.zeros(v.shape))
    for s, u in g.updates:
        new_shared[s.name] = vals[u.name]
    return outs, new_shared


def check_graph(g, modes=("FAST_RUN", "EVAL", "FAST_COMPILE"), log=None):
    """Run g in each mode and compare; returns a list of failure messages."""
    failures = []
    args = [g.values[n.name] for n in g.inputs]
    shared_init = {s.name: g.values[s.name] for s in g.shared}
    # what numpy says, for the first and second call
    want1, sh1 = expected(g, {**g.values})
    # call 2 starts from call 1's shared values, each within its bound
    env2 = {**g.values, **sh1}
    want2, sh2 = expected(g, env2)
    wants = [(want1, sh1), (want2, sh2)]
    # an update numpy cannot model (a gradient: infinite bound) leaves the
    # state before call 2 unknown to numpy: call 2 is then checked only
    # between the backends
    numpy_calls = 2 if all(np.all(np.isfinite(e)) for _, e in sh1.values()) else 1
    results = {}
    pure_elemwise = all(n.op in UNARY or n.op in BINARY or n.op in ("const", "clip", "switch", "cast", "input",
                                                                      "shared") or n.op in COMPARE or n.op in LOGIC
                        for n in g.nodes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for m in modes:
            mode = theano.Mode(linker="py", optimizer="fast_run") if m == "EVAL" else m
            try:
                f, calls = run_mode(g, mode, args, shared_init)
            except Failure as e:
                failures.append(str(e))
                continue
            except Exception as e:  # a crash or an unexpected exception
                if m == "FAST_RUN" and "above the C++ backend's maximum" in str(e):
                    # The documented refusal of rank > 32 (cxx_fallback=raise
                    # under --sanitize); without it FAST_RUN falls back.
                    if log is not None:
                        log.append("FAST_RUN refused: %s" % e)
                    continue
                failures.append("%s: %s: %s" % (m, type(e).__name__, e))
                continue
            if m == "FAST_RUN" and f.backend != "cxx":
                if log is not None:
                    log.append("FAST_RUN ran on %s" % f.backend)
            # (a variable of rank above 32 sends the whole function to the evaluator, as documented)
            if m == "FAST_RUN" and any(n.op == "scan" for n in g.nodes) and all(n.ndim <= 32 for n in g.nodes):
                on_eval = [e for e in f.maker.evaluator_nodes if "scan" in e]
                if f.backend != "cxx" or on_eval:
                    failures.append("FAST_RUN: a scan does not run in the kernel (backend %s, evaluator nodes %s)" % (
                        f.backend, on_eval))
                elif log is not None:
                    log.append("scan in the kernel")
            results[m] = (f, calls)
            for c, ((outs, shared_after, _), (want, want_sh)) in enumerate(zip(calls[:numpy_calls], wants)):
                for i, (o, (w, e)) in enumerate(zip(outs, want)):
                    try:
                        compare("%s call %d output %d (%s)" % (m, c + 1, i, g.outputs[i].name), o, w, e)
                    except Failure as ex:
                        failures.append(str(ex))
                for s in g.shared:
                    w, e = want_sh[s.name]
                    try:
                        compare("%s call %d shared %s after the call" % (m, c + 1, s.name), shared_after[s.name], w, e)
                    except Failure as ex:
                        failures.append(str(ex))
    # FAST_RUN against the evaluator on the same optimized graph
    if "FAST_RUN" in results and "EVAL" in results:
        for c in range(2):
            (oc, sc, _), (oe, se, _) = results["FAST_RUN"][1][c], results["EVAL"][1][c]
            want, want_sh = wants[c]
            for i, (a, b) in enumerate(zip(oc, oe)):
                err = want[i][1]
                if err.shape != np.shape(b):  # numpy disagrees on the shape (reported above)
                    err = np.zeros(np.shape(b))
                if g.outputs[i].op == "grad" and np.asarray(b).dtype.kind == "f":
                    bb = np.abs(np.asarray(b, np.float64))
                    m = np.max(bb[np.isfinite(bb)], initial=0.0)
                    err = ORACLE_RTOL[np.asarray(b).dtype.name] * (bb + m) / SAFETY
                try:
                    # ulps of the output's own dtype bound an elementwise graph
                    # only when no float node is coarser: a float32 op (libm's
                    # log1pf against Go's rounded float64) is off by ulps of
                    # float32, which a float64 result only carries
                    coarser = any(np.dtype(n.dtype).kind == "f" and eps(np.dtype(n.dtype)) > eps(np.asarray(b).dtype)
                                  for n in g.nodes)
                    if pure_elemwise and not coarser and np.asarray(b).dtype.kind == "f":
                        compare("FAST_RUN vs evaluator call %d output %d (elementwise, %d ulps)" % (c + 1, i, ULP_ELEMWISE),
                                a, np.asarray(b), np.where(np.isfinite(err), 0.0, np.inf), exact_ulps=ULP_ELEMWISE)
                    else:
                        compare("FAST_RUN vs evaluator call %d output %d" % (c + 1, i), a, np.asarray(b), err)
                except Failure as ex:
                    failures.append(str(ex))
    # a call with an out-of-range index raises IndexError and changes nothing
    if g.index_inputs and "FAST_RUN" in results:
        failures += check_bad_index(g, results)
    return failures


def reachable(g):
    seen, stack = set(), list(g.outputs) + [u for _, u in g.updates]
    while stack:
        n = stack.pop()
        if n.name in seen:
            continue
        seen.add(n.name)
        stack += n.args
    return seen


def check_bad_index(g, results):
    """Call with an index out of range: FAST_RUN and the evaluator (same
    optimized graph) raise IndexError alike (none when the optimizer removed
    the indexing), and a call that raised changes no shared variable."""
    fails = []
    live = reachable(g)
    used = [n.args[-1] for n in g.nodes if n.name in live and (
        n.op == "adv_index" or (n.op in ("set", "inc") and len(n.args) == 3))]
    cands = [(n, length) for n, length in g.index_inputs if n in used and g.values[n.name].size]
    if not cands:
        return fails
    node, length = cands[0]
    j = g.inputs.index(node)
    args = [g.values[n.name].copy() for n in g.inputs]
    args[j][-1] = length + 3
    raised = {}
    for m in ("EVAL", "FAST_RUN"):
        if m not in results:
            continue
        f = results[m][0]
        before = {s.name: s.var.get_value().copy() for s in g.shared}
        borrowed = {s.name: s.var.get_value(borrow=True) for s in g.shared}
        held = {k: v.copy() for k, v in borrowed.items()}
        try:
            f(*[a.copy() for a in args])
            raised[m] = None
        except IndexError:
            raised[m] = "IndexError"
        except Exception as e:
            raised[m] = "%s: %s" % (type(e).__name__, e)
            fails.append("%s: index %d out of range for an axis of %d raised %s, not IndexError" % (
                m, length + 3, length, raised[m]))
        for s in g.shared:
            now = s.var.get_value()
            if not np.array_equal(now, before[s.name], equal_nan=True):
                fails.append("%s: a call that raised %s changed shared %s: %s -> %s" % (
                    m, raised[m], s.name, before[s.name], now) if raised[m] else
                    "" and None)
            elif raised[m] and not np.array_equal(borrowed[s.name], held[s.name], equal_nan=True):
                fails.append("%s: a call that raised wrote into shared %s's array" % (m, s.name))
    fails = [f for f in fails if f]
    if "EVAL" in raised and "FAST_RUN" in raised and raised["EVAL"] != raised["FAST_RUN"]:
        fails.append("index %d out of range for an axis of %d (input %s): the evaluator raised %s, FAST_RUN %s" % (
            length + 3, length, node.name, raised["EVAL"], raised["FAST_RUN"]))
    return fails


def rebuild(g, outputs, updates, cut=()):
    """A new graph computing outputs and updates (names in g), where each
    node named in cut becomes a fresh input holding its value."""
    h = Graph(g.seed)
    h.type_errors = []
    live = reachable_from([g.by_name[o] for o in outputs] + [g.by_name[u] for _, u in updates], cut)
    m = {}
    for n in g.nodes:
        if n.name not in live:
            continue
        name = "v%d" % len(h.nodes)
        if n.op == "input" or n.name in cut:
            v = g._vals[n.name][0] if n.name in cut else g.values[n.name]
            h.values[name] = v
            nn = h.add("input", [], {}, T.TensorType(n.dtype, n.bcast)(name))
            h.inputs.append(nn)
            for iv, length in g.index_inputs:
                if iv is n:
                    h.index_inputs.append((nn, length))
        elif n.op == "shared":
            h.values[name] = g.values[n.name]
            nn = h.add("shared", [], {}, theano.shared(g.values[n.name].copy(), name=name))
            h.shared.append(nn)
        else:
            node = Node.__new__(Node)
            node.params = n.params
            args = [m[a.name] for a in n.args]
            nn = h.add(n.op, args, n.params, OPS[n.op].th(node, *[a.var for a in args]))
        m[n.name] = nn
    h.outputs = [m[o] for o in outputs]
    h.updates = [(m[s_], m[u]) for s_, u in updates]
    h.by_name = {n.name: n for n in h.nodes}
    return h


def reachable_from(roots, cut=()):
    seen, stack = set(), list(roots)
    while stack:
        n = stack.pop()
        if n.name in seen:
            continue
        seen.add(n.name)
        if n.name not in cut:
            stack += n.args
    return seen


def shrink(g, budget_s=60.0, modes=("FAST_RUN", "EVAL")):
    """Greedy reduction of a failing graph: drop outputs and updates, then cut
    nodes (replace one by an input holding its value), while it still fails.
    Returns (smaller graph, its failures)."""
    t0 = time.time()
    g.by_name = {n.name: n for n in g.nodes}
    outs = [o.name for o in g.outputs]
    ups = [(s_.name, u.name) for s_, u in g.updates]
    cut = set()

    def fails(o, u, c):
        if not o and not u:
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                h = rebuild(g, o, u, c)
                f = check_graph(h, modes)
        except Exception:
            return None
        return (h, f) if f else None

    best = fails(outs, ups, cut)
    if best is None:
        return g, None
    changed = True
    while changed and time.time() - t0 < budget_s:
        changed = False
        for i in range(len(outs)):
            if time.time() - t0 > budget_s:
                break
            r = fails(outs[:i] + outs[i + 1:], ups, cut)
            if r:
                outs, best, changed = outs[:i] + outs[i + 1:], r, True
                break
        if changed:
            continue
        for i in range(len(ups)):
            if time.time() - t0 > budget_s:
                break
            r = fails(outs, ups[:i] + ups[i + 1:], cut)
            if r:
                ups, best, changed = ups[:i] + ups[i + 1:], r, True
                break
        if changed:
            continue
        live = reachable_from([g.by_name[o] for o in outs] + [g.by_name[u] for _, u in ups], cut)
        inner = [n for n in g.nodes if n.name in live and n.op not in ("input", "shared") and n.name not in cut
                 and n.name not in outs and n.name not in [u for _, u in ups]]
        for n in inner:
            if time.time() - t0 > budget_s:
                break
            r = fails(outs, ups, cut | {n.name})
            if r:
                cut, best, changed = cut | {n.name}, r, True
                break
    return best


def generate(seed):
    gen = Generator(seed)
    g = gen.generate()
    g.type_errors = gen.type_errors
    return g


def run_seed(seed, modes=("FAST_RUN", "EVAL", "FAST_COMPILE")):
    """Generate and check one seed: (graph or None, failure messages, notes)."""
    notes = []
    try:
        g = generate(seed)
    except Exception as e:
        return None, ["generator crashed building seed %d: %s: %s\n%s" % (
            seed, type(e).__name__, e, traceback.format_exc())], notes
    fails = ["numpy and theanogo disagree on a type: " + t for t in g.type_errors]
    fails += check_graph(g, modes, notes)
    g.by_name = {n.name: n for n in g.nodes}
    return g, fails, notes


def report(seed, g, fails, shrink_s=None):
    """The failures of a seed and a reproducer, shrunk within shrink_s seconds."""
    if shrink_s is None:
        shrink_s = float(os.environ.get("FUZZ_SHRINK_S", "60"))
    out = ["=" * 70, "seed %d: %d failure(s)" % (seed, len(fails))]
    out += ["  - " + f.replace("\n", "\n    ") for f in fails]
    if g is not None:
        small = shrink(g, shrink_s) if shrink_s > 0 and not any("generator crashed" in f for f in fails) else None
        if small and small[1]:  # (shrink gives (g, None) when the rebuilt graph passes: a type finding)
            h, hf = small
            out += ["minimal reproducer found (seed %d, %d of %d nodes), fails with:" % (seed, len(h.nodes), len(g.nodes))]
            out += ["  - " + f.replace("\n", "\n    ") for f in hf]
            out += ["reproducer (python):", h.source()]
        else:
            out += ["reproducer (python, seed %d, not shrunk):" % seed, g.source()]
    return "\n".join(out)


def run_subprocess_seed(seed, timeout=120):
    """Run one seed in a child process (a crash there does not end the run)."""
    import subprocess
    p = subprocess.run([sys.executable, os.path.abspath(__file__), "--seeds", str(seed), "--no-subprocess"],
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr


SANITIZE_FLAGS = "-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g"


def serve(seeds, shrink_s, modes):
    """The protocol of run_batch: "START seed", then "RESULT seed <json>"
    with the failures and the reproducer, one line each."""
    import json
    for seed in seeds:
        print("START %d" % seed, flush=True)
        g, fails, notes = run_seed(seed, modes)
        rep = report(seed, g, fails, shrink_s) if fails else ""
        print("RESULT %d %s" % (seed, json.dumps({"fails": fails, "report": rep, "notes": notes,
                                                   "nodes": len(g.nodes) if g else 0})), flush=True)


def run_batch(seeds, shrink_s=10.0, sanitize=False, timeout=600, env=None):
    """Run seeds in child processes (a crash ends the child, not the caller;
    the next child starts after the crashing seed). Returns {seed: result}
    where result has fails, report, notes and nodes."""
    import json
    import subprocess
    results = {}
    todo = list(seeds)
    while todo:
        cmd = [sys.executable, os.path.abspath(__file__), "--serve", ",".join(map(str, todo)),
               "--shrink-s", str(shrink_s)] + (["--sanitize"] if sanitize else [])
        t0 = time.time()
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
            out, err, rc = p.stdout, p.stderr, p.returncode
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            err, rc = "timed out after %d s" % timeout, "timeout"
        started = None
        for line in out.splitlines():
            if line.startswith("START "):
                started = int(line.split()[1])
            elif line.startswith("RESULT "):
                _, sd, js = line.split(" ", 2)
                results[int(sd)] = json.loads(js)
                started = None
        done = [sd for sd in todo if sd in results]
        if started is None and len(done) == len(todo):
            break
        crashed = started if started is not None else next(sd for sd in todo if sd not in results)
        results[crashed] = {"fails": ["the process died (exit %s) running seed %d after %.0f s; its stderr ends:\n%s" % (
            rc, crashed, time.time() - t0, err[-6000:])], "report": None, "notes": [], "nodes": 0, "crashed": True}
        todo = [sd for sd in todo if sd not in results]
    for sd, r in results.items():
        if r.get("crashed"):
            r["report"] = "=" * 70 + "\nseed %d: crashed\n  - %s\nreproducer (python, not shrunk):\n%s" % (
                sd, r["fails"][0].replace("\n", "\n    "), _safe_source(sd))
    return results


def parse_seeds(spec):
    seeds = []
    for part in str(spec).split(","):
        if ":" in part:
            a, b = part.split(":")
            seeds += list(range(int(a), int(b)))
        elif part:
            seeds.append(int(part))
    return seeds


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default=os.environ.get("FUZZ_SEEDS", "200"),
                    help="seeds: N (0..N-1), A:B, or a comma list (FUZZ_SEEDS); default 200")
    ap.add_argument("--no-subprocess", action="store_true", help="run in this process (a crash ends the run)")
    ap.add_argument("--threads", action="store_true", help="also run the threaded check")
    ap.add_argument("--sanitize", action="store_true",
                    help="compile kernels with ASan and UBSan (needs libasan preloaded: run_batch does it)")
    ap.add_argument("--shrink-s", type=float, default=float(os.environ.get("FUZZ_SHRINK_S", "60")),
                    help="seconds to shrink each failing graph (FUZZ_SHRINK_S)")
    ap.add_argument("--serve", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    modes = ("FAST_RUN", "EVAL", "FAST_COMPILE")
    if a.sanitize:
        theano.config.gcc__cxxflags = SANITIZE_FLAGS
        theano.config.cxx_fallback = "raise"
        modes = ("FAST_RUN", "EVAL")
    if a.serve:
        if a.sanitize:
            with open("/proc/self/maps") as fh:
                if "libasan" not in fh.read():
                    print("fuzz --sanitize: libasan is not loaded (LD_PRELOAD)", file=sys.stderr)
                    return 2
        serve(parse_seeds(a.serve), a.shrink_s, modes)
        return 0
    spec = a.seeds
    seeds = parse_seeds(spec) if (":" in spec or "," in spec) else list(range(int(spec)))
    bad = 0
    t0 = time.time()
    if a.no_subprocess:
        for seed in seeds:
            g, fails, notes = run_seed(seed, modes)
            if fails:
                bad += 1
                print(report(seed, g, fails, a.shrink_s), flush=True)
    else:
        env = sanitizer_env() if a.sanitize else None
        if a.sanitize and env is None:
            print("fuzz: the compiler has no AddressSanitizer runtime: --sanitize skipped")
            return 0
        results = run_batch(seeds, a.shrink_s, a.sanitize, env=env, timeout=3600)
        for seed in seeds:
            r = results[seed]
            if r["fails"]:
                bad += 1
                print(r["report"], flush=True)
    if a.threads:
        import fuzzthreads
        msgs = fuzzthreads.run_all()
        for m in msgs:
            print("threads: " + m)
        if not msgs:
            print("threads: ok (%d threads x %d calls, FAST_RUN and FAST_COMPILE: no torn read, no lost update)"
                  % (fuzzthreads.THREADS, fuzzthreads.ITERS))
        bad += bool(msgs)
    print("fuzz: %d seed(s), %d failing, %.0f s" % (len(seeds), bad, time.time() - t0))
    return 1 if bad else 0


def sanitizer_env(cache_dir=None):
    """The environment of a child that runs sanitized kernels: libasan
    preloaded (the kernels and libtgrt.so link it; it must come first), a
    compile cache of its own. None when the compiler cannot build and run an
    ASan+UBSan program (checked by doing it, not guessed)."""
    import shutil
    import subprocess
    import tempfile
    cxx = os.environ.get("THEANOGO_CXX") or shutil.which("g++") or shutil.which("clang++")
    if not cxx:
        return None
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t.cc")
        with open(src, "w") as fh:
            fh.write("#include <cstdlib>\nint main(int c, char **v) { int *p = (int *)malloc(8); p[0] = c; "
                     "int r = p[0] - c; free(p); return r; }\n")
        exe = os.path.join(d, "t")
        try:
            if subprocess.run([cxx, *SANITIZE_FLAGS.split(), src, "-o", exe], capture_output=True).returncode:
                return None
            if subprocess.run([exe], capture_output=True).returncode:
                return None
            asan = subprocess.run([cxx, "-print-file-name=libasan.so"], capture_output=True, text=True).stdout.strip()
        except OSError:
            return None
    if not os.path.isabs(asan) or not os.path.exists(asan):
        return None
    env = dict(os.environ)
    env["LD_PRELOAD"] = asan
    # leaks: Python and Go keep memory to exit; the checks are on the kernels' accesses
    env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=0:halt_on_error=1:exitcode=86"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:exitcode=87"
    base = os.environ.get("THEANOGO_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "theanogo")
    env["THEANOGO_CACHE_DIR"] = cache_dir or base.rstrip("/") + "-sanitize"
    return env


def _safe_source(seed):
    try:
        return generate(seed).source()
    except Exception as e:
        return "(could not rebuild: %s)" % e


if __name__ == "__main__":
    sys.exit(main())
