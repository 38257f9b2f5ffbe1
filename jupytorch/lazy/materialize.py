"""``materialize``: turn lazy tensors into real tensors, a whole batch at a time.

For each lazy tensor the rows are loaded with one call of the dataset's batch getter (for
in-memory data that is one tensor index operation), moved to the device, and pushed through the
preprocessing graph as one batch. Within one call, columns that read the same dataset share
the loaded rows, and columns with the same descriptor share the result.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Literal

import numpy as np
import pandas as pd
import torch

from jupytorch.core.exceptions import InvalidParameterError, JupytorchError, did_you_mean
from jupytorch.lazy.datasets import get_batch
from jupytorch.lazy.descriptor import DataDescriptor
from jupytorch.lazy.dtype import LazyTensor, LazyTensorArray, LazyTensorDtype
from jupytorch.lazy.graph import shape_matches

__all__ = ["materialize"]

Cache = MutableMapping[tuple, Any]


def materialize(
    x: Any,
    device: str | torch.device = "cpu",
    rbind: bool = False,
    stage: Literal["predict", "train"] = "predict",
    cache: Literal["auto"] | Cache | None = "auto",
) -> Any:
    """Load and preprocess lazy tensors.

    Parameters
    ----------
    x : LazyTensorArray, Series, DataFrame, LazyTensor, or list of these
        A DataFrame gives a dict ``column -> result`` for its lazy-tensor columns (other
        columns are left out); a list gives a list.
    device : str or torch.device
        Where the rows are moved before preprocessing (so the steps run there).
    rbind : bool
        True: one tensor ``(n, *shape)`` per column. False: a list of ``n`` tensors (``None``
        for missing elements).
    stage : {"predict", "train"}
        ``"train"`` runs the train-only (augmentation) steps, ``"predict"`` the predict-only
        steps; steps of stage ``"both"`` always run.
    cache : "auto", dict or None
        ``"auto"``: columns materialized in this call share loaded rows and results. A dict
        you pass is used (and can be reused across calls); None turns caching off.

    Returns
    -------
    torch.Tensor, list of torch.Tensor, dict or list
        See ``rbind`` and ``x``.

    Examples
    --------
    >>> import torch
    >>> from jupytorch.lazy.convert import as_lazy_tensor
    >>> lt = as_lazy_tensor(torch.rand(10, 1, 28, 28))
    >>> materialize(lt[:2], rbind=True).shape
    torch.Size([2, 1, 28, 28])
    >>> len(materialize(lt[:3]))
    3
    """
    if stage not in ("train", "predict"):
        raise InvalidParameterError(f"materialize: stage must be 'train' or 'predict', got {stage!r}.")
    if isinstance(cache, str):
        if cache != "auto":
            raise InvalidParameterError(f"materialize: cache must be 'auto', a dict or None, got {cache!r}.")
        cache = {}
    device = torch.device(device)
    return _dispatch(x, device, bool(rbind), stage, cache)


def _dispatch(x: Any, device: torch.device, rbind: bool, stage: str, cache: Cache | None) -> Any:
    if isinstance(x, pd.DataFrame):
        out = {}
        for col in x.columns:
            if isinstance(x[col].dtype, LazyTensorDtype):
                try:
                    out[col] = _materialize_array(x[col].array, device, rbind, stage, cache)
                except Exception as error:
                    error.add_note(f"This happened while materializing column {col!r}.")
                    raise
        return out
    if isinstance(x, (pd.Series, pd.Index)):
        if not isinstance(x.dtype, LazyTensorDtype):
            raise InvalidParameterError(f"materialize: the Series {x.name!r} has dtype {x.dtype}, not lazy_tensor.")
        return _materialize_array(x.array, device, rbind, stage, cache)
    if isinstance(x, LazyTensorArray):
        return _materialize_array(x, device, rbind, stage, cache)
    if isinstance(x, LazyTensor):
        return _materialize_array(LazyTensorArray(np.array([x.id]), x.descriptor), device, True, stage, cache)[0]
    if isinstance(x, (list, tuple)):
        return [_dispatch(item, device, rbind, stage, cache) for item in x]
    raise InvalidParameterError(
        f"materialize: expected lazy tensors (a LazyTensorArray, Series, DataFrame or list), got a {type(x).__name__}."
    )


def _materialize_array(arr: LazyTensorArray, device: torch.device, rbind: bool, stage: str, cache: Cache | None) -> Any:
    ids = arr._ids
    missing = ids < 0
    any_missing = bool(missing.any())
    if rbind and any_missing:
        where = np.flatnonzero(missing)[:10].tolist()
        raise JupytorchError(
            f"materialize: elements {where} are missing (NA); rbind=True needs every element. "
            "Drop or impute those rows first, or use rbind=False (missing elements give None)."
        )
    descriptor = arr.descriptor
    valid = ids[~missing] if any_missing else ids
    if descriptor is None or len(valid) == 0:
        shape = None if descriptor is None else descriptor.pointer_shape
        if rbind:
            known = shape is not None and all(d is not None for d in shape[1:])
            return torch.empty((0, *shape[1:]) if known else (0,), device=device)
        return [None] * len(ids)
    out = _run(descriptor, valid, device, stage, cache)
    if rbind:
        if isinstance(out, list):
            shapes = sorted({tuple(t.shape) for t in out})
            if len(shapes) > 1:
                raise JupytorchError(
                    f"materialize: the rows have different shapes ({shapes[:3]}...), so they cannot be stacked with "
                    "rbind=True; add a resize step (po('trafo_resize')) or use rbind=False."
                )
            return torch.stack(out)
        return out
    rows = list(out.unbind(0)) if isinstance(out, torch.Tensor) else list(out)
    if not any_missing:
        return rows
    result: list[Any] = [None] * len(ids)
    for pos, row in zip(np.flatnonzero(~missing).tolist(), rows):
        result[pos] = row
    return result


def _run(descriptor: DataDescriptor, ids: np.ndarray, device: torch.device, stage: str, cache: Cache | None) -> Any:
    key = ("out", descriptor.hash, stage, str(device), ids.tobytes())
    if cache is not None and key in cache:
        return cache[key]
    batch = _load(descriptor, ids, device, cache)
    out = descriptor.graph.run(batch, stage)
    if cache is not None:
        cache[key] = out
    return out


def _load(descriptor: DataDescriptor, ids: np.ndarray, device: torch.device, cache: Cache | None) -> Any:
    """Load the input field of the rows ``ids`` onto ``device``; rows of one dataset are loaded once per cache."""
    field_key = ("field", descriptor.dataset_hash, descriptor.input_key, str(device), ids.tobytes())
    if cache is not None and field_key in cache:
        return cache[field_key]
    unique, inverse = ids, None
    if len(ids) > 1:
        unique, inverse = np.unique(ids, return_inverse=True)
        if len(unique) == len(ids):
            unique, inverse = ids, None
    data_key = ("data", descriptor.dataset_hash, unique.tobytes())
    batch = cache.get(data_key) if cache is not None else None
    if batch is None:
        try:
            batch = get_batch(descriptor.dataset, torch.from_numpy(np.ascontiguousarray(unique)))
        except Exception as error:
            error.add_note(f"This happened while loading {len(unique)} rows from {type(descriptor.dataset).__name__}.")
            raise
        if cache is not None:
            cache[data_key] = batch
    if descriptor.input_key not in batch:
        raise JupytorchError(
            f"materialize: the dataset's rows have fields {list(batch)}, but the lazy tensor reads {descriptor.input_key!r} "
            f"(declared fields: {list(descriptor.dataset_shapes)}).{did_you_mean(descriptor.input_key, list(batch))}"
        )
    field = batch[descriptor.input_key]
    declared = descriptor.dataset_shapes[descriptor.input_key]
    rows = field if isinstance(field, list) else [field]
    for r in rows:
        actual = tuple(r.shape) if r is field else (None, *r.shape)
        if not shape_matches(declared, actual):
            raise JupytorchError(
                f"materialize: the dataset field {descriptor.input_key!r} has shape {tuple(r.shape)} but was declared "
                f"as {declared}; give the right dataset_shapes (None for dimensions that vary)."
            )
    if isinstance(field, list):
        if inverse is not None:
            field = [field[i] for i in inverse.tolist()]
        field = [t.to(device) for t in field]
        if field and all(t.shape == field[0].shape for t in field):
            field = torch.stack(field)
    else:
        if inverse is not None:
            field = field.index_select(0, torch.from_numpy(inverse).to(field.device))
        field = field.to(device)
    if cache is not None:
        cache[field_key] = field
    return field
