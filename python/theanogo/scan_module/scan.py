"""theanogo.scan: Theano 1.0's scan.

Python collects the pieces and nothing more: it makes one placeholder per
step input, calls the step function once on them, and sends the step's
results with the loop's parameters to Go (tg_scan), which checks them and
builds the Scan node (core/control/scan_build.go).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any, Callable

from .. import _lib
from ..compile.sharedvalue import SharedVariable
from ..tensor.var import TensorVariable, as_tensor_variable, make_input
from .scan_utils import until


def _as_list(x: Any) -> list:
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _placeholder(like: TensorVariable, drop_leading: bool, name: str) -> TensorVariable:
    shape = like.type.shape[1:] if drop_leading else like.type.shape
    return make_input(like.dtype, shape, name)


def _split_result(result: Any) -> tuple[list, "OrderedDict[Any, Any]", Any]:
    """The step function's outputs, updates and until condition, in any of
    the forms Theano accepts: outputs, (outputs, updates), (outputs, until),
    (outputs, updates, until), in any order."""
    updates: OrderedDict = OrderedDict()
    cond = None
    if isinstance(result, until):
        return [], updates, result.condition
    if isinstance(result, dict):
        return [], OrderedDict(result), None
    if not isinstance(result, (list, tuple)):
        return ([] if result is None else [result]), updates, None
    rest = []
    for item in result:
        if isinstance(item, until):
            cond = item.condition
        elif isinstance(item, dict):
            updates.update(item)
        else:
            rest.append(item)
    if len(rest) == 1 and isinstance(rest[0], (list, tuple)):
        rest = list(rest[0])
    elif any(isinstance(r, (list, tuple)) for r in rest):
        raise TypeError("scan: the step function must return its outputs as one variable or one list of variables")
    return rest, updates, cond


def scan(fn: Callable, sequences: Any = None, outputs_info: Any = None, non_sequences: Any = None,
         n_steps: Any = None, truncate_gradient: int = -1, go_backwards: bool = False, mode: Any = None,
         name: str | None = None, profile: bool = False, allow_gc: Any = None, strict: bool = False,
         return_list: bool = False) -> tuple[Any, "OrderedDict[Any, Any]"]:
    """Loop fn over the sequences: ``(outputs, updates)`` as Theano returns them.

    fn receives, in order: each sequence's slice per tap, each recurrent
    output's previous values per tap, then the non-sequences; it returns its
    outputs, optionally with a dict of shared-variable updates and an
    ``until(cond)`` stop condition. ``sequences`` entries are variables or
    ``dict(input=x, taps=[-1, 0, 1])``; ``outputs_info`` entries are an
    initial value (taps [-1]), ``None`` (an output not fed back) or
    ``dict(initial=x0, taps=[-1, -2])`` (x0 then has the extra leading
    steps). mode, profile and allow_gc are accepted for compatibility.

    >>> import numpy as np, theanogo, theanogo.tensor as T
    >>> k = T.iscalar("k"); a = T.dvector("a")
    >>> r, _ = theanogo.scan(lambda prev, a: prev * a, outputs_info=T.ones_like(a), non_sequences=a, n_steps=k)
    >>> theanogo.function([a, k], r[-1])(np.array([1.0, 2.0, 3.0]), 3)
    array([ 1.,  8., 27.])
    """
    if not isinstance(truncate_gradient, int):
        raise TypeError(f"scan: truncate_gradient must be an int, got {truncate_gradient!r}")
    req: dict[str, Any] = {"sequences": [], "outputs": [], "non_sequences": [], "updates": [],
                           "until": 0, "n_steps": 0, "go_backwards": bool(go_backwards),
                           "truncate_gradient": truncate_gradient, "strict": bool(strict), "name": name or ""}
    keep: list[TensorVariable] = []  # every variable whose handle the request names
    args: list[TensorVariable] = []

    def handle(v: TensorVariable) -> int:
        keep.append(v)
        return v._h

    for i, seq in enumerate(_as_list(sequences)):
        if isinstance(seq, dict):
            if "input" not in seq:
                raise ValueError(f"scan: sequence {i} is a dict without 'input'")
            x, taps = as_tensor_variable(seq["input"]), list(seq.get("taps", [0]) or [0])
        else:
            x, taps = as_tensor_variable(seq), [0]
        if x.ndim == 0:
            raise TypeError(f"scan: sequence {i} is a scalar: a sequence needs a leading dimension to iterate over")
        inner = [_placeholder(x, True, f"{x.name or 'seq'}[t{t:+d}]" if t else f"{x.name or 'seq'}[t]") for t in taps]
        args += inner
        req["sequences"].append({"outer": handle(x), "taps": [int(t) for t in taps], "inner": [handle(p) for p in inner]})

    infos = _as_list(outputs_info) if not isinstance(outputs_info, dict) else [outputs_info]
    entries: list[tuple[TensorVariable | None, list[int], list[TensorVariable]]] = []
    for i, info in enumerate(infos):
        initial, taps = info, [-1]
        if isinstance(info, dict):
            initial = info.get("initial")
            taps = list(info.get("taps", [-1]) or [])
            if initial is None and taps not in ([], [-1]):
                raise ValueError(f"scan: outputs_info entry {i} has taps {taps} but no initial value")
        if initial is None:
            entries.append((None, [], []))
            continue
        x0 = as_tensor_variable(initial)
        if not taps:
            raise ValueError(f"scan: outputs_info entry {i} has an initial value but no taps")
        sitsot = taps == [-1]
        if not sitsot and x0.ndim == 0:
            raise TypeError(f"scan: output {i} has taps {taps}, so its initial value needs a leading dimension "
                            f"of at least {-min(taps)} rows, but it is a scalar")
        inner = [_placeholder(x0, not sitsot, f"{x0.name or 'out'}[t{t:+d}]") for t in taps]
        args += inner
        entries.append((x0, [int(t) for t in taps], inner))

    non_seqs = [as_tensor_variable(v) for v in _as_list(non_sequences)]
    args += non_seqs
    req["non_sequences"] = [handle(v) for v in non_seqs]

    outs, updates, cond = _split_result(fn(*args))
    outs = [as_tensor_variable(o) for o in outs]
    if not infos:
        entries = [(None, [], [])] * len(outs)
    elif len(entries) != len(outs):
        raise ValueError(f"scan: the step function returned {len(outs)} outputs but outputs_info has {len(entries)} "
                         "entries (give None for an output that is not fed back)")
    for (x0, taps, inner), step in zip(entries, outs):
        req["outputs"].append({"initial": handle(x0) if x0 is not None else 0, "taps": taps,
                               "inner": [handle(p) for p in inner], "step": handle(step)})
    targets = []
    for target, value in updates.items():
        if not isinstance(target, SharedVariable):
            raise TypeError(f"scan: the step function's updates must update shared variables, got {target!r}")
        targets.append(target)
        req["updates"].append([handle(target), handle(as_tensor_variable(value))])
    if cond is not None:
        req["until"] = handle(cond)
    if n_steps is not None:
        req["n_steps"] = handle(as_tensor_variable(n_steps))

    reply = json.loads(_lib.scan(json.dumps(req)))
    results = [TensorVariable(h) for h in reply["outputs"] or []]
    new_updates: OrderedDict = OrderedDict((t, TensorVariable(h)) for t, h in zip(targets, reply["updates"] or []))
    del keep
    if not return_list and len(results) == 1:
        return results[0], new_updates
    return results, new_updates
