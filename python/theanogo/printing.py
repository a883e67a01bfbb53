"""Printing graphs: debugprint.

>>> import theanogo, theanogo.tensor as T
>>> x = T.dvector("x")
>>> text = theanogo.printing.debugprint(x * 2, file="str")
>>> "x" in text
True
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from . import _lib
from .tensor.var import TensorVariable

__all__ = ["debugprint", "pp"]


def _outputs(obj: Any) -> list[TensorVariable]:
    if isinstance(obj, TensorVariable):
        return [obj]
    if hasattr(obj, "outputs") and hasattr(obj, "inputs"):  # a compiled Function
        return list(obj.outputs)
    return [v for item in obj for v in _outputs(item)]


def debugprint(obj: Any, file: TextIO | str | None = None, **_: Any) -> str | None:
    """Print the graph computing obj (a variable, a list, or a Function).

    With file='str' the text is returned instead of printed.
    """
    text = _lib.debugprint([v._h for v in _outputs(obj)])
    if file == "str":
        return text
    (file or sys.stdout).write(text if text.endswith("\n") else text + "\n")
    return None


def pp(obj: Any) -> str:
    """A printable description of the graph (today the debugprint text)."""
    return _lib.debugprint([v._h for v in _outputs(obj)])
