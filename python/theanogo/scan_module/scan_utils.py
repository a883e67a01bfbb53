"""theano.scan_module.scan_utils.until: the stop condition of a while loop."""

from __future__ import annotations

from typing import Any

from ..tensor.var import as_tensor_variable


class until:
    """Returned by a step function with its outputs, ``(outputs, until(cond))``:
    the loop stops after the first step where ``cond`` (a scalar) holds, or
    after ``n_steps`` steps."""

    def __init__(self, condition: Any) -> None:
        self.condition = as_tensor_variable(condition)
        if self.condition.ndim != 0:
            raise TypeError(f"scan: the until condition must be a scalar, got a {self.condition.ndim}-d variable")
