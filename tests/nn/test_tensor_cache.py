"""The tensor cache: the torch side of the frame cache (tensor blocks, views, known-finite blocks)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

import jupytorch as jt
from jupytorch.nn import tensor_cache
from jupytorch.nn.tensor_cache import known_finite, rows_tensor


def task(values):
    return jt.as_task_regr(pd.DataFrame({"a": values, "y": np.zeros(len(values))}), target="y")


def to_tensor(whole):
    return torch.tensor(whole.data(cols=["a"]).to_numpy(np.float32))


def test_tensor_rows_by_position_and_one_row_as_a_view():
    tensor_cache.clear()
    base = task([0.0, 1.0, 2.0, 3.0])
    whole = rows_tensor(base, ("t", "a"), to_tensor)
    assert rows_tensor(base.clone().filter([3, 0]), ("t", "a"), to_tensor).flatten().tolist() == [3.0, 0.0]
    row = rows_tensor(base.clone().filter([2]), ("t", "a"), to_tensor)
    assert row._base is whole and row.tolist() == [[2.0]]


def test_a_block_with_infinite_values_is_not_known_finite():
    tensor_cache.clear()
    row = rows_tensor(task([0.0, float("inf")]).filter([0]), ("t", "a"), to_tensor)
    assert row.tolist() == [[0.0]] and not known_finite(row)
    assert known_finite(rows_tensor(task([0.0, 1.0]).filter([1]), ("t", "a"), to_tensor))
