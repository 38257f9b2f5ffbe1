"""as_lazy_tensor from tensors, arrays, dicts, datasets, descriptors and image files; lazy_shape."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torch.utils.data import Dataset
from torchvision.io import write_jpeg, write_png

from jupytorch.core.exceptions import InvalidParameterError, JupytorchError
from jupytorch.lazy.convert import as_lazy_tensor, is_lazy_tensor, lazy_shape
from jupytorch.lazy.datasets import ImageFileDataset
from jupytorch.lazy.descriptor import DataDescriptor
from jupytorch.lazy.materialize import materialize

pytestmark = pytest.mark.filterwarnings("ignore:The image decoding:DeprecationWarning")


class PairDataset(Dataset):
    """Rows are (image, label) tuples, like most torchvision datasets."""

    def __init__(self, n: int):
        self.x = torch.rand(n, 2, 5)

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int):
        return self.x[i], torch.tensor(i % 2)


class DictDataset(Dataset):
    def __init__(self, n: int):
        self.x = torch.rand(n, 3, 6, 6)

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int):
        return {"image": self.x[i], "meta": torch.tensor([float(i)])}


def test_from_numpy_shares_memory():
    array = np.zeros((4, 3), dtype=np.float32)
    lt = as_lazy_tensor(array)
    assert lazy_shape(lt) == (None, 3) and len(lt) == 4
    array[2, 1] = 7.0
    assert materialize(lt[2]).tolist() == [0.0, 7.0, 0.0]


def test_from_tensor_with_ids_and_shapes():
    x = torch.arange(10.0).reshape(5, 2)
    lt = as_lazy_tensor(x, dataset_shapes=(None, 2), ids=[4, 0])
    assert lt.ids.tolist() == [4, 0]
    assert materialize(lt, rbind=True).tolist() == [[8.0, 9.0], [0.0, 1.0]]
    with pytest.raises(InvalidParameterError, match="does not fit"):
        as_lazy_tensor(x, dataset_shapes=(None, 3))
    with pytest.raises(InvalidParameterError, match="outside the dataset's rows"):
        as_lazy_tensor(x, ids=[5])
    with pytest.raises(InvalidParameterError, match="0-d"):
        as_lazy_tensor(torch.tensor(1.0))


def test_from_dict_of_tensors():
    data = {"a": torch.zeros(3, 2), "b": torch.ones(3, 4)}
    with pytest.raises(InvalidParameterError, match="input_key"):
        as_lazy_tensor(data)
    lt = as_lazy_tensor(data, input_key="b")
    assert lazy_shape(lt) == (None, 4)
    assert lazy_shape(as_lazy_tensor(data, {"a": (None, 2)})) == (None, 2)


def test_from_dataset_with_tuple_rows_infers_shape():
    lt = as_lazy_tensor(PairDataset(6), {"0": None})
    assert lazy_shape(lt) == (None, 2, 5) and len(lt) == 6
    assert torch.equal(materialize(lt, rbind=True), lt.descriptor.dataset.x)
    with pytest.raises(InvalidParameterError, match="input_key"):
        as_lazy_tensor(PairDataset(3))


def test_from_dataset_with_dict_rows():
    ds = DictDataset(4)
    lt = as_lazy_tensor(ds, {"image": None})
    assert lazy_shape(lt) == (None, 3, 6, 6)
    assert torch.equal(materialize(lt[1:3], rbind=True), ds.x[1:3])
    given = as_lazy_tensor(ds, {"image": (None, 3, 6, 6), "meta": (None, 1)}, input_key="meta")
    assert materialize(given, rbind=True).flatten().tolist() == [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(JupytorchError, match=r"declares the field\(s\) \['pixels'\].*have the fields \['image', 'meta'\]"):
        as_lazy_tensor(ds, {"pixels": None})


def test_declared_fields_the_rows_lack_fail_at_creation_naming_both():
    ds = DictDataset(4)  # rows: {"image": ..., "meta": ...}
    with pytest.raises(InvalidParameterError) as caught:  # shapes given in full: row 0 is read to check the keys
        as_lazy_tensor(ds, {"images": (None, 3, 6, 6)})
    message = str(caught.value)
    assert "['images']" in message and "['image', 'meta']" in message and "did you mean 'image'?" in message
    with pytest.raises(InvalidParameterError, match=r"\['label'\].*\['image', 'meta'\]"):
        DataDescriptor(ds, {"image": (None, 3, 6, 6), "label": (None,)}, input_key="image")
    with pytest.raises(InvalidParameterError, match=r"\['y'\].*TensorDictDataset.*\['x'\]"):
        DataDescriptor({"x": torch.zeros(3, 2)}, {"x": (None, 2), "y": (None,)}, input_key="x")


def test_from_descriptor_and_lazy_tensor():
    dd = DataDescriptor({"x": torch.zeros(5, 2)}, {"x": (None, 2)})
    lt = as_lazy_tensor(dd, ids=[1, 2])
    assert lt.descriptor is dd and lt.ids.tolist() == [1, 2]
    assert as_lazy_tensor(lt) is lt
    assert as_lazy_tensor(pd.Series(lt)).ids.tolist() == [1, 2]
    assert as_lazy_tensor(lt, ids=[4]).ids.tolist() == [4]
    assert as_lazy_tensor(lt[0]).ids.tolist() == [1]


def test_from_image_files(tmp_path):
    paths = []
    for i in range(3):
        image = torch.full((3, 10, 12), 40 * i, dtype=torch.uint8)
        path = tmp_path / f"img{i}.png"
        write_png(image, str(path))
        paths.append(path)
    lt = as_lazy_tensor(paths)
    assert isinstance(lt.descriptor.dataset, ImageFileDataset)
    assert lazy_shape(lt) == (None, 3, 10, 12)
    x = materialize(lt, rbind=True)
    assert x.dtype == torch.float32 and x.shape == (3, 3, 10, 12)
    assert torch.allclose(x[:, 0, 0, 0], torch.tensor([0.0, 40.0, 80.0]) / 255)
    gray = as_lazy_tensor([str(p) for p in paths], mode="GRAY")
    assert lazy_shape(gray) == (None, 1, 10, 12)
    jpg = tmp_path / "photo.jpg"
    write_jpeg(torch.zeros(3, 8, 8, dtype=torch.uint8), str(jpg))
    assert lazy_shape(as_lazy_tensor([jpg], (None, 3, 8, 8))) == (None, 3, 8, 8)


def test_missing_image_file_errors_with_path(tmp_path):
    lt = as_lazy_tensor([tmp_path / "nope.jpg"], (None, 3, 8, 8))
    with pytest.raises(JupytorchError, match="nope.jpg"):
        materialize(lt)


def test_bad_inputs():
    with pytest.raises(InvalidParameterError, match="cannot make a lazy tensor from a int"):
        as_lazy_tensor(3)
    with pytest.raises(InvalidParameterError, match="numpy array of objects"):
        as_lazy_tensor(np.array([1, "a"], dtype=object))


def test_is_lazy_tensor_and_lazy_shape():
    lt = as_lazy_tensor(torch.zeros(2, 4))
    assert is_lazy_tensor(lt) and is_lazy_tensor(pd.Series(lt)) and not is_lazy_tensor(pd.Series([1]))
    assert lazy_shape(lt[0]) == (None, 4) and lazy_shape(lt.descriptor) == (None, 4)
    with pytest.raises(InvalidParameterError):
        lazy_shape(lt, stage="both")
    with pytest.raises(InvalidParameterError):
        lazy_shape(torch.zeros(2))


def test_many_image_files_decode_in_order(tmp_path):
    paths = []
    for i in range(12):  # enough rows for the threaded decoder
        path = tmp_path / f"{i}.png"
        write_png(torch.full((1, 4, 4), 20 * i, dtype=torch.uint8), str(path))
        paths.append(path)
    lt = as_lazy_tensor(paths, mode="GRAY")
    order = list(range(11, -1, -1))
    x = materialize(lt[order], rbind=True)
    assert torch.allclose(x[:, 0, 0, 0] * 255, torch.tensor([20.0 * i for i in order]))
