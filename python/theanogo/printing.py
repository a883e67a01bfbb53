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


def _node_keys(entry: Any) -> set[str]:
    """What names a node in Go's lists (evaluator_nodes, profile records):
    its id (7, "7", "id 7", "[id 7]") or its op's label ("softmax")."""
    text = str(entry).strip()
    found = re.search(r"\bid (\d+)", text)
    if found:
        return {found.group(1)}
    return {text}


def _matches(keys: set[str], line: re.Match) -> bool:
    return line.group("id") in keys or line.group("label") in keys


def _annotate(text: str, evaluator_nodes: Iterable[Any], profile: list[dict] | None) -> str:
    """debugprint's text of a function with each evaluator node marked and,
    with profile records, each node's time and calls appended."""
    evaluator: set[str] = set()
    for entry in evaluator_nodes:
        evaluator |= _node_keys(entry)
    times = [(_node_keys(r.get("node", "")), r) for r in profile or []]
    total = sum(int(r.get("ns", 0)) for r in profile or []) or 1
    lines = []
    for line in text.splitlines():
        m = _NODE.match(line)
        if m is not None:
            if evaluator and _matches(evaluator, m):
                line += " (evaluator)"
            for keys, r in times:
                if m.group("id") in keys:
                    ns = int(r.get("ns", 0))
                    line += f"  {ns / 1e6:.3f} ms {100.0 * ns / total:.1f}% {int(r.get('calls', 0))} calls"
                    break
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
