"""Pickling of symbolic variables and compiled functions.

A graph travels as Go's serialization of it (tg_graph_dump: op types and
parameters, constants' values) plus the Python objects of its free inputs
and shared variables (which pickle their types, names and, for shared ones,
values). Loading rebuilds the graph with new variables in this process (and
a compiled function recompiles from it), so an unpickled copy never shares
state with the original. Inputs and shared variables pickled together stay
one variable each, through pickle's memo: `pickle.dumps((y, x))` gives back a
y computed from the x that comes with it. (Computed variables pickled
separately are rebuilt separately.)

>>> import pickle, numpy as np, theanogo, theanogo.tensor as T
>>> x = T.dvector("x")
>>> w = theanogo.shared(np.ones(2), name="w")
>>> f = theanogo.function([x], (x * w).sum(), updates=[(w, w * 2)])
>>> g = pickle.loads(pickle.dumps(f))
>>> float(g(np.ones(2))), g.maker.inputs[0].name
(2.0, 'x')
>>> w.get_value()  # the copy's update went to the copy's w
array([1., 1.])
"""

from __future__ import annotations

from typing import Any, Sequence

from .. import _lib
from ..tensor.var import TensorConstant, TensorVariable, input_object, make_input
from .sharedvalue import SharedVariable, shared_object

Graph = tuple  # (text, shared variables, free inputs): what dump returns


def dump(variables: Sequence[TensorVariable]) -> Graph:
    """Go's serialization of the graphs computing variables, with the shared
    variables and free inputs it refers to (in the order it numbers them)."""
    text, shared, inputs = _lib.graph_dump([v._h for v in variables])
    return text, [shared_object(h) for h in shared], [input_object(h) for h in inputs]


def load(g: Graph, n: int) -> list[TensorVariable]:
    """Rebuild a dump in this process: new variables standing for the n
    variables dumped, computed from the dump's shared variables and inputs."""
    text, shared, inputs = g
    known = {v.id: v for v in shared}
    known.update((_lib.var_info(v._h)["id"], v) for v in inputs)
    out: list[TensorVariable] = []
    for h in _lib.graph_load(text, [s._h for s in shared], [v._h for v in inputs], n):
        info = _lib.var_info(h)
        if info["id"] in known:
            _lib.release(h)
            out.append(known[info["id"]])
        elif info["kind"] == "constant":
            out.append(TensorConstant(h))
        else:
            out.append(TensorVariable(h))
    return out


def load_variable(g: Graph) -> TensorVariable:
    """Unpickle one symbolic variable (TensorVariable.__reduce__)."""
    return load(g, 1)[0]


def reduce_variable(var: TensorVariable) -> tuple[Any, tuple]:
    """TensorVariable.__reduce__: a free input pickles as its type and name;
    any other variable as its graph, rebuilt by load_variable."""
    info = _lib.var_info(var._h)
    if info["kind"] == "input":
        return make_input, (var.dtype, var.static_shape, var.name)
    return load_variable, (dump([var]),)
