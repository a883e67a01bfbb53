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

The text comes from Go (graph.Debugprint and pyapi's Pretty).
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from . import _lib
from .tensor.var import TensorVariable

__all__ = ["debugprint", "pp"]


def _is_function(obj: Any) -> bool:
    return hasattr(obj, "maker") and hasattr(obj, "_compiled")


def _outputs(obj: Any) -> list[TensorVariable]:
    if isinstance(obj, TensorVariable):
        return [obj]
    if _is_function(obj):
        return list(obj.maker.fgraph.outputs)
    return [v for item in obj for v in _outputs(item)]


def debugprint(obj: Any, file: TextIO | str | None = None, **_: Any) -> str | None:
    """Print the graph computing obj: a variable or a list of them (the graph
    as built), or a compiled Function (the optimized graph it runs).

    With file='str' the text is returned instead of printed.
    """
    if _is_function(obj):
        text = _lib.function_debugprint(obj._compiled.handle)
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
