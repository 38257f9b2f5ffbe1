"""materialize: batched loading, rbind, stages, caching, missing elements, varying shapes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torch.utils.data import Dataset

from jupytorch.core.exceptions import InvalidParameterError, JupytorchError
from jupytorch.lazy.convert import as_lazy_tensor
from jupytorch.lazy.datasets import TensorDictDataset
from jupytorch.lazy.descriptor import DataDescriptor
from jupytorch.lazy.materialize import materialize
from jupytorch.lazy.steps import Reshape


class CountingDataset(TensorDictDataset):
    """A tensor dataset that records every batch request."""

    def __init__(self, n: int = 20):
        super().__init__({"x": torch.arange(n * 4, dtype=torch.float32).reshape(n, 1, 2, 2)})
        self.calls: list[list[int]] = []
        self.items = 0

    def getbatch(self, index):
        self.calls.append(index.tolist())
        return super().getbatch(index)

    def __getitem__(self, i):
        self.items += 1
        return super().__getitem__(i)


class GetItemsDataset(Dataset):
    """torch's batch protocol: __getitems__ returns a list of rows."""

    def __init__(self, n: int):
        self.x = torch.rand(n, 3)
        self.batches = 0

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        raise AssertionError("the batch getter should be used")

    def __getitems__(self, indices):
        self.batches += 1
        return [{"x": self.x[i]} for i in indices]


class PlainDataset(Dataset):
    def __init__(self, sizes):
        self.rows = [torch.full((1, s, s), float(s)) for s in sizes]

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        return {"x": self.rows[i]}


class Counter:
    """A picklable step that counts its calls."""

    def __init__(self, add: float = 0.0):
        self.add = add
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return x + self.add


def test_rbind_and_list(dataset=None):
    ds = CountingDataset(10)
    lt = as_lazy_tensor(ds, {"x": (None, 1, 2, 2)})
    stacked = materialize(lt[[3, 1, 4]], rbind=True)
    assert stacked.shape == (3, 1, 2, 2) and stacked.device.type == "cpu"
    assert torch.equal(stacked, ds.tensors["x"][[3, 1, 4]])
    rows = materialize(lt[:4])
    assert isinstance(rows, list) and len(rows) == 4 and rows[0].shape == (1, 2, 2)
    assert torch.equal(rows[2], ds.tensors["x"][2])
    assert materialize(lt[5]).shape == (1, 2, 2)  # one element: a tensor without batch dimension
    assert materialize(pd.Series(lt[:2], index=[10, 11]), rbind=True).shape == (2, 1, 2, 2)


def test_batch_getter_called_once_per_call_with_all_ids():
    ds = CountingDataset(300)
    lt = as_lazy_tensor(ds, {"x": (None, 1, 2, 2)})
    materialize(lt[:256], rbind=True)
    assert len(ds.calls) == 1 and ds.calls[0] == list(range(256))
    assert ds.items == 0
    materialize(lt[256:], rbind=True)
    assert len(ds.calls) == 2


def test_getitems_protocol_is_used():
    ds = GetItemsDataset(7)
    lt = as_lazy_tensor(ds, {"x": (None, 3)})
    assert ds.batches == 1  # row 0: do the rows have the declared fields?
    out = materialize(lt, rbind=True)
    assert ds.batches == 2 and torch.equal(out, ds.x)


def test_per_item_fallback_and_varying_shapes():
    ds = PlainDataset([2, 3, 2])
    lt = as_lazy_tensor(ds, {"x": (None, 1, None, None)})
    rows = materialize(lt)
    assert [tuple(r.shape) for r in rows] == [(1, 2, 2), (1, 3, 3), (1, 2, 2)]
    assert materialize(lt[[0, 2]], rbind=True).shape == (2, 1, 2, 2)  # same sizes stack
    with pytest.raises(JupytorchError, match="different shapes"):
        materialize(lt, rbind=True)

    def to_4x4(x):
        return torch.nn.functional.interpolate(x, size=(4, 4))

    resized = lt.with_step(to_4x4, lambda s: (*s[:2], 4, 4), name="trafo_resize")
    assert materialize(resized, rbind=True).shape == (3, 1, 4, 4)


def test_declared_shape_is_checked():
    lt = as_lazy_tensor(PlainDataset([2, 3]), {"x": (None, 1, 2, 2)})
    with pytest.raises(JupytorchError, match="declared"):
        materialize(lt, rbind=True)


