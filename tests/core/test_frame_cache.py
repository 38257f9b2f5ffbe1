"""The frame cache: a data frame's columns converted once, views cut by position, bounded memory."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

import jupytorch as jt
from jupytorch.core import frame_cache
from jupytorch.core.frame_cache import known_finite, rows_block


def counting():
    calls = []

    def convert(whole):
        calls.append(whole.nrow)
        return whole.data(cols=["a"]).to_numpy(np.float32)

    return convert, calls


def task(n=6, index=None):
    frame = pd.DataFrame({"a": np.arange(n, dtype=float), "y": np.zeros(n)}, index=index)
    return jt.as_task_regr(frame, target="y")


def test_views_of_one_frame_convert_once_and_take_their_rows_in_order():
    frame_cache.clear()
    convert, calls = counting()
    base = task()
    first = rows_block(base.clone().filter([4, 1, 1]), "a", convert)
    second = rows_block(base.clone().filter([0, 5]), "a", convert)
    assert first.flatten().tolist() == [4.0, 1.0, 1.0] and second.flatten().tolist() == [0.0, 5.0]
    assert calls == [6]  # the whole frame, once
    assert rows_block(base, "a", convert).flatten().tolist() == [0, 1, 2, 3, 4, 5]
    rows_block(base, "other", convert)
    assert calls == [6, 6]  # another conversion is another entry


def test_row_ids_that_are_not_positions():
    frame_cache.clear()
    convert, _ = counting()
    shifted = task(index=[10, 11, 12, 13, 14, 15])
    assert rows_block(shifted.filter([15, 10]), "a", convert).flatten().tolist() == [5.0, 0.0]


def test_cached_arrays_are_read_only_and_one_row_is_a_view():
    frame_cache.clear()
    convert, _ = counting()
    base = task()
    whole = rows_block(base, "a", convert)
    with pytest.raises(ValueError, match="read-only"):
        whole[0, 0] = 1.0
    row = rows_block(base.clone().filter([2]), "a", convert)
    assert row.base is whole and row.tolist() == [[2.0]]
    finite = lambda a: bool(np.isfinite(a).all())  # noqa: E731
    assert known_finite(row, row.base, finite) and not known_finite(row.copy(), None, finite)


def test_entries_die_with_their_frame():
    frame_cache.clear()
    convert, _ = counting()
    t = task()
    rows_block(t, "a", convert)
    assert len(frame_cache._entries) == 1
    del t
    gc.collect()
    assert not frame_cache._entries


def test_memory_is_bounded(monkeypatch):
    frame_cache.clear()
    monkeypatch.setattr(frame_cache, "MAX_BYTES", 60)  # room for two 6-row float32 entries (24 bytes each)
    convert, calls = counting()
    tasks = [task() for _ in range(3)]
    for t in tasks:
        rows_block(t, "a", convert)
    assert len(frame_cache._entries) == 2 and frame_cache._size[0] == 48
    big = task(n=40)
    assert rows_block(big.filter([3]), "a", convert, row_bytes=4).tolist() == [[3.0]]
    assert calls[-1] == 1  # too big to keep: only the active row was converted
    frame_cache.clear()
