"""Image tasks: MNIST, Fashion-MNIST, CIFAR, digits, lazy iris, melanoma and image folders.

Images live in a lazy-tensor column ``image``; nothing is decoded before a batch is
materialized. The files are read from a data directory: the directory given to
:func:`set_data_dir`, else the environment variable ``JUPYTORCH_DATA``, else
``~/.cache/jupytorch``, laid out as torchvision lays it out. MNIST, Fashion-MNIST and CIFAR are
downloaded there with torchvision's downloaders when missing and the network allows
(:mod:`jupytorch.lazy.downloads`; ``JUPYTORCH_OFFLINE=1`` turns that off); Tiny ImageNet is in
:mod:`jupytorch.lazy.tiny_imagenet`.

- ``<root>/MNIST/raw/``, ``<root>/FashionMNIST/raw/``: ``train-images-idx3-ubyte``,
  ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``
  (each may be gzipped, ``.gz``). Fashion-MNIST is also found where Debian's package
  ``dataset-fashion-mnist`` puts it (``/usr/share/datasets/fashion-mnist``).
- ``<root>/cifar-10-batches-py/`` (``data_batch_1`` .. ``data_batch_5``, ``test_batch``,
  ``batches.meta``), ``<root>/cifar-100-python/`` (``train``, ``test``, ``meta``).
- ``<root>/melanoma/``: ``ISIC_2020_Training_GroundTruth_v2.csv`` and the JPEGs it names.

Decoded arrays are cached per file, so a second ``tsk("mnist")`` is instant and its column
shares the first one's DataDescriptor.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import DataNotFoundError, JupytorchError, TaskError
from jupytorch.core.task import TaskClassif
from jupytorch.lazy.data_files import data_dir, load_once, read_array_pickle, read_idx, set_data_dir

__all__ = [
    "DataNotFoundError",
    "set_data_dir",
    "data_dir",
    "read_idx",
    "load_mnist",
    "load_fashion_mnist",
    "load_cifar10",
    "load_cifar100",
    "load_lazy_iris",
    "load_digits",
    "load_melanoma",
    "image_folder_task",
]

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
SYSTEM_DIRS = {"FashionMNIST": (Path("/usr/share/datasets/fashion-mnist"),), "MNIST": (Path("/usr/share/datasets/mnist"),)}
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp")


# -- shared task building --------------------------------------------------------------------------
def _uint8_images(images: np.ndarray, key: tuple):
    """Make a lazy tensor over uint8 images ``(N, C, H, W)`` that materializes as float32 in [0, 1]."""
    import torch

    from jupytorch.lazy.convert import as_lazy_tensor
    from jupytorch.lazy.datasets import TensorDictDataset
    from jupytorch.lazy.descriptor import DataDescriptor

    dataset = TensorDictDataset({"image": torch.from_numpy(np.ascontiguousarray(images))}, scale={"image": 255.0})
    token = "files:" + "|".join(f"{p}:{m}:{n}" for p, m, n in key)
    return as_lazy_tensor(DataDescriptor(dataset, {"image": (None, *images.shape[1:])}, dataset_hash=token))


def _split_task(id: str, images: Any, labels: np.ndarray, classes: Sequence[str], splits: list[tuple[str, int]],
                label: str, target: str) -> TaskClassif:
    split = np.concatenate([np.full(n, name, dtype=object) for name, n in splits])
    frame = pd.DataFrame({
        "image": images,
        target: pd.Categorical.from_codes(labels.astype(np.int64), categories=list(classes)),
        "split": pd.Categorical(split, categories=[name for name, _ in splits]),
    })
    task = TaskClassif(id, frame, target=target, label=label)
    task.set_col_roles("split", roles=[])
    return task


# -- MNIST and Fashion-MNIST -----------------------------------------------------------------------
_IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _find(directory: Path, name: str) -> Path | None:
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _mnist_like(id: str, folder: str, classes: Sequence[str], title: str, root: str | os.PathLike | None) -> TaskClassif:
    base = Path(root).expanduser() if root is not None else data_dir()
    candidates = [base / folder / "raw", *SYSTEM_DIRS.get(folder, ())]

    def search() -> tuple[dict[str, list[Path | None]], list[str]]:
        for directory in candidates:
            found = {part: [_find(directory, n) for n in names] for part, names in _IDX_FILES.items()}
            parts = [part for part in ("train", "test") if all(found[part])]
            if parts:
                return found, parts
        return {}, []

    found, parts = search()
    if not parts:
        from jupytorch.lazy.downloads import fetch_torchvision

        reason = fetch_torchvision(folder, base)
        found, parts = search()
    if not parts:
        files = ", ".join(f"{n}[.gz]" for names in _IDX_FILES.values() for n in names)
        extra = " (or `apt-get install dataset-fashion-mnist`)" if folder == "FashionMNIST" else ""
        raise DataNotFoundError(
            f"Task {id!r}: no {title} files found and the download failed ({reason}). Put {files} into "
            f"{base / folder / 'raw'}{extra}; set the data "
            f"directory with the environment variable JUPYTORCH_DATA or jupytorch.lazy.tasks.set_data_dir(). "
            f"Looked in: {', '.join(str(c) for c in candidates)}. The test files alone give a 10 000-row task."
        )
    paths = [p for part in parts for p in found[part]]

    def load(key: tuple) -> tuple[Any, np.ndarray, list[tuple[str, int]], list[str]]:
        images, labels, splits = [], [], []
        for part in parts:
            x, y = read_idx(found[part][0]), read_idx(found[part][1])
            if x.ndim != 3 or len(x) != len(y):
                raise JupytorchError(f"Task {id!r}: {found[part][0]} and {found[part][1]} do not match ({x.shape}, {y.shape}).")
            images.append(x)
            labels.append(y)
            splits.append((part, len(x)))
        x = images[0] if len(images) == 1 else np.concatenate(images)
        return _uint8_images(x.reshape(len(x), 1, *x.shape[1:]), key), np.concatenate(labels), splits, list(classes)

    lazy, labels, splits, names = load_once(paths, load)
    n = len(labels)
    other = "train" if parts == ["test"] else "test"
    note = "" if parts == ["train", "test"] else f" ({parts[0]} set only, {n} rows: the {other} files were not found)"
    return _split_task(id, lazy, labels, names, splits, f"{title}{note}", "label")


def load_mnist(root: str | os.PathLike | None = None) -> TaskClassif:
    """MNIST handwritten digits: 70 000 rows (60 000 train, then 10 000 test; column ``split``).

    Feature ``image``: a lazy tensor ``(None, 1, 28, 28)``, float32 in [0, 1]; target ``label``
    ("0" .. "9"). With only the test files on disk the task has those 10 000 rows.

    Examples
    --------
    >>> task = load_mnist()  # doctest: +SKIP
    >>> task.data(rows=[0, 1])  # doctest: +SKIP
      label            image
    0     5  <tnsr[1x28x28]>
    1     0  <tnsr[1x28x28]>
    """
    return _mnist_like("mnist", "MNIST", [str(i) for i in range(10)], "MNIST Digit Classification", root)


def load_fashion_mnist(root: str | os.PathLike | None = None) -> TaskClassif:
    """Fashion-MNIST: like :func:`load_mnist`, with the ten clothing classes as labels.

    Examples
    --------
    >>> load_fashion_mnist().class_names[:2]  # doctest: +SKIP
    ['T-shirt/top', 'Trouser']
    """
    return _mnist_like("fashion_mnist", "FashionMNIST", FASHION_CLASSES, "Fashion-MNIST Clothing Classification", root)


# -- CIFAR -----------------------------------------------------------------------------------------
def _cifar(id: str, folder: str, train_files: Sequence[str], test_file: str, meta: tuple[str, str],
           label_key: str, default_classes: Sequence[str] | None, title: str, root: str | os.PathLike | None) -> TaskClassif:
    base = Path(root).expanduser() if root is not None else data_dir()
    directory = base / folder
    reason = None
    if not directory.is_dir():
        from jupytorch.lazy.downloads import fetch_torchvision

        reason = fetch_torchvision(id, base)
    have_train = [(directory / f).is_file() for f in train_files]
    parts = (["train"] if all(have_train) else []) + (["test"] if (directory / test_file).is_file() else [])
    if any(have_train) and not all(have_train):
        missing = [f for f, ok in zip(train_files, have_train, strict=True) if not ok]
        raise DataNotFoundError(f"Task {id!r}: {directory} lacks {missing}; the training data needs all of {list(train_files)}.")
    if not parts:
        raise DataNotFoundError(
            f"Task {id!r}: no {title} files found (download: {reason}). Unpack the python version of the data set so that {directory} holds "
            f"{', '.join(train_files)}, {test_file} and {meta[0]}; set the data directory with JUPYTORCH_DATA or "
            "jupytorch.lazy.tasks.set_data_dir()."
        )
    files = [directory / f for f in train_files] * (parts[0] == "train") + [directory / test_file] * ("test" in parts)

    def load(key: tuple) -> tuple[Any, np.ndarray, list[tuple[str, int]], list[str]]:
        images, labels = [], []
        for path in files:
            batch = read_array_pickle(path)
            if "data" not in batch or label_key not in batch:
                raise JupytorchError(f"Task {id!r}: {path} is not a CIFAR batch (no 'data' or {label_key!r} entry).")
            images.append(np.asarray(batch["data"], dtype=np.uint8).reshape(-1, 3, 32, 32))
            labels.append(np.asarray(batch[label_key], dtype=np.int64))
        n_test = len(images[-1]) if "test" in parts else 0
        splits = [(part, (sum(len(a) for a in images) - n_test) if part == "train" else n_test) for part in parts]
        classes = list(default_classes or [])
        if (directory / meta[0]).is_file():
            names = read_array_pickle(directory / meta[0]).get(meta[1])
            if names is not None:
                classes = [n.decode() if isinstance(n, bytes) else str(n) for n in names]
        y = np.concatenate(labels)
        if not classes:
            classes = [str(i) for i in range(int(y.max()) + 1)]
        return _uint8_images(np.concatenate(images), key), y, splits, classes

    lazy, labels, splits, classes = load_once(files, load)
    note = "" if parts == ["train", "test"] else f" ({parts[0]} set only, {len(labels)} rows)"
    return _split_task(id, lazy, labels, classes, splits, f"{title}{note}", "class")


def load_cifar10(root: str | os.PathLike | None = None) -> TaskClassif:
    """Load CIFAR-10: 60 000 colour images ``(None, 3, 32, 32)`` in [0, 1], target ``class``.

    The rows are the 50 000 training images, then the 10 000 test images (column ``split``);
    the classes are airplane .. truck. Reads the python batches in ``<root>/cifar-10-batches-py/``
    (only numpy arrays are unpickled).

    Examples
    --------
    >>> load_cifar10().nrow  # doctest: +SKIP
    60000
    """
    train = [f"data_batch_{i}" for i in range(1, 6)]
    return _cifar("cifar10", "cifar-10-batches-py", train, "test_batch", ("batches.meta", "label_names"), "labels",
                  CIFAR10_CLASSES, "CIFAR-10 Classification", root)


def load_cifar100(root: str | os.PathLike | None = None) -> TaskClassif:
    """CIFAR-100 (fine labels): like :func:`load_cifar10`, from ``<root>/cifar-100-python/``.

    Examples
    --------
    >>> len(load_cifar100().class_names)  # doctest: +SKIP
    100
    """
    return _cifar("cifar100", "cifar-100-python", ["train"], "test", ("meta", "fine_label_names"), "fine_labels",
                  None, "CIFAR-100 Classification", root)


# -- small in-memory tasks -------------------------------------------------------------------------
def load_lazy_iris() -> TaskClassif:
    """Iris with its four measurements as one lazy tensor ``x`` of shape ``(None, 4)``; target ``Species``.

    Examples
    --------
    >>> load_lazy_iris().feature_types.to_dict()
    {'x': 'lazy_tensor'}
    """
    from sklearn.datasets import load_iris

    from jupytorch.lazy.convert import as_lazy_tensor

    iris = load_iris()
    frame = pd.DataFrame({
        "Species": pd.Categorical.from_codes(iris.target, categories=list(iris.target_names)),
        "x": as_lazy_tensor(np.asarray(iris.data, dtype=np.float32)),
    })
    return TaskClassif("lazy_iris", frame, target="Species", label="Iris Flowers")


def load_digits() -> TaskClassif:
    """scikit-learn's 1 797 handwritten 8x8 digits as images ``(None, 1, 8, 8)`` in [0, 1]; target ``class``.

    Examples
    --------
    >>> load_digits().nrow
    1797
    """
    from sklearn.datasets import load_digits as sk_digits

    from jupytorch.lazy.convert import as_lazy_tensor

    digits = sk_digits()
    images = (np.asarray(digits.images, dtype=np.float32) / 16.0).reshape(-1, 1, 8, 8)
    frame = pd.DataFrame({
        "class": pd.Categorical.from_codes(digits.target, categories=[str(i) for i in range(10)]),
        "image": as_lazy_tensor(images),
    })
    return TaskClassif("digits", frame, target="class", label="Handwritten Digits (8x8 images)")


# -- tasks over image files ------------------------------------------------------------------------
_MELANOMA_CSV = "ISIC_2020_Training_GroundTruth_v2.csv"
_MELANOMA_COLUMNS = ("image_name", "patient_id", "sex", "age_approx", "anatom_site_general_challenge", "benign_malignant")


def _image_files_lazy(id: str, paths: list[Path], shape: Sequence[int | None] | None, mode: str = "RGB"):
    from jupytorch.lazy.convert import as_lazy_tensor

    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise DataNotFoundError(f"Task {id!r}: {len(missing)} image file(s) are missing, e.g. {missing[:3]}.")
    shapes = None if shape is None else {"image": tuple(shape)}
    return as_lazy_tensor([str(p) for p in paths], shapes, mode=mode)


def load_melanoma(root: str | os.PathLike | None = None) -> TaskClassif:
    """Melanoma (SIIM-ISIC 2020, the 128x128 preprocessed training set): 32 701 skin-lesion images.

    Reads ``<root>/melanoma/ISIC_2020_Training_GroundTruth_v2.csv`` and the JPEGs it names (its
    ``file_name`` column, else ``train/<image_name>.jpg``). Target ``outcome`` (benign /
    malignant, positive "malignant"); features ``sex``, ``anatom_site_general_challenge``
    (factors), ``age_approx`` (integer with missing values) and ``image`` (lazy, decoded on
    access, shape taken from the first image: ``(None, 3, 128, 128)``); ``patient_id`` is the
    group column (keep a patient's images in one resampling fold), ``image_name`` the name column.

    Examples
    --------
    >>> load_melanoma().positive  # doctest: +SKIP
    'malignant'
    """
    directory = (Path(root).expanduser() if root is not None else data_dir()) / "melanoma"
    csv = directory / _MELANOMA_CSV
    if not csv.is_file():
        raise DataNotFoundError(
            f"Task 'melanoma': {csv} not found. Put the preprocessed ISIC 2020 data (the metadata CSV {_MELANOMA_CSV} and "
            "the JPEG folder it names) into that directory; set the data directory with JUPYTORCH_DATA or "
            "jupytorch.lazy.tasks.set_data_dir()."
        )
    meta = pd.read_csv(csv)
    lacking = [c for c in _MELANOMA_COLUMNS if c not in meta.columns]
    if lacking:
        raise TaskError(f"Task 'melanoma': {csv} lacks the columns {lacking}; it has {list(meta.columns)}.")
    if "file_name" in meta.columns:
        paths = [directory / str(f) for f in meta["file_name"]]
    else:
        sub = directory / "train"
        folder = sub if sub.is_dir() else directory
        paths = [folder / f"{name}.jpg" for name in meta["image_name"]]
    frame = pd.DataFrame({
        "outcome": pd.Categorical(meta["benign_malignant"].str.lower(), categories=["benign", "malignant"]),
        "image_name": meta["image_name"].astype(str),
        "patient_id": meta["patient_id"].astype(str),
        "sex": meta["sex"].astype("category"),
        "anatom_site_general_challenge": meta["anatom_site_general_challenge"].astype("category"),
        "age_approx": pd.array(np.round(meta["age_approx"].to_numpy(dtype=float)), dtype="Int64"),
        "image": _image_files_lazy("melanoma", paths, None),
    })
    task = TaskClassif("melanoma", frame, target="outcome", positive="malignant", label="Melanoma Classification")
    task.set_col_roles("patient_id", roles="group")
    task.set_col_roles("image_name", roles="name")
    return task


def image_folder_task(root: str | os.PathLike, id: str | None = None, shape: Sequence[int | None] | None = None,
                      mode: str = "RGB") -> TaskClassif:
    """Build a classification task from a folder with one subfolder of images per class.

    Parameters
    ----------
    root : path
        ``root/<class>/<image files>``; classes are the subfolder names, sorted.
    id : str, optional
        Task id (default: the folder name).
    shape : tuple, optional
        Image shape with batch dimension None, e.g. ``(None, 3, None, None)`` for sizes that
        vary; default: taken from the first image.
    mode : {"RGB", "GRAY", "UNCHANGED"}
        Colour mode.

    Returns
    -------
    TaskClassif
        Target ``class``, feature ``image`` (lazy), and a column ``path`` without a role.

    Examples
    --------
    >>> task = image_folder_task("pets/")  # doctest: +SKIP
    >>> task.class_names  # doctest: +SKIP
    ['cat', 'dog']
    """
    root = Path(root).expanduser()
    id = id or root.resolve().name or "images"
    if not root.is_dir():
        raise DataNotFoundError(f"Task {id!r}: {root} is not a directory.")
    rows = []
    for cls in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(cls.iterdir()):
            if path.is_file() and path.suffix.lower() in IMAGE_EXTENSIONS:
                rows.append((path, cls.name))
    if not rows:
        raise DataNotFoundError(
            f"Task {id!r}: no images ({', '.join(IMAGE_EXTENSIONS)}) in class subfolders of {root}; "
            "expected root/<class>/<image>."
        )
    paths = [p for p, _ in rows]
    frame = pd.DataFrame({
        "class": pd.Categorical([c for _, c in rows], categories=sorted({c for _, c in rows})),
        "image": _image_files_lazy(id, paths, shape, mode),
        "path": [str(p) for p in paths],
    })
    task = TaskClassif(id, frame, target="class", label=f"Images from {root}")
    task.set_col_roles("path", roles=[])
    return task
