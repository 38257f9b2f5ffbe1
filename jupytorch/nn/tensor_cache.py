"""Tensors of a task's columns, converted from pandas once per data frame and reused.

The torch side of :mod:`jupytorch.core.frame_cache`: a numeric feature block as ``float32`` or
the target as the loss expects it, converted once for *all* rows of the task's data frame; each
task view takes its rows by position (one tensor index), a one-row prediction a view.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import torch

from jupytorch.core import frame_cache
from jupytorch.core.frame_cache import clear

__all__ = ["clear", "known_finite", "rows_tensor"]


def _take(block: torch.Tensor, positions: np.ndarray) -> torch.Tensor:
    return block[torch.from_numpy(positions)]


def rows_tensor(task: Any, what: Hashable, convert: Callable[[Any], torch.Tensor | None],
                row_bytes: int = 8) -> torch.Tensor | None:
    """``convert(frame_task)`` for the active rows of ``task``, computed once per data frame and ``what``.

    See :func:`jupytorch.core.frame_cache.rows_block` (the cached tensor itself when the rows are
    all rows in frame order, a view of it for one row: treat it as read-only).

    Examples
    --------
    >>> import pandas as pd, jupytorch as jt
    >>> task = jt.as_task_regr(pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 2.0]}), target="y")
    >>> to_tensor = lambda t: torch.tensor(t.data(cols=["a"]).to_numpy())
    >>> rows_tensor(task.filter([2, 0]), ("torch", "a"), to_tensor).tolist()
    [[3.0], [1.0]]
    """
    return frame_cache.rows_block(task, what, convert, row_bytes, take=_take)


def _all_finite(tensor: torch.Tensor) -> bool:
    return bool(torch.isfinite(tensor).all()) if tensor.is_floating_point() else True


def known_finite(tensor: torch.Tensor) -> bool:
    """Whether ``tensor`` is a cached block, or a view of one, whose values are all finite.

    Examples
    --------
    >>> import pandas as pd, jupytorch as jt
    >>> task = jt.as_task_regr(pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 2.0]}), target="y")
    >>> to_tensor = lambda t: torch.tensor(t.data(cols=["a"]).to_numpy())
    >>> known_finite(rows_tensor(task.clone().filter([1]), ("torch", "a"), to_tensor)), known_finite(torch.ones(1))
    (True, False)
    """
    return frame_cache.known_finite(tensor, tensor._base, _all_finite)