def test_stages_train_runs_augmentation_predict_skips_it():
    base = as_lazy_tensor(torch.zeros(4, 2))
    lt = base.with_step(Counter(1.0), stage="train", name="augment").with_step(Counter(10.0), name="trafo")
    assert materialize(lt, rbind=True, stage="predict").unique().tolist() == [10.0]
    assert materialize(lt, rbind=True, stage="train").unique().tolist() == [11.0]
    only_predict = base.with_step(Counter(5.0), stage="predict")
    assert materialize(only_predict, rbind=True, stage="train").unique().tolist() == [0.0]
    assert materialize(only_predict, rbind=True).unique().tolist() == [5.0]
    with pytest.raises(InvalidParameterError, match="stage"):
        materialize(lt, stage="both")


def test_steps_run_on_whole_batch():
    counter = Counter()
    lt = as_lazy_tensor(torch.zeros(50, 3)).with_step(counter, name="count")
    materialize(lt, rbind=True)
    assert counter.calls == 1 + 1  # one for shape inference, one for the batch


def test_cache_shares_rows_between_columns_of_one_dataset():
    ds = CountingDataset(6)
    dd = DataDescriptor(ds, {"x": (None, 1, 2, 2)})
    raw = as_lazy_tensor(dd)
    flat = raw.with_step(Reshape((-1, 4)), name="flat")
    df = pd.DataFrame({"raw": raw, "flat": flat, "y": np.arange(6)})
    out = materialize(df, rbind=True)
    assert set(out) == {"raw", "flat"}  # non-lazy columns are left out
    assert out["raw"].shape == (6, 1, 2, 2) and out["flat"].shape == (6, 4)
    assert len(ds.calls) == 1
    materialize(df, rbind=True, cache=None)
    assert len(ds.calls) == 3


def test_cache_shares_results_of_identical_columns():
    counter = Counter()
    lt = as_lazy_tensor(torch.zeros(5, 2)).with_step(counter, (None, 2), name="count")
    out = materialize([lt, lt], rbind=True)
    assert counter.calls == 1 and len(out) == 2
    user_cache: dict = {}
    materialize(lt, cache=user_cache)
    materialize(lt, cache=user_cache)
    assert counter.calls == 2


def test_missing_elements():
    lt = as_lazy_tensor(torch.arange(6.0).reshape(3, 2)).take([0, -1, 2], allow_fill=True)
    rows = materialize(lt)
    assert rows[1] is None and rows[2].tolist() == [4.0, 5.0]
    with pytest.raises(JupytorchError, match="missing"):
        materialize(lt, rbind=True)
    empty = lt.take([1, 1], allow_fill=True)
    assert materialize(empty) == [None, None]


def test_duplicate_ids_load_once_and_expand():
    ds = CountingDataset(5)
    lt = as_lazy_tensor(ds, {"x": (None, 1, 2, 2)}, ids=[1, 1, 3, 1])
    out = materialize(lt, rbind=True)
    assert ds.calls == [[1, 3]]
    assert torch.equal(out, ds.tensors["x"][[1, 1, 3, 1]])


def test_empty_selection():
    lt = as_lazy_tensor(torch.zeros(3, 1, 2, 2))
    assert materialize(lt[:0], rbind=True).shape == (0, 1, 2, 2)
    assert materialize(lt[:0]) == []


def test_errors_name_the_step_and_column():
    def broken(x):
        raise ValueError("bad batch")

    lt = as_lazy_tensor(torch.zeros(3, 2)).with_step(broken, (None, 2), name="trafo_broken")
    with pytest.raises(ValueError, match="bad batch") as info:
        materialize(pd.DataFrame({"feat": lt}))
    notes = "".join(info.value.__notes__)
    assert "trafo_broken" in notes and "'feat'" in notes
    with pytest.raises(InvalidParameterError, match="expected lazy tensors"):
        materialize(torch.zeros(2))
    with pytest.raises(InvalidParameterError, match="not lazy_tensor"):
        materialize(pd.Series([1.0]))


def test_uint8_scaled_dataset():
    images = torch.tensor([[0, 255], [51, 102]], dtype=torch.uint8).reshape(2, 1, 1, 2)
    ds = TensorDictDataset({"image": images}, scale={"image": 255.0})
    lt = as_lazy_tensor(DataDescriptor(ds, {"image": (None, 1, 1, 2)}))
    out = materialize(lt, rbind=True)
    assert out.dtype == torch.float32
    assert torch.allclose(out.flatten(), torch.tensor([0.0, 1.0, 0.2, 0.4]))
    assert images.dtype == torch.uint8  # the stored data is untouched
