"""``tsk("tiny_imagenet")``: Tiny ImageNet (200 classes, 64x64 JPEGs), downloaded when missing.

The data set is the zip file of the Stanford CS231n course (``TINY_IMAGENET_URL``), unpacked to
``<data dir>/tiny-imagenet-200/`` (``wnids.txt``, ``train/<wnid>/images/*.JPEG``,
``val/images/*.JPEG`` with ``val/val_annotations.txt``). The unlabeled test images are left out,
as in mlr3torch: 110 000 rows, the 100 000 training images then the 10 000 validation images
(column ``split``: train / valid).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import JupytorchError
from jupytorch.core.task import TaskClassif
from jupytorch.lazy.tasks import DataNotFoundError, _image_files_lazy, data_dir

__all__ = ["TINY_IMAGENET_URL", "load_tiny_imagenet"]

TINY_IMAGENET_URL = "http://cs231n.stanford.edu/tiny-imagenet-200.zip"
_FOLDER = "tiny-imagenet-200"


def _download(base: Path) -> str | None:
    from jupytorch.core.download import DownloadError, download

    archive = base / f"{_FOLDER}.zip"
    try:
        download(TINY_IMAGENET_URL, archive, timeout=60)
    except DownloadError as error:
        return str(error)
    try:
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
            if any(Path(n).is_absolute() or ".." in Path(n).parts for n in names):
                return f"{archive} holds paths outside its folder; not unpacked"
            zf.extractall(base)
    except zipfile.BadZipFile as error:
        return f"{archive} is not a zip file ({error})"
    finally:
        archive.unlink(missing_ok=True)
    return None


def load_tiny_imagenet(root: str | os.PathLike | None = None) -> TaskClassif:
    """Tiny ImageNet: 110 000 images ``(None, 3, 64, 64)`` decoded on access; target ``class`` (200 wnids).

    Downloads and unpacks the data set (about 240 MB) into the data directory when it is
    missing and the network allows.

    Examples
    --------
    >>> task = load_tiny_imagenet()  # doctest: +SKIP
    >>> task.nrow, len(task.class_names)  # doctest: +SKIP
    (110000, 200)
    """
    base = Path(root).expanduser() if root is not None else data_dir()
    directory = base / _FOLDER
    reason = None
    if not (directory / "wnids.txt").is_file():
        reason = _download(base)
    if not (directory / "wnids.txt").is_file():
        raise DataNotFoundError(
            f"Task 'tiny_imagenet': {directory} not found and the download failed ({reason}). Download "
            f"{TINY_IMAGENET_URL} and unpack it into {base}; set the data directory with JUPYTORCH_DATA or "
            "jupytorch.lazy.tasks.set_data_dir()."
        )
    wnids = [w.strip() for w in (directory / "wnids.txt").read_text().split() if w.strip()]
    paths, labels, split = [], [], []
    for wnid in wnids:
        files = sorted((directory / "train" / wnid / "images").glob("*.JPEG"))
        paths += files
        labels += [wnid] * len(files)
    n_train = len(paths)
    annotations = directory / "val" / "val_annotations.txt"
    if annotations.is_file():
        for line in annotations.read_text().splitlines():
            parts = line.split("\t")
            if len(parts) >= 2:
                paths.append(directory / "val" / "images" / parts[0])
                labels.append(parts[1])
    if not paths:
        raise JupytorchError(f"Task 'tiny_imagenet': {directory} holds no images under train/ or val/.")
    split = np.where(np.arange(len(paths)) < n_train, "train", "valid")
    frame = pd.DataFrame({
        "class": pd.Categorical(labels, categories=wnids),
        "image": _image_files_lazy("tiny_imagenet", paths, (None, 3, 64, 64)),
        "split": pd.Categorical(split, categories=["train", "valid"]),
    })
    task = TaskClassif("tiny_imagenet", frame, target="class", label="Tiny ImageNet Classification")
    task.set_col_roles("split", roles=[])
    return task
