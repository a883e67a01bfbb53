"""map, reduce, foldl and foldr: scan's special cases, as in Theano."""

from __future__ import annotations

from typing import Any, Callable

from .scan import scan


def map(fn: Callable, sequences: Any, non_sequences: Any = None, truncate_gradient: int = -1,
        go_backwards: bool = False, mode: Any = None, name: str | None = None) -> Any:
    """fn applied to each step of the sequences: ``(outputs, updates)``,
    every output stacked over the steps."""
    return scan(fn, sequences=sequences, outputs_info=[], non_sequences=non_sequences,
                truncate_gradient=truncate_gradient, go_backwards=go_backwards, mode=mode, name=name)


def reduce(fn: Callable, sequences: Any, outputs_info: Any, non_sequences: Any = None,
           go_backwards: bool = False, mode: Any = None, name: str | None = None) -> Any:
    """Like scan, but returns only each output's last step: ``(outputs, updates)``."""
    outs, updates = scan(fn, sequences=sequences, outputs_info=outputs_info, non_sequences=non_sequences,
                         go_backwards=go_backwards, truncate_gradient=-1, mode=mode, name=name)
    if isinstance(outs, (list, tuple)):
        return [o[-1] for o in outs], updates
    return outs[-1], updates


def foldl(fn: Callable, sequences: Any, outputs_info: Any, non_sequences: Any = None,
          mode: Any = None, name: str | None = None) -> Any:
    """reduce from the first step to the last."""
    return reduce(fn, sequences, outputs_info, non_sequences=non_sequences, go_backwards=False, mode=mode, name=name)


def foldr(fn: Callable, sequences: Any, outputs_info: Any, non_sequences: Any = None,
          mode: Any = None, name: str | None = None) -> Any:
    """reduce from the last step to the first."""
    return reduce(fn, sequences, outputs_info, non_sequences=non_sequences, go_backwards=True, mode=mode, name=name)
