"""The lazy_tensor pandas dtype: indexing, take, concat, NA, equality, display, pickling, tasks."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import torch

from jupytorch.core.exceptions import JupytorchError
from jupytorch.core.task import as_task_classif
from jupytorch.lazy.convert import as_lazy_tensor
from jupytorch.lazy.dtype import LazyTensor, LazyTensorArray, LazyTensorDtype
from jupytorch.lazy.materialize import materialize
from jupytorch.lazy.steps import Reshape


@pytest.fixture
def lt() -> LazyTensorArray:
    return as_lazy_tensor(torch.arange(6 * 784, dtype=torch.float32).reshape(6, 1, 28, 28))


@pytest.fixture
def frame(lt: LazyTensorArray) -> pd.DataFrame:
    return pd.DataFrame({"image": lt, "y": ["a", "b", "a", "b", "a", "b"]})


def test_dtype_is_registered_and_named():
    assert LazyTensorDtype().name == "lazy_tensor"
    assert pd.api.types.pandas_dtype("lazy_tensor") == LazyTensorDtype()
    assert pd.Series(dtype="lazy_tensor").dtype.name == "lazy_tensor"


def test_scalar_and_slice_access(lt):
    element = lt[2]
    assert isinstance(element, LazyTensor)
    assert element.id == 2 and element.shape == (1, 28, 28)
    sub = lt[1:4]
    assert isinstance(sub, LazyTensorArray) and sub.ids.tolist() == [1, 2, 3]
    assert lt[np.array([5, 0])].ids.tolist() == [5, 0]
    assert lt[np.array([True, False] * 3)].ids.tolist() == [0, 2, 4]
    assert lt[-1].id == 5
    assert sub.descriptor is lt.descriptor


def test_ids_are_read_only(lt):
    with pytest.raises(ValueError):
        lt.ids[0] = 3


def test_take_with_and_without_fill(lt):
    assert lt.take([3, 3, 0]).ids.tolist() == [3, 3, 0]
    filled = lt.take([1, -1], allow_fill=True)
    assert filled.isna().tolist() == [False, True]
    assert filled[1] is pd.NA
    assert lt.take([-1]).ids.tolist() == [5]  # without allow_fill, -1 is the last element
    with pytest.raises(IndexError):
        lt.take([10])


def test_concat_same_descriptor(lt, frame):
    both = pd.concat([frame, frame], ignore_index=True)
    assert both["image"].dtype.name == "lazy_tensor"
    assert both["image"].array.ids.tolist() == list(range(6)) * 2


def test_concat_different_descriptors_errors_clearly(lt):
    other = as_lazy_tensor(torch.zeros(3, 1, 28, 28))
    with pytest.raises(JupytorchError, match="different DataDescriptors"):
        pd.concat([pd.Series(lt), pd.Series(other)])
    with pytest.raises(JupytorchError, match="different DataDescriptors"):
        LazyTensorArray._from_sequence([lt[0], other[0]])


def test_concat_with_all_missing_array_adopts_descriptor(lt):
    empty = LazyTensorArray(np.array([-1, -1]), None)
    joined = LazyTensorArray._concat_same_type([empty, lt[:2]])
    assert joined.descriptor is lt.descriptor and joined.isna().tolist() == [True, True, False, False]


def test_isna_dropna_and_fillna(lt):
    s = pd.Series(lt.take([0, -1, 2], allow_fill=True))
    assert s.isna().tolist() == [False, True, False]
    assert s.dropna().array.ids.tolist() == [0, 2]
    assert s.fillna(lt[4]).array.ids.tolist() == [0, 4, 2]


def test_setitem(lt):
    arr = lt.copy()
    arr[0] = lt[5]
    arr[1] = pd.NA
    arr[[2, 3]] = lt[[0, 0]]
    assert arr.ids.tolist() == [5, -1, 0, 0, 4, 5]
    assert lt.ids.tolist() == list(range(6))  # the copy is independent
    with pytest.raises(JupytorchError, match="different DataDescriptors"):
        arr[0] = as_lazy_tensor(torch.zeros(2, 3))[0]


def test_equality(lt):
    other = as_lazy_tensor(torch.zeros(6, 1, 28, 28))
    assert (lt == lt.copy()).all()
    assert not (lt == other).any()
    assert (lt == lt[2]).tolist() == [False, False, True, False, False, False]
    assert (pd.Series(lt) == pd.Series(lt)).all()
    assert lt[1] == lt[1] and lt[1] != lt[2] and lt[1] != other[1]
    with_na = lt.take([0, -1], allow_fill=True)
    assert (with_na == with_na).tolist() == [True, False]
    assert pd.Series(lt).equals(pd.Series(lt.copy()))


def test_unique_factorize_and_groupby(lt):
    arr = lt.take([1, 1, 0, 1])
    assert arr.unique().ids.tolist() == [1, 0]
    codes, uniques = pd.factorize(pd.Series(arr))
    assert codes.tolist() == [0, 0, 1, 0] and uniques.array.ids.tolist() == [1, 0]
    df = pd.DataFrame({"image": arr, "v": [1, 2, 3, 4]})
    assert df.groupby("image", sort=False)["v"].sum().tolist() == [7, 3]
    assert lt[3] in lt and lt[3] not in lt[:2]


def test_nbytes_len_copy(lt):
    assert len(lt) == 6 and lt.nbytes == 6 * 8
    copied = lt.copy()
    assert copied is not lt and copied.descriptor is lt.descriptor


def test_repr_shows_shape(frame, lt):
    text = repr(frame)
    assert "<tnsr[1x28x28]>" in text
    assert "&lt;tnsr[1x28x28]&gt;" in frame._repr_html_()
    assert repr(lt[0]) == "<tnsr[1x28x28]>"
    assert "<tnsr[784]>" in repr(pd.Series(lt.with_step(Reshape((-1, 784)))))
    assert "<NA>" in repr(pd.Series(lt.take([-1], allow_fill=True)))
    assert repr(as_lazy_tensor(torch.zeros(3))[0]) == "<tnsr[]>"


def test_astype_object_and_back(lt):
    objects = pd.Series(lt).astype(object)
    assert isinstance(objects.iloc[0], LazyTensor)
    back = objects.astype("lazy_tensor")
    assert back.dtype.name == "lazy_tensor" and back.array.ids.tolist() == list(range(6))
    with pytest.raises(Exception, match="as_lazy_tensor"):
        pd.Series([1.0, 2.0]).astype("lazy_tensor")


def test_pickle_round_trip(frame):
    stepped = frame.assign(image=frame["image"].array.with_step(Reshape((-1, 784)), name="flat"))
    back = pickle.loads(pickle.dumps(stepped))
    assert back["image"].array.descriptor.hash == stepped["image"].array.descriptor.hash
    assert repr(back["image"].iloc[0]) == "<tnsr[784]>"
    assert torch.equal(materialize(back["image"], rbind=True), materialize(stepped["image"], rbind=True))


def test_task_with_lazy_column(frame):
    task = as_task_classif(frame, target="y", id="toy")
    assert task.feature_types.to_dict() == {"image": "lazy_tensor"}
    rows = task.data(rows=[0, 1])
    assert rows["image"].dtype.name == "lazy_tensor"
    assert rows["image"].array.ids.tolist() == [0, 1]
    task.filter([5, 3, 1])
    assert task.data()["image"].array.ids.tolist() == [5, 3, 1]
    assert task.truth().tolist() == ["b", "b", "b"]
    assert task.missings().to_dict() == {"y": 0, "image": 0}
    x = materialize(task.data(cols=["image"]), rbind=True)["image"]
    assert x.shape == (3, 1, 28, 28)
    assert torch.equal(x[0], torch.arange(5 * 784, 6 * 784, dtype=torch.float32).reshape(1, 28, 28))
    assert "&lt;tnsr[1x28x28]&gt;" in task._repr_html_()


def test_task_replace_features_and_cbind_keep_lazy_column(frame, lt):
    task = as_task_classif(frame, target="y")
    task.filter([0, 2, 4])
    flat = task.data(cols=["image"])["image"].array.with_step(Reshape((-1, 784)), name="trafo_reshape")
    new = task.replace_features(pd.DataFrame({"image": flat}, index=task.row_ids))
    assert new.feature_types["image"] == "lazy_tensor"
    assert materialize(new.data(cols=["image"]), rbind=True)["image"].shape == (3, 784)
    other = as_task_classif(frame[["y"]].assign(x=1.0), target="y")
    other.cbind(pd.DataFrame({"image": lt[:3]}, index=[0, 1, 2]))
    assert other.data()["image"].isna().tolist() == [False, False, False, True, True, True]
