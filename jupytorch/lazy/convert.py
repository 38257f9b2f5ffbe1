"""Building lazy tensors: ``as_lazy_tensor``, ``is_lazy_tensor``, ``lazy_shape``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import torch

from jupytorch.core.exceptions import InvalidParameterError, JupytorchError
from jupytorch.lazy.datasets import ImageFileDataset, TensorDictDataset, fields_error, get_batch
from jupytorch.lazy.descriptor import DataDescriptor, Shape
from jupytorch.lazy.dtype import LazyTensor, LazyTensorArray, LazyTensorDtype
from jupytorch.lazy.graph import shape_matches

__all__ = ["as_lazy_tensor", "is_lazy_tensor", "lazy_shape"]


def _ids_for(ids: Any, n: int) -> np.ndarray:
    if ids is None:
        return np.arange(n, dtype=np.int64)
    out = np.asarray(list(ids) if isinstance(ids, range) else ids)
    if out.size and not np.issubdtype(out.dtype, np.integer):
        raise InvalidParameterError(f"as_lazy_tensor: ids must be integers, got dtype {out.dtype}.")
    out = out.astype(np.int64).reshape(-1)
    bad = out[(out < 0) | (out >= n)]
    if bad.size:
        raise InvalidParameterError(f"as_lazy_tensor: ids {bad[:10].tolist()} are outside the dataset's rows 0..{n - 1}.")
    return out


def _shape_dict(dataset_shapes: Any, default_key: str) -> dict[str, Shape | None] | None:
    if dataset_shapes is None:
        return None
    if isinstance(dataset_shapes, Mapping):
        return {str(k): (None if v is None else tuple(v)) for k, v in dataset_shapes.items()}
    if isinstance(dataset_shapes, (tuple, list, torch.Size)):
        return {default_key: tuple(dataset_shapes)}
    raise InvalidParameterError(
        f"as_lazy_tensor: dataset_shapes must be a dict like {{'image': (None, 1, 28, 28)}} or one shape tuple, "
        f"got {dataset_shapes!r}."
    )


def _is_path_list(x: Any) -> bool:
    if isinstance(x, (str, bytes)) or not isinstance(x, (list, tuple, pd.Series, pd.Index, np.ndarray)):
        return False
    if isinstance(x, np.ndarray) and x.dtype.kind not in "OU":
        return False
    return len(x) > 0 and all(isinstance(p, (str, os.PathLike)) for p in x)


def _tensor_from(x: Any) -> torch.Tensor:
    t = torch.from_numpy(np.ascontiguousarray(x)) if isinstance(x, np.ndarray) else x
    if t.dim() == 0:
        raise InvalidParameterError("as_lazy_tensor: a 0-d tensor has no rows; the first dimension must be the rows.")
    return t


def _from_dataset(dataset: Any, shapes: dict[str, Shape | None] | None, input_key: str | None) -> DataDescriptor:
    """Infer the missing field shapes of a dataset from its first row."""
    if shapes is None or any(v is None for v in shapes.values()):
        if len(dataset) == 0:
            raise JupytorchError("as_lazy_tensor: cannot infer shapes from an empty dataset; pass dataset_shapes.")
        first = get_batch(dataset, torch.tensor([0]))
        inferred = {}
        for key, value in first.items():
            inferred[key] = (None, *value[0].shape)
        if shapes is None:
            shapes = inferred
        else:
            error = fields_error(dataset, [k for k, v in shapes.items() if v is None], list(inferred), "as_lazy_tensor")
            if error is not None:
                raise error
            shapes = {k: (inferred[k] if v is None else v) for k, v in shapes.items()}
    if input_key is None and len(shapes) > 1:
        raise InvalidParameterError(
            f"as_lazy_tensor: the dataset's rows have fields {list(shapes)}; choose one with input_key=... "
            "(or name only that field in dataset_shapes)."
        )
    return DataDescriptor(dataset, shapes, input_key=input_key)


def as_lazy_tensor(
    x: Any,
    dataset_shapes: Mapping[str, Shape | None] | Shape | None = None,
    ids: Any = None,
    *,
    input_key: str | None = None,
    mode: str = "RGB",
) -> LazyTensorArray:
    """Make a lazy-tensor column from a tensor, array, dataset, descriptor or image files.

    Parameters
    ----------
    x : torch.Tensor, numpy.ndarray, dict of tensors, torch Dataset, DataDescriptor, list of paths
        Tensors and arrays: the first dimension is the rows (kept in memory, not copied).
        Datasets: rows are dicts of tensors (a tensor or tuple per row works too: fields
        ``"x"`` resp. ``"0"``, ``"1"``...); a ``getbatch(index)`` or ``__getitems__`` method
        is used for whole batches. Paths: image files decoded on access into ``float32``
        ``(C, H, W)`` tensors in [0, 1]. A lazy tensor is returned as it is.
    dataset_shapes : dict or tuple, optional
        Field shapes with batch dimension None, e.g. ``{"image": (None, 3, 64, 64)}`` or
        ``(None, 3, 64, 64)``; a field given as None, or no shapes at all, is inferred from the
        first row. Use None for dimensions that vary between rows.
    ids : sequence of int, optional
        Which rows of the data make the column (default: all, in order).
    input_key : str, optional
        The field to use when the dataset's rows have several.
    mode : {"RGB", "GRAY", "UNCHANGED"}
        Colour mode for image files.

    Returns
    -------
    LazyTensorArray
        Put it into a DataFrame: ``pd.DataFrame({"image": lt, "class": labels})``.

    Examples
    --------
    >>> import torch
    >>> lt = as_lazy_tensor(torch.rand(100, 1, 28, 28))
    >>> len(lt), lt[0], lazy_shape(lt)
    (100, <tnsr[1x28x28]>, (None, 1, 28, 28))
    """
    if isinstance(x, (pd.Series, pd.Index)) and isinstance(x.dtype, LazyTensorDtype):
        x = x.array
    if isinstance(x, LazyTensorArray):
        if ids is None:
            return x
        if x.descriptor is None:
            raise JupytorchError("as_lazy_tensor: all elements are missing; there is no dataset to take ids from.")
        x = x.descriptor
    if isinstance(x, LazyTensor):
        return LazyTensorArray(np.array([x.id]), x.descriptor)
    if isinstance(x, DataDescriptor):
        return LazyTensorArray(_ids_for(ids, len(x)), x)
    if _is_path_list(x):
        shapes = _shape_dict(dataset_shapes, "image")
        dataset = ImageFileDataset(list(x), mode=mode)
        descriptor = _from_dataset(dataset, shapes, input_key or "image")
        return LazyTensorArray(_ids_for(ids, len(dataset)), descriptor)
    if isinstance(x, (torch.Tensor, np.ndarray)):
        if isinstance(x, np.ndarray) and x.dtype == object:
            raise InvalidParameterError(
                "as_lazy_tensor: got a numpy array of objects; pass a numeric array, or a list of image file paths."
            )
        x = {input_key or "x": x}
    if isinstance(x, Mapping):
        tensors = {str(k): _tensor_from(v) for k, v in x.items()}
        dataset = TensorDictDataset(tensors)
        key = input_key or (next(iter(tensors)) if len(tensors) == 1 else None)
        given = _shape_dict(dataset_shapes, key or "x") or {}
        shapes = {k: (None, *t.shape[1:]) for k, t in tensors.items()}
        for k, shape in given.items():
            if k not in shapes:
                raise InvalidParameterError(f"as_lazy_tensor: dataset_shapes names {k!r}, which is not one of {list(shapes)}.")
            if shape is not None and not shape_matches(shape, shapes[k]):
                raise InvalidParameterError(
                    f"as_lazy_tensor: dataset_shapes[{k!r}] = {shape} does not fit the data, whose shape is {shapes[k]}."
                )
        if key is None and len(given) == 1:
            key = next(iter(given))
        if key is None:
            raise InvalidParameterError(f"as_lazy_tensor: the data has fields {list(shapes)}; choose one with input_key=...")
        descriptor = DataDescriptor(dataset, shapes, input_key=key)
        return LazyTensorArray(_ids_for(ids, len(dataset)), descriptor)
    is_dataset = callable(getattr(x, "__getitem__", None)) and callable(getattr(x, "__len__", None))
    if is_dataset and not isinstance(x, (str, bytes, list, tuple)):
        shapes = _shape_dict(dataset_shapes, "x")
        if shapes is not None and input_key is None and len(shapes) == 1:
            input_key = next(iter(shapes))
        descriptor = _from_dataset(x, shapes, input_key)
        return LazyTensorArray(_ids_for(ids, len(x)), descriptor)
    raise InvalidParameterError(
        f"as_lazy_tensor: cannot make a lazy tensor from a {type(x).__name__}; pass a torch tensor, numpy array, dict of "
        "tensors, torch Dataset, DataDescriptor or a list of image file paths."
    )


def is_lazy_tensor(x: Any) -> bool:
    """Whether ``x`` is a lazy-tensor array or a Series/Index of dtype ``lazy_tensor``.

    Examples
    --------
    >>> import torch
    >>> is_lazy_tensor(as_lazy_tensor(torch.zeros(2, 3))), is_lazy_tensor(torch.zeros(2, 3))
    (True, False)
    """
    if isinstance(x, LazyTensorArray):
        return True
    return isinstance(x, (pd.Series, pd.Index)) and isinstance(x.dtype, LazyTensorDtype)


def lazy_shape(x: Any, stage: str = "train") -> Shape | None:
    """Return the shape of a materialized lazy tensor, batch dimension None (None if unknown).

    Parameters
    ----------
    x : LazyTensorArray, Series of lazy tensors, LazyTensor or DataDescriptor
    stage : {"train", "predict"}
        Train-only and predict-only steps may change the shape; this says which path.

    Examples
    --------
    >>> import torch
    >>> lazy_shape(as_lazy_tensor(torch.zeros(5, 3, 8, 8)))
    (None, 3, 8, 8)
    """
    if stage not in ("train", "predict"):
        raise InvalidParameterError(f"lazy_shape: stage must be 'train' or 'predict', got {stage!r}.")
    if isinstance(x, (pd.Series, pd.Index)) and isinstance(x.dtype, LazyTensorDtype):
        x = x.array
    if isinstance(x, LazyTensorArray):
        x = x.descriptor
        if x is None:
            return None
    elif isinstance(x, LazyTensor):
        x = x.descriptor
    if not isinstance(x, DataDescriptor):
        raise InvalidParameterError(f"lazy_shape: expected a lazy tensor, got a {type(x).__name__}.")
    return x.pointer_shape if stage == "train" else x.pointer_shape_predict
