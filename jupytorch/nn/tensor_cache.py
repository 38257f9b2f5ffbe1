"""Tensors of a task's columns, converted from pandas once and reused.

Train, validation, predict and every resampling iteration of the same data ask for the same
columns again and again; converting them from pandas each time costs a fixed ~0.5 ms even for one
row. Here a column block (numeric features as ``float32``, or the target as the loss expects it)
is converted once for *all* rows of the task's data frame, and each task view takes its rows by
position (one tensor index).

The key is the identity of the task's data frame (which tasks never mutate: changing data makes a
new frame) plus what is converted; an entry dies with its frame (a weak reference) and the cache
holds at most :data:`MAX_BYTES` (least recently used entries go first).
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import torch

__all__ = ["MAX_BYTES", "clear", "known_finite", "rows_tensor"]

MAX_BYTES = 256 * 2**20
"""The most bytes of tensors the cache keeps."""

_entries: OrderedDict[tuple[int, Hashable], torch.Tensor] = OrderedDict()
# id(block) -> (weak reference to the block, whether all its values are finite: None until asked)
_blocks: dict[int, list[Any]] = {}
_watched: set[int] = set()
_lock = threading.Lock()
_size = [0]


def _forget(frame_id: int) -> None:
    with _lock:
        _watched.discard(frame_id)
        for key in [k for k in _entries if k[0] == frame_id]:
            _size[0] -= _nbytes(_entries.pop(key))


def _nbytes(tensor: torch.Tensor) -> int:
    return tensor.numel() * tensor.element_size()


def clear() -> None:
    """Empty the cache.

    Examples
    --------
    >>> clear()
    """
    with _lock:
        _entries.clear()
        _size[0] = 0


def rows_tensor(task: Any, what: Hashable, convert: Callable[[Any], torch.Tensor | None],
                row_bytes: int = 8) -> torch.Tensor | None:
    """``convert(frame_task)`` for the active rows of ``task``, computed once per data frame and ``what``.

    Parameters
    ----------
    task : Task
    what : hashable
        Names the conversion, e.g. ``("num", ("x1", "x2"))``; equal values must convert alike.
    convert : callable
        Given a task over *all* rows of the data frame (in frame order), returns a tensor with
        one row per frame row (or None, which is passed on and not kept).
    row_bytes : int
        About how many bytes a converted row takes: a frame whose conversion would not fit
        :data:`MAX_BYTES` is not cached, and only the active rows are converted.

    Returns
    -------
    torch.Tensor or None
        The rows of the active row ids, in their order (the cached tensor itself when those are
        all rows in frame order, a view of it for one row: treat it as read-only).

    Examples
    --------
    >>> import pandas as pd, jupytorch as jt
    >>> task = jt.as_task_regr(pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 2.0]}), target="y")
    >>> to_tensor = lambda t: torch.tensor(t.data(cols=["a"]).to_numpy())
    >>> rows_tensor(task.filter([2, 0]), ("a",), to_tensor).tolist()
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
        _store(frame, key, block)
    positions = task._positions()
    if len(positions) == block.shape[0] and np.array_equal(positions, np.arange(len(positions))):
        return block
    if len(positions) == 1:  # one row (a single prediction): a view, not a gathered copy
        start = int(positions[0])
        return block[start:start + 1]
    return block[torch.from_numpy(np.ascontiguousarray(positions, dtype=np.int64))]


def known_finite(tensor: torch.Tensor) -> bool:
    """Whether ``tensor`` is a cached block, or a view of one, whose values are all finite.

    A block is checked once, when first asked; then every prediction from it (a one-row view)
    skips the NaN/inf check of its inputs.

    Examples
    --------
    >>> import pandas as pd, jupytorch as jt
    >>> task = jt.as_task_regr(pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 2.0]}), target="y")
    >>> to_tensor = lambda t: torch.tensor(t.data(cols=["a"]).to_numpy())
    >>> known_finite(rows_tensor(task.clone().filter([1]), ("a",), to_tensor)), known_finite(torch.ones(1))
    (True, False)
    """
    base = tensor if tensor._base is None else tensor._base
    entry = _blocks.get(id(base))  # dict reads and writes are atomic: no lock (see _forget_block_ref)
    if entry is None or entry[0]() is not base:
        return False
    if entry[1] is None:
        entry[1] = bool(torch.isfinite(base).all()) if base.is_floating_point() else True
    return bool(entry[1])


def _forget_block_ref(block_id: int, _ref: object) -> None:
    # no lock: a block can die while _store holds it (an evicted entry); dict.pop is atomic
    _blocks.pop(block_id, None)


def _store(frame: Any, key: tuple[int, Hashable], block: torch.Tensor) -> None:
    size = _nbytes(block)
    if size > MAX_BYTES:
        return
    with _lock:
        block_id = id(block)
        _blocks[block_id] = [weakref.ref(block, functools.partial(_forget_block_ref, block_id)), None]
        if key[0] not in _watched:
            weakref.finalize(frame, _forget, key[0])
            _watched.add(key[0])
        old = _entries.pop(key, None)
        if old is not None:
            _size[0] -= _nbytes(old)
        _entries[key] = block
        _size[0] += size
        while _size[0] > MAX_BYTES and _entries:
            _size[0] -= _nbytes(_entries.popitem(last=False)[1])
