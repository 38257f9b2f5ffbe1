"""Datasets behind lazy tensors and the one function that loads a batch from any of them.

A dataset here is anything with ``__len__`` that yields, for a row, a dict of tensors (a single
tensor or a tuple is accepted too). Loading a batch prefers, in this order:

1. ``dataset.getbatch(index)``: jupytorch's batch protocol (mlr3torch's ``.getbatch``); takes a
   1-d ``torch.long`` index and returns a dict of tensors whose first dimension is the batch.
   :class:`TensorDictDataset` implements it with one tensor index operation per field.
2. ``dataset.__getitems__(indices)``: torch's batch protocol; returns a list of rows (stacked
   here) or an already batched dict.
3. ``dataset[i]`` for each row, then stacking: the fallback for plain user datasets.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from jupytorch.core.exceptions import InvalidParameterError, JupytorchError, did_you_mean

__all__ = ["TensorDictDataset", "ImageFileDataset", "check_fields", "fields_error", "get_batch", "as_field_dict", "has_batch_getter"]

Batch = dict[str, "torch.Tensor | list[torch.Tensor]"]


class TensorDictDataset(Dataset):
    """A dataset over in-memory tensors that share their first (row) dimension.

    Parameters
    ----------
    tensors : mapping of str to torch.Tensor or numpy.ndarray
        The fields; numpy arrays are wrapped without copying.
    scale : mapping of str to float, optional
        Fields stored as integers (for example ``uint8`` images) that are returned as
        ``float32`` divided by this number, per batch. Storing images as ``uint8`` takes a
        quarter of the memory and converts at the speed of one vectorised op per batch.

    Examples
    --------
    >>> ds = TensorDictDataset({"x": torch.arange(6.0).reshape(3, 2)})
    >>> ds.getbatch(torch.tensor([2, 0]))["x"]
    tensor([[4., 5.],
            [0., 1.]])
    """

    def __init__(self, tensors: Mapping[str, Any], scale: Mapping[str, float] | None = None):
        if not tensors:
            raise JupytorchError("TensorDictDataset needs at least one field.")
        self.tensors = {str(k): torch.as_tensor(v) for k, v in tensors.items()}
        lengths = {k: (t.shape[0] if t.dim() else None) for k, t in self.tensors.items()}
        if None in lengths.values() or len(set(lengths.values())) != 1:
            raise JupytorchError(
                f"TensorDictDataset: every field needs the same number of rows in its first dimension, got {lengths}."
            )
        self.scale = {str(k): float(v) for k, v in (scale or {}).items()}
        unknown = set(self.scale) - set(self.tensors)
        if unknown:
            raise JupytorchError(f"TensorDictDataset: scale names unknown fields {sorted(unknown)}.")

    def __len__(self) -> int:
        return next(iter(self.tensors.values())).shape[0]

    def _convert(self, key: str, value: torch.Tensor) -> torch.Tensor:
        if key in self.scale:
            return value.to(torch.float32).div_(self.scale[key])
        return value

    def getbatch(self, index: torch.Tensor) -> dict[str, torch.Tensor]:
        """Return the rows ``index`` of every field, each with one ``index_select``."""
        out = {}
        for key, tensor in self.tensors.items():
            idx = index if index.device == tensor.device else index.to(tensor.device)
            out[key] = self._convert(key, torch.index_select(tensor, 0, idx))
        return out

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {k: self._convert(k, t[i].clone()) for k, t in self.tensors.items()}

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}: {tuple(t.shape[1:])} {str(t.dtype).replace('torch.', '')}" for k, t in self.tensors.items())
        return f"<TensorDictDataset ({len(self)} rows) {fields}>"


_READ_MODES = ("RGB", "GRAY", "UNCHANGED")


class ImageFileDataset(Dataset):
    """Images decoded from files on access (JPEG, PNG, GIF, WEBP via ``torchvision.io``).

    Rows are ``float32`` tensors of shape ``(channels, height, width)`` scaled to [0, 1], in the
    field ``key``. A batch whose images share a size is stacked into one tensor; a batch of
    differing sizes is returned as a list (add a resize step to stack it).

    Parameters
    ----------
    paths : sequence of str or os.PathLike
        One file per row.
    mode : {"RGB", "GRAY", "UNCHANGED"}
        Colour handling: 3 channels, 1 channel, or as stored.
    key : str
        Name of the field.

    Examples
    --------
    >>> ds = ImageFileDataset(["a.jpg", "b.jpg"])  # files are read only when a batch is loaded
    >>> len(ds)
    2
    """

    def __init__(self, paths: Sequence[str | os.PathLike], mode: str = "RGB", key: str = "image"):
        if mode not in _READ_MODES:
            raise JupytorchError(f"ImageFileDataset: mode {mode!r} is not one of {list(_READ_MODES)}.")
        self.paths = [os.fspath(p) for p in paths]
        self.mode = mode
        self.key = key

    def __len__(self) -> int:
        return len(self.paths)

    def _decode(self, i: int) -> torch.Tensor:
        path = self.paths[i]
        try:
            return _decode_image_file(path, self.mode)
        except Exception as error:  # noqa: BLE001 - reworded with the path
            raise JupytorchError(f"ImageFileDataset: cannot read image {path!r} (row {i}): {error}") from error

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        with _quiet_image_io():
            image = self._decode(int(i))
        return {self.key: image.to(torch.float32).div_(255.0)}

    def getbatch(self, index: torch.Tensor) -> Batch:
        """Decode the files of ``index`` (in a thread pool for larger batches); stack them when they share a size."""
        rows = index.tolist()
        with _quiet_image_io():
            if len(rows) >= _THREADED_FROM and torch.utils.data.get_worker_info() is None:  # workers decode alone
                images = list(_decoder_pool().map(self._decode, rows))
            else:
                images = [self._decode(i) for i in rows]
        if images and all(img.shape == images[0].shape for img in images):
            # one pass from the decoded bytes into the batch: stacking the bytes, converting and
            # scaling would write (and page in) the batch three times
            batch = torch.empty((len(images), *images[0].shape), dtype=torch.float32)
            for position, image in enumerate(images):
                torch.div(image, 255.0, out=batch[position])
            return {self.key: batch}
        return {self.key: [img.to(torch.float32).div_(255.0) for img in images]}

    def __repr__(self) -> str:
        return f"<ImageFileDataset ({len(self)} files, mode {self.mode})>"


def _decode_image_file(path: str, mode: str) -> torch.Tensor:
    """Decode one image file to a ``uint8`` tensor ``(C, H, W)`` with torchvision (Pillow as a fallback)."""
    try:
        from torchvision.io import ImageReadMode, decode_image, read_file
    except ImportError:  # a torchvision without image IO
        return _decode_with_pillow(path, mode)
    return decode_image(read_file(path), mode=getattr(ImageReadMode, mode))


_THREADED_FROM = 8
_POOL: ThreadPoolExecutor | None = None


def _decoder_pool() -> ThreadPoolExecutor:
    """A process-wide thread pool for decoding (torchvision's decoders release the GIL)."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1), thread_name_prefix="jupytorch-decode")
    return _POOL


@contextlib.contextmanager
def _quiet_image_io() -> Iterator[None]:
    """Silence torchvision's deprecation notice for its image IO (>= 0.29), which still works."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The image decoding and encoding", category=DeprecationWarning)
        yield


def _decode_with_pillow(path: str, mode: str) -> torch.Tensor:
    from PIL import Image

    with Image.open(path) as image:
        if mode != "UNCHANGED":
            image = image.convert("RGB" if mode == "RGB" else "L")
        array = np.array(image)
    array = array[:, :, None] if array.ndim == 2 else array
    return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))


def has_batch_getter(dataset: Any) -> bool:
    """Whether ``dataset`` loads whole batches (``getbatch`` or ``__getitems__``)."""
    return callable(getattr(dataset, "getbatch", None)) or callable(getattr(dataset, "__getitems__", None))


def as_field_dict(item: Any) -> dict[str, Any]:
    """Name the parts of a dataset row: a dict stays, a tensor becomes ``{"x": t}``, a tuple ``{"0": .., "1": ..}``."""
    if isinstance(item, Mapping):
        return {str(k): v for k, v in item.items()}
    if isinstance(item, (tuple, list)):
        return {str(i): v for i, v in enumerate(item)}
    return {"x": item}


def _to_tensor(value: Any) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, np.ndarray) or np.isscalar(value):
        return torch.as_tensor(value)
    raise JupytorchError(
        f"A dataset row holds a {type(value).__name__}; lazy tensors need torch tensors (or numpy arrays). "
        "Convert inside the dataset, e.g. with torchvision.transforms.v2.ToImage()."
    )


def _stack_rows(rows: Sequence[Any]) -> Batch:
    fields = [as_field_dict(r) for r in rows]
    if not fields:
        return {}
    out: Batch = {}
    for key in fields[0]:
        values = [_to_tensor(f[key]) for f in fields]
        same = all(v.shape == values[0].shape for v in values)
        out[key] = torch.stack(values) if same else values
    return out


def get_batch(dataset: Any, index: torch.Tensor) -> Batch:
    """Load the rows ``index`` (a 1-d long tensor) of ``dataset`` as a dict of batched tensors.

    Fields whose rows differ in shape come back as a list of tensors.

    Examples
    --------
    >>> ds = TensorDictDataset({"x": torch.zeros(5, 2)})
    >>> get_batch(ds, torch.tensor([0, 3]))["x"].shape
    torch.Size([2, 2])
    """
    getbatch = getattr(dataset, "getbatch", None)
    if callable(getbatch):
        out = getbatch(index)
        return as_field_dict(out)
    getitems = getattr(dataset, "__getitems__", None)
    if callable(getitems):
        out = getitems(index.tolist())
        if isinstance(out, Mapping):
            return as_field_dict(out)
        if isinstance(out, torch.Tensor):
            return {"x": out}
        return _stack_rows(out)
    return _stack_rows([dataset[i] for i in index.tolist()])


def check_fields(dataset: Any, declared: Sequence[str], where: str) -> None:
    """Raise unless the rows of ``dataset`` have every ``declared`` field (reads row 0 of a user's dataset).

    The error names the declared fields and those the rows have, with a "did you mean" for near
    misses, so that a dataset whose ``__getitem__`` returns other keys fails when the lazy tensor
    is made, not in the middle of training.

    Examples
    --------
    >>> ds = TensorDictDataset({"image": torch.zeros(3, 2)})
    >>> check_fields(ds, ["image"], "as_lazy_tensor")
    >>> try:
    ...     check_fields(ds, ["img"], "as_lazy_tensor")
    ... except JupytorchError as error:
    ...     print(str(error).split(";")[0])
    as_lazy_tensor: dataset_shapes declares the field(s) ['img'], but the rows of TensorDictDataset have the fields ['image']
    """
    if len(dataset) == 0:
        return
    try:
        fields = _known_fields(dataset) or list(get_batch(dataset, torch.tensor([0])))
    except Exception as error:
        error.add_note(f"This happened in {where}, reading row 0 of {type(dataset).__name__} to check its fields.")
        raise
    error = fields_error(dataset, declared, fields, where)
    if error is not None:
        raise error


def _known_fields(dataset: Any) -> list[str] | None:
    """The fields of jupytorch's own datasets, known without reading a row (None for other datasets)."""
    if isinstance(dataset, TensorDictDataset):
        return list(dataset.tensors)
    if isinstance(dataset, ImageFileDataset):
        return [dataset.key]
    return None


def fields_error(dataset: Any, declared: Sequence[str], fields: Sequence[str], where: str) -> InvalidParameterError | None:
    """The error for ``declared`` fields that the rows of ``dataset`` (with ``fields``) lack, or None.

    Examples
    --------
    >>> fields_error(TensorDictDataset({"x": torch.zeros(2)}), ["x"], ["x"], "as_lazy_tensor") is None
    True
    """
    missing = [str(k) for k in declared if str(k) not in fields]
    if not missing:
        return None
    hints = ""
    for key in missing:
        hint = did_you_mean(key, fields)
        if hint:
            hints += f" {key!r}:{hint.replace(' Did you mean', ' did you mean', 1)}"
    return InvalidParameterError(
        f"{where}: dataset_shapes declares the field(s) {missing}, but the rows of {type(dataset).__name__} have the "
        f"fields {list(fields)};{hints} Declare the fields as the dataset returns them (dataset_shapes and input_key), "
        "or rename them in __getitem__."
    )
