"""Blocks of a task's columns, converted from pandas once per data frame and reused by every view.

Train, validation, predict and every resampling iteration of the same data ask for the same
columns again and again; converting them from pandas each time costs a fixed ~0.5 ms even for one
row, more than fitting a cheap learner on a resampling fold. Here a column block (numeric features
as one ``float64`` matrix for scikit-learn, as a ``float32`` tensor for torch, or the target) is
converted once for *all* rows of the task's data frame, and each task view takes its rows by
position (one fancy index).

The key is the identity of the task's data frame (which tasks never mutate: changing data makes a
new frame) plus what is converted; an entry dies with its frame (a weak reference) and the cache
holds at most :data:`MAX_BYTES` (least recently used entries go first). Blocks are numpy arrays or
torch tensors: anything with ``nbytes``, ``shape`` and indexing by slice and by position array.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from jupytorch.core.task import Task

__all__ = ["MAX_BYTES", "clear", "known_finite", "rows_block"]

MAX_BYTES = 256 * 2**20
"""The most bytes of blocks the cache keeps."""

_entries: OrderedDict[tuple[int, Hashable], Any] = OrderedDict()
# id(block) -> (weak reference to the block, whether all its values are finite: None until asked)
_blocks: dict[int, list[Any]] = {}
_watched: set[int] = set()
_lock = threading.Lock()
_size = [0]


def _forget(frame_id: int) -> None:
    with _lock:
        _watched.discard(frame_id)
        for key in [k for k in _entries if k[0] == frame_id]:
            _size[0] -= int(_entries.pop(key).nbytes)


def clear() -> None:
    """Empty the cache.

    Examples
    --------
    >>> clear()
    """
    with _lock:
        _entries.clear()
        _size[0] = 0


def _take(block: Any, positions: np.ndarray) -> Any:
    return block[positions]


def rows_block(task: Task, what: Hashable, convert: Callable[[Task], Any], row_bytes: int = 8,
               take: Callable[[Any, np.ndarray], Any] = _take) -> Any:
    """``convert(frame_task)`` for the active rows of ``task``, computed once per data frame and ``what``.

    Parameters
    ----------
    task : Task
    what : hashable
        Names the conversion, e.g. ``("float64", ("x1", "x2"))``; equal values must convert alike.
    convert : callable
        Given a task over *all* rows of the data frame (in frame order), returns a block with one
        row per frame row (or None, which is passed on and not kept).
    row_bytes : int
        About how many bytes a converted row takes: a frame whose conversion would not fit
        :data:`MAX_BYTES` is not cached, and only the active rows are converted.
    take : callable
        Gathers the rows at positions (an ``int64`` array) of a block; default: ``block[positions]``.

    Returns
    -------
    block or None
        The rows of the active row ids, in their order: the cached block itself when those are
        all rows in frame order, a view of it for one row (treat both as read-only), else a copy.

    Examples
    --------
    >>> import pandas as pd, jupytorch as jt
    >>> task = jt.as_task_regr(pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 2.0]}), target="y")
    >>> to_array = lambda t: t.data(cols=["a"]).to_numpy()
    >>> rows_block(task.filter([2, 0]), ("a",), to_array).tolist()
    [[3.0], [1.0]]
    """
    frame = task._data
    if len(frame) * row_bytes > MAX_BYTES:
        return convert(task)
    key = (id(frame), what)
    with _lock:
        block = _entries.get(key)
        if block is not None:
            _entries.move_to_end(key)
    if block is None:
        whole = task.clone()
        whole._row_ids = frame.index.to_numpy(dtype=np.int64)
        whole._internal_valid_task = None
        block = convert(whole)
        if block is None:
            return None
        block = _store(frame, key, block)
    positions = task._positions()
    if len(positions) == block.shape[0] and np.array_equal(positions, np.arange(len(positions))):
        return block
    if len(positions) == 1:  # one row (a single prediction): a view, not a gathered copy
        start = int(positions[0])
        return block[start:start + 1]
    return take(block, np.ascontiguousarray(positions, dtype=np.int64))


def known_finite(block: Any, base: Any, all_finite: Callable[[Any], bool]) -> bool:
    """Whether ``block`` is a cached block, or a view of one (whose base is ``base``), with all values finite.

    A block is checked once with ``all_finite``, when first asked; then every prediction from it
    (a one-row view) skips the NaN/inf check of its inputs.

    Examples
    --------
    >>> import pandas as pd, jupytorch as jt
    >>> task = jt.as_task_regr(pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 2.0]}), target="y")
    >>> row = rows_block(task.clone().filter([1]), ("a",), lambda t: t.data(cols=["a"]).to_numpy())
    >>> finite = lambda a: bool(np.isfinite(a).all())
    >>> known_finite(row, row.base, finite), known_finite(np.ones(1), None, finite)
    (True, False)
    """
    for candidate in (block, base):
        entry = _blocks.get(id(candidate))  # dict reads and writes are atomic: no lock (see _forget_block_ref)
        if entry is not None and entry[0]() is candidate:
            if entry[1] is None:
                entry[1] = all_finite(candidate)
            return bool(entry[1])
    return False


def _forget_block_ref(block_id: int, _ref: object) -> None:
    # no lock: a block can die while _store holds it (an evicted entry); dict.pop is atomic
    _blocks.pop(block_id, None)


def _store(frame: Any, key: tuple[int, Hashable], block: Any) -> Any:
    """Keep ``block`` (if it fits) and return what is kept."""
    size = int(block.nbytes)
    if size > MAX_BYTES:
        return block
    if isinstance(block, np.ndarray):
        if block.base is not None:  # own the memory, so that one-row views have the block as their base
            block = block.copy()
        block.flags.writeable = False  # shared by every view of the frame: an in-place change would leak
    with _lock:
        block_id = id(block)
        _blocks[block_id] = [weakref.ref(block, functools.partial(_forget_block_ref, block_id)), None]
        if key[0] not in _watched:
            weakref.finalize(frame, _forget, key[0])
            _watched.add(key[0])
        old = _entries.pop(key, None)
        if old is not None:
            _size[0] -= int(old.nbytes)
        _entries[key] = block
        _size[0] += size
        while _size[0] > MAX_BYTES and _entries:
            _size[0] -= int(_entries.popitem(last=False)[1].nbytes)
    return block
