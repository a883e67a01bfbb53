"""Printing graphs: debugprint and pp, as Theano's theano.printing.

``debugprint`` prints a graph as an indented tree with ids and types: of a
variable, the graph the user built; of a compiled function, the optimized
graph it runs (merged, rewritten, fused), then the new value of each updated
shared variable. ``pp`` prints an expression in math notation.

>>> import theanogo, theanogo.tensor as T
>>> x, y = T.dvectors("x", "y")
>>> text = theanogo.printing.debugprint(x * 2, file="str")
>>> "x" in text
True
>>> theanogo.printing.pp(x * 2 + T.exp(y))
'((x * 2) + exp(y))'
>>> theanogo.printing.pp(x[1:].sum(axis=0))
'sum(x[1:], axis=[0])'

Of a function compiled to C++, ``debugprint(f)`` marks the nodes the
generated code hands to the Go evaluator with ``(evaluator)``, and with
``print_profile=True`` (a function compiled with ``profile=True``) ends each
node's line with its time and call count. ``source(f)`` is the generated
C++.

>>> f = theanogo.function([x], x * 2)
>>> "[id" in debugprint(f, file="str", print_profile=True)
True
>>> isinstance(source(f), str)
True

The text comes from Go (graph.Debugprint and pyapi's Pretty).
"""

from __future__ import annotations

import re
import sys
from typing import Any, Iterable, TextIO

from . import _lib
from .tensor.var import TensorVariable

__all__ = ["debugprint", "pp", "source"]

_NODE = re.compile(r"^[ |]*(?P<label>.*?) \[id (?P<id>\d+)\]")


def _is_function(obj: Any) -> bool:
    return hasattr(obj, "maker") and hasattr(obj, "_compiled")


def _outputs(obj: Any) -> list[TensorVariable]:
    if isinstance(obj, TensorVariable):
        return [obj]
    if _is_function(obj):
        return list(obj.maker.fgraph.outputs)
    return [v for item in obj for v in _outputs(item)]


def _evaluator_keys(entries: Iterable[Any]) -> set[str]:
    """The labels and ids debugprint lines are matched with, from
    info["evaluator_nodes"]: "op: why it has no C++" (the op as debugprint
    prints it), or a node id ("7", "id 7", "[id 7]")."""
    keys: set[str] = set()
    for entry in entries:
        text = str(entry).strip()
        found = re.fullmatch(r"\[?(?:id )?(\d+)\]?", text)
        if found:
            keys.add("#" + found.group(1))
            continue
        keys.add(text)
        at = text.find(": ")
        while at >= 0:  # the op's text ends at one of the ": " (the reason may hold more)
            keys.add(text[:at])
            at = text.find(": ", at + 2)
    return keys


def _profile_notes(profile: list[dict]) -> tuple[dict[str, str], dict[str, str]]:
    """Each profiled node's note for its debugprint line: by node id when
    the record has one ('id'), else by op text. Nodes whose op appears more
    than once are noted with the op's total over them."""
    total = sum(int(r.get("ns", 0)) for r in profile) or 1
    by_id: dict[str, str] = {}
    by_op: dict[str, list[dict]] = {}
    for r in profile:
        if "id" in r:
            by_id["#" + str(r["id"])] = _note([r], total)
        else:
            by_op.setdefault(str(r.get("op", "")), []).append(r)
    return by_id, {op: _note(rs, total) for op, rs in by_op.items()}


def _note(records: list[dict], total: int) -> str:
    ns = sum(int(r.get("ns", 0)) for r in records)
    calls = max(int(r.get("calls", 0)) for r in records)
    over = f" over {len(records)} nodes" if len(records) > 1 else ""
    return f"  {ns / 1e6:.3f} ms {100.0 * ns / total:.1f}%{over} {calls} calls"


def _annotate(text: str, evaluator_nodes: Iterable[Any], profile: list[dict] | None) -> str:
    """debugprint's text of a function with each evaluator node marked and,
    with profile records, each node's time and calls appended."""
    evaluator = _evaluator_keys(evaluator_nodes)
    by_id, by_op = _profile_notes(profile or [])
    lines = []
    for line in text.splitlines():
        m = _NODE.match(line)
        if m is not None:
            label, ident = m.group("label"), "#" + m.group("id")
            if (label in evaluator or ident in evaluator) and "(evaluator)" not in line:
                line += " (evaluator)"
            note = by_id.get(ident) or by_op.get(label)
            if note:
                line += note
        lines.append(line)
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def debugprint(obj: Any, file: TextIO | str | None = None, print_profile: bool = False, **_: Any) -> str | None:
    """Print the graph computing obj: a variable or a list of them (the graph
    as built), or a compiled Function (the optimized graph it runs; the
    nodes the C++ code leaves to the Go evaluator marked "(evaluator)";
    with print_profile, each node's time, share and calls when the
    function was compiled with profile=True).

    With file='str' the text is returned instead of printed.
    """
    if _is_function(obj):
        text = _lib.function_debugprint(obj._compiled.handle)
        profile = _lib.function_profile(obj._compiled.handle) if print_profile else None
        text = _annotate(text, obj.maker.evaluator_nodes, profile)
    else:
        text = _lib.debugprint([v._h for v in _outputs(obj)])
    if file == "str":
        return text
    (file or sys.stdout).write(text if text.endswith("\n") else text + "\n")
    return None


def pp(obj: Any) -> str:
    """The expression computing obj in math notation, as Theano's pp:
    ``(x + y)``, ``sum(x, axis=[0])``, ``x[1:]``, ``dot(x, W)``. Of a list,
    or of a compiled Function (its optimized outputs), one line each."""
    return _lib.pp([v._h for v in _outputs(obj)])


def source(fn: Any, file: TextIO | str | None = "str") -> str | None:
    """The C++ source generated for a compiled function ('' when it runs
    on the evaluator): returned (file='str', the default) or printed."""
    if not _is_function(fn):
        raise TypeError(f"printing.source: expected a compiled function, got {fn!r}")
    text = fn.maker.source
    if file == "str":
        return text
    (file or sys.stdout).write(text if text.endswith("\n") else text + "\n")
    return None
