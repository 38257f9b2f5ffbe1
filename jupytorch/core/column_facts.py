"""Whether a column of a task's data frame holds missing or infinite values anywhere, computed once.

Every ``train`` checks its features for NaN and inf before it starts, so that the error names the
columns instead of failing inside the model. Scanning the rows of each view again costs more than
training a cheap learner (a featureless or linear fit on a resampling fold). The answer for *all*
rows of the frame is computed once per column: a column with no NaN and no inf anywhere has none
in any view, and only the columns that have some are scanned row by row.

The key is the identity of the task's data frame, which tasks never mutate (changing data makes a
new frame); an entry dies with its frame (a weak reference).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["ColumnFacts", "column_facts"]

_facts: dict[int, dict[str, tuple[bool, bool]]] = {}
_lock = threading.Lock()


class ColumnFacts(dict[str, tuple[bool, bool]]):
    """``{column: (has_nan, has_inf)}`` over all rows of a data frame."""

    def with_nan(self, columns: Sequence[str]) -> list[str]:
        """The ``columns`` (in their order) that hold a missing value in some row."""
        return [c for c in columns if self[c][0]]

    def with_inf(self, columns: Sequence[str]) -> list[str]:
        """The ``columns`` (in their order) that hold an infinite value in some row."""
        return [c for c in columns if self[c][1]]


def _forget(frame_id: int) -> None:
    with _lock:
        _facts.pop(frame_id, None)


def _scan(column: pd.Series) -> tuple[bool, bool]:
    has_nan = bool(column.isna().to_numpy().any())
    has_inf = pd.api.types.is_float_dtype(column.dtype) and bool(np.isinf(column.to_numpy(dtype=np.float64, na_value=0.0)).any())
    return has_nan, has_inf


def column_facts(frame: pd.DataFrame, columns: Sequence[str]) -> ColumnFacts:
    """``(has_nan, has_inf)`` of each of ``columns`` over all rows of ``frame``, scanned once per frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        A task's backing data frame (``task._data``), which is never modified in place.
    columns : sequence of str

    Returns
    -------
    ColumnFacts

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> frame = pd.DataFrame({"a": [1.0, np.nan], "b": [np.inf, 0.0], "c": ["x", None]})
    >>> facts = column_facts(frame, ["a", "b", "c"])
    >>> facts.with_nan(["a", "b", "c"]), facts.with_inf(["a", "b", "c"])
    (['a', 'c'], ['b'])
    """
    key = id(frame)
    with _lock:
        known = _facts.get(key)
        missing = list(columns) if known is None else [c for c in columns if c not in known]
    if missing:
        scanned = {c: _scan(frame[c]) for c in missing}
        with _lock:
            if key not in _facts:
                weakref.finalize(frame, _forget, key)
                _facts[key] = {}
            _facts[key].update(scanned)
            known = _facts[key]
    assert known is not None
    return ColumnFacts({c: known[c] for c in columns})
