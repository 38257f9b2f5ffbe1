"""Plain structures that ``torch.load(..., weights_only=True)`` reads back without running code.

:func:`to_safe` turns callback states, histories and configuration into dicts, lists, numbers,
strings and tensors (a DataFrame becomes ``{"__dataframe__": {column: values}}``, a tuple
``{"__tuple__": [...]}``); :func:`from_safe` reverses it. Anything else raises
:class:`NotSafeError`, and the caller falls back to a format that needs ``trusted=True``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

__all__ = ["NotSafeError", "from_safe", "to_safe"]


class NotSafeError(TypeError):
    """A value cannot be stored as plain data."""


def to_safe(value: Any, where: str = "value") -> Any:
    """Convert ``value`` to plain data and tensors (see the module docstring)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {"__ndarray_object__": [to_safe(v, where) for v in value.tolist()]}
        return {"__ndarray__": torch.from_numpy(np.ascontiguousarray(value))}
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, (str, int)):
                raise NotSafeError(f"{where}: dict key {key!r} is not a string or integer")
            out[key] = to_safe(item, f"{where}[{key!r}]")
        return out
    if isinstance(value, tuple):
        return {"__tuple__": [to_safe(v, where) for v in value]}
    if isinstance(value, list):
        return [to_safe(v, where) for v in value]
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return {"__dataframe__": {str(c): [_cell(v) for v in value[c].tolist()] for c in value.columns}}
    raise NotSafeError(f"{where} holds a {type(value).__module__}.{type(value).__qualname__}, which is not plain data")


def _cell(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    raise NotSafeError(f"a DataFrame cell holds a {type(v).__name__}")


def from_safe(value: Any) -> Any:
    """Rebuild what :func:`to_safe` converted."""
    if isinstance(value, dict):
        if len(value) == 1:
            (key, inner), = value.items()
            if key == "__tuple__":
                return tuple(from_safe(v) for v in inner)
            if key == "__dataframe__":
                import pandas as pd

                return pd.DataFrame({k: [math.nan if v is None else v for v in col] if _numeric(col) else col
                                     for k, col in inner.items()})
            if key == "__ndarray__":
                return inner.numpy()
            if key == "__ndarray_object__":
                return np.asarray([from_safe(v) for v in inner], dtype=object)
        return {k: from_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_safe(v) for v in value]
    return value


def _numeric(column: list[Any]) -> bool:
    return any(isinstance(v, float) for v in column) and all(v is None or isinstance(v, (int, float)) for v in column)
