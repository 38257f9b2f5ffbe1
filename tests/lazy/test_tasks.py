"""Image task loaders: MNIST (a test set written by the tests), Fashion-MNIST, CIFAR, iris, digits, melanoma, folders."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from idx_files import N_ROWS, mnist_like, write_idx
from torchvision.io import write_jpeg, write_png

from jupytorch.core.exceptions import DataNotFoundError
from jupytorch.lazy import tasks as images
from jupytorch.lazy.convert import lazy_shape
from jupytorch.lazy.data_files import read_idx
from jupytorch.lazy.materialize import materialize
from jupytorch.lazy.tasks import (
    image_folder_task,
    load_cifar10,
    load_cifar100,
    load_digits,
    load_fashion_mnist,
    load_lazy_iris,
    load_melanoma,
    load_mnist,
)

pytestmark = pytest.mark.filterwarnings("ignore:The image decoding:DeprecationWarning")


def test_mnist_test_set(mnist_root):
    task = load_mnist()
    assert task.id == "mnist" and task.nrow == N_ROWS
    assert "test set only" in task.label
    assert task.feature_types.to_dict() == {"image": "lazy_tensor"}
    assert task.class_names == [str(i) for i in range(10)]
    images, labels = mnist_like()
    assert task.truth(rows=range(12)).tolist() == [str(label) for label in labels[:12]]
    assert "split" not in task.feature_names and set(task.data(cols=["split"])["split"]) == {"test"}
    column = task.data(rows=[0, 1])["image"]
    assert lazy_shape(column) == (None, 1, 28, 28)
    assert "<tnsr[1x28x28]>" in repr(task.data(rows=[0, 1]))
    x = materialize(task.data(rows=range(500))["image"], rbind=True)
    assert x.shape == (500, 1, 28, 28) and x.dtype == torch.float32
    assert x.min() == 0.0 and x.max() == 1.0
    assert torch.equal(x[:, 0], torch.from_numpy(images[:500]).float() / 255)
    raw = read_idx(mnist_root / "MNIST" / "raw" / "t10k-images-idx3-ubyte.gz")
    assert np.array_equal(raw, images)


def test_mnist_train_and_test(mnist_root):
    raw = mnist_root / "MNIST" / "raw"
    rng = np.random.default_rng(1)
    write_idx(raw / "train-images-idx3-ubyte", rng.integers(0, 256, (3, 28, 28)))
    write_idx(raw / "train-labels-idx1-ubyte.gz", np.array([9, 8, 7]), compress=True)
    task = load_mnist()
    assert task.nrow == N_ROWS + 3 and "only" not in task.label
    assert task.truth(rows=range(5)).tolist() == ["9", "8", "7", "0", "1"]
    assert task.data(cols=["split"])["split"].value_counts().to_dict() == {"test": N_ROWS, "train": 3}
    x = materialize(task.data(rows=[0, 3])["image"], rbind=True)
    assert torch.equal(x[0, 0], torch.from_numpy(read_idx(raw / "train-images-idx3-ubyte")[0]).float() / 255)


def test_missing_mnist_files_error(data_root):
    with pytest.raises(DataNotFoundError) as info:
        load_mnist()
    message = str(info.value)
    assert str(data_root / "MNIST" / "raw") in message
    assert "t10k-images-idx3-ubyte" in message and "JUPYTORCH_DATA" in message
    assert isinstance(info.value, FileNotFoundError)


def test_fashion_mnist_from_root_and_system_dir(data_root, tmp_path, monkeypatch):
    system = tmp_path / "usr-share"
    system.mkdir()
    write_idx(system / "t10k-images-idx3-ubyte.gz", np.zeros((4, 28, 28)), compress=True)
    write_idx(system / "t10k-labels-idx1-ubyte.gz", np.array([0, 9, 1, 9]), compress=True)
    with pytest.raises(DataNotFoundError, match="dataset-fashion-mnist"):
        load_fashion_mnist()
    monkeypatch.setattr(images, "SYSTEM_DIRS", {"FashionMNIST": (system,)})
    task = load_fashion_mnist()
    assert task.id == "fashion_mnist" and task.nrow == 4
    assert task.truth().tolist() == ["T-shirt/top", "Ankle boot", "Trouser", "Ankle boot"]
    assert task.class_names[:2] == ["T-shirt/top", "Trouser"]


def _cifar_batch(path: Path, n: int, label_key: str, start: int) -> None:
    data = (np.arange(n * 3072).reshape(n, 3072) + start) % 256
    batch = {b"data": data.astype(np.uint8), label_key.encode(): [(start + i) % 10 for i in range(n)], b"batch_label": b"x"}
    with open(path, "wb") as f:
        pickle.dump(batch, f, protocol=2)


def test_cifar10_from_fake_batches(data_root):
    folder = data_root / "cifar-10-batches-py"
    folder.mkdir()
    _cifar_batch(folder / "test_batch", 3, "labels", 100)
    task = load_cifar10()
    assert task.nrow == 3 and "test set only" in task.label
    assert task.class_names[:2] == ["airplane", "automobile"]
    for i in range(1, 6):
        _cifar_batch(folder / f"data_batch_{i}", 2, "labels", i)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({b"label_names": [f"c{i}".encode() for i in range(10)]}, f, protocol=2)
    task = load_cifar10()
    assert task.nrow == 13 and task.target_names == ["class"]
    assert task.class_names == [f"c{i}" for i in range(7)]  # labels 0..6 occur; the task drops unused classes
    assert task.data(cols=["split"])["split"].tolist() == ["train"] * 10 + ["test"] * 3
    x = materialize(task.data(rows=[0])["image"], rbind=True)
    assert x.shape == (1, 3, 32, 32)
    expected = torch.from_numpy(((np.arange(3072) + 1) % 256).astype(np.float32) / 255).reshape(3, 32, 32)
    assert torch.allclose(x[0], expected)


def test_cifar10_partial_or_missing(data_root):
    with pytest.raises(DataNotFoundError, match="cifar-10-batches-py"):
        load_cifar10()
    folder = data_root / "cifar-10-batches-py"
    folder.mkdir()
    _cifar_batch(folder / "data_batch_1", 2, "labels", 0)
    with pytest.raises(DataNotFoundError, match="data_batch_2"):
        load_cifar10()


def test_cifar100(data_root):
    folder = data_root / "cifar-100-python"
    folder.mkdir()
    _cifar_batch(folder / "train", 4, "fine_labels", 0)
    _cifar_batch(folder / "test", 2, "fine_labels", 5)
    with open(folder / "meta", "wb") as f:
        pickle.dump({b"fine_label_names": [f"k{i}".encode() for i in range(100)]}, f, protocol=2)
    task = load_cifar100()
    assert task.nrow == 6 and task.truth().tolist() == ["k0", "k1", "k2", "k3", "k5", "k6"]


def test_lazy_iris():
    from sklearn.datasets import load_iris

    task = load_lazy_iris()
    assert task.nrow == 150 and task.target_names == ["Species"]
    assert task.feature_types.to_dict() == {"x": "lazy_tensor"}
    x = materialize(task.data()["x"], rbind=True)
    assert x.shape == (150, 4) and x.dtype == torch.float32
    assert np.allclose(x.numpy(), load_iris().data)


def test_digits():
    task = load_digits()
    assert task.nrow == 1797 and task.target_names == ["class"] and len(task.class_names) == 10
    assert lazy_shape(task.data()["image"]) == (None, 1, 8, 8)
    x = materialize(task.data()["image"], rbind=True)
    assert x.min() == 0.0 and x.max() == 1.0


def _write_images(folder: Path, names: list[str], size: int, ext: str = ".jpg") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, name in enumerate(names):
        image = torch.full((3, size, size), 30 * i, dtype=torch.uint8)
        path = folder / f"{name}{ext}"
        (write_jpeg if ext == ".jpg" else write_png)(image, str(path))
        paths.append(path)
    return paths


def test_melanoma(data_root):
    folder = data_root / "melanoma"
    names = [f"ISIC_{i:07d}" for i in range(6)]
    _write_images(folder / "train", names, 128)
    pd.DataFrame({
        "image_name": names,
        "patient_id": ["IP_1", "IP_1", "IP_2", "IP_3", "IP_3", "IP_4"],
        "sex": ["male", "female", "male", None, "female", "male"],
        "age_approx": [45.0, None, 60.0, 30.0, 35.0, 80.0],
        "anatom_site_general_challenge": ["torso", "head/neck", None, "torso", "lower extremity", "torso"],
        "diagnosis": ["nevus", "melanoma", "unknown", "unknown", "nevus", "melanoma"],
        "benign_malignant": ["benign", "malignant", "benign", "benign", "benign", "malignant"],
        "target": [0, 1, 0, 0, 0, 1],
    }).to_csv(folder / "ISIC_2020_Training_GroundTruth_v2.csv", index=False)
    task = load_melanoma()
    assert task.nrow == 6 and task.positive == "malignant"
    assert task.feature_types.to_dict() == {
        "sex": "factor", "anatom_site_general_challenge": "factor", "age_approx": "integer", "image": "lazy_tensor",
    }
    assert task.col_roles["group"] == ["patient_id"] and task.col_roles["name"] == ["image_name"]
    assert task.missings()["age_approx"] == 1
    assert lazy_shape(task.data()["image"]) == (None, 3, 128, 128)
    x = materialize(task.data(rows=[0, 5])["image"], rbind=True)
    assert x.shape == (2, 3, 128, 128)
    assert abs(x[1].mean().item() - 150 / 255) < 0.02


def test_melanoma_missing(data_root):
    with pytest.raises(DataNotFoundError, match="ISIC_2020_Training_GroundTruth_v2.csv"):
        load_melanoma()


def test_image_folder_task(tmp_path):
    _write_images(tmp_path / "pets" / "dog", ["a", "b"], 16)
    _write_images(tmp_path / "pets" / "cat", ["c", "d", "e"], 16, ext=".png")
    (tmp_path / "pets" / "cat" / "notes.txt").write_text("not an image")
    task = image_folder_task(tmp_path / "pets")
    assert task.id == "pets" and task.nrow == 5
    assert task.class_names == ["cat", "dog"]
    assert task.truth().tolist() == ["cat", "cat", "cat", "dog", "dog"]
    assert task.feature_names == ["image"] and task.data(cols=["path"])["path"].str.endswith(".png").sum() == 3
    x = materialize(task.data()["image"], rbind=True)
    assert x.shape == (5, 3, 16, 16)
    with pytest.raises(DataNotFoundError, match="class subfolders"):
        image_folder_task(tmp_path / "pets" / "dog")


def test_image_folder_with_varying_sizes(tmp_path):
    _write_images(tmp_path / "imgs" / "a", ["x"], 8)
    _write_images(tmp_path / "imgs" / "b", ["y"], 12)
    task = image_folder_task(tmp_path / "imgs", id="mixed", shape=(None, 3, None, None))
    rows = materialize(task.data()["image"])
    assert [tuple(r.shape) for r in rows] == [(3, 8, 8), (3, 12, 12)]
