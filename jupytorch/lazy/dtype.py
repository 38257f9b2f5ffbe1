"""The ``lazy_tensor`` pandas extension dtype.

A :class:`LazyTensorArray` is a vector of row ids into one shared
:class:`~jupytorch.lazy.descriptor.DataDescriptor`; the id ``-1`` marks a missing element. It
lives in DataFrame columns (``pd.DataFrame({"image": lt, "class": labels})``), so tasks filter,
subset and resample it like any other column, and it prints as ``<tnsr[1x28x28]>``. Data is
produced only by :func:`~jupytorch.lazy.materialize.materialize`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import (
    ExtensionArray,
    ExtensionDtype,
    register_extension_dtype,
    take,
)
from pandas.api.indexers import check_array_indexer

from jupytorch.core.exceptions import InvalidParameterError, JupytorchError
from jupytorch.lazy.descriptor import DataDescriptor, Shape, shape_to_str

__all__ = ["LazyTensor", "LazyTensorDtype", "LazyTensorArray"]


class LazyTensor:
    """One element of a lazy-tensor column: a row id into a :class:`DataDescriptor`.

    Examples
    --------
    >>> import torch
    >>> from jupytorch.lazy.convert import as_lazy_tensor
    >>> element = as_lazy_tensor(torch.zeros(3, 1, 28, 28))[1]
    >>> element, element.id, element.shape
    (<tnsr[1x28x28]>, 1, (1, 28, 28))
    """

    __slots__ = ("id", "descriptor")

    def __init__(self, id: int, descriptor: DataDescriptor):
        self.id = int(id)
        self.descriptor = descriptor

    @property
    def shape(self) -> tuple[int | None, ...] | None:
        """Shape of the tensor this element stands for (no batch dimension); None if unknown."""
        shape = self.descriptor.pointer_shape
        return None if shape is None else tuple(shape[1:])

    def materialize(self, device: str = "cpu", stage: str = "predict") -> Any:
        """Load and preprocess this element; returns a tensor without batch dimension."""
        from jupytorch.lazy.materialize import materialize

        return materialize(LazyTensorArray(np.array([self.id]), self.descriptor), device=device, rbind=True, stage=stage)[0]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyTensor):
            return self.id == other.id and self.descriptor.hash == other.descriptor.hash
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.id, self.descriptor.hash))

    def __repr__(self) -> str:
        return f"<tnsr[{shape_to_str(self.descriptor.pointer_shape)}]>"


@register_extension_dtype
class LazyTensorDtype(ExtensionDtype):
    """The pandas dtype of lazy-tensor columns (``name == "lazy_tensor"``).

    Examples
    --------
    >>> pd.Series(dtype="lazy_tensor").dtype
    lazy_tensor
    """

    name = "lazy_tensor"
    type = LazyTensor
    kind = "O"
    na_value = pd.NA
    _is_numeric = False
    _is_boolean = False

    @classmethod
    def construct_array_type(cls) -> type[LazyTensorArray]:
        """Return :class:`LazyTensorArray`."""
        return LazyTensorArray

    def __repr__(self) -> str:
        return self.name


def _is_na(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


class LazyTensorArray(ExtensionArray):
    """A pandas ExtensionArray of lazy tensors that share one :class:`DataDescriptor`.

    Build one with :func:`~jupytorch.lazy.convert.as_lazy_tensor`. ``arr[i]`` is a
    :class:`LazyTensor` (or ``pd.NA``); slices, masks and index arrays give arrays.

    Parameters
    ----------
    ids : array of int
        Row ids into the descriptor's dataset; ``-1`` marks a missing element.
    descriptor : DataDescriptor or None
        Shared by all elements; None only for an array whose elements are all missing.

    Examples
    --------
    >>> import torch
    >>> from jupytorch.lazy.convert import as_lazy_tensor
    >>> lt = as_lazy_tensor(torch.rand(4, 1, 28, 28))
    >>> df = pd.DataFrame({"image": lt, "y": list("abab")})
    >>> df.loc[[2, 3], "image"].array.ids
    array([2, 3])
    """

    def __init__(self, ids: Any, descriptor: DataDescriptor | None):
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        if descriptor is None and (ids >= 0).any():
            raise JupytorchError("A LazyTensorArray with non-missing elements needs a DataDescriptor.")
        if descriptor is not None and not isinstance(descriptor, DataDescriptor):
            raise InvalidParameterError(f"LazyTensorArray: descriptor must be a DataDescriptor, got {type(descriptor).__name__}.")
        self._ids = ids
        self._descriptor = descriptor

    # -- fields ------------------------------------------------------------------------------------
    @property
    def ids(self) -> np.ndarray:
        """Row ids into the dataset (read-only view; -1 for missing elements)."""
        view = self._ids.view()
        view.flags.writeable = False
        return view

    @property
    def descriptor(self) -> DataDescriptor | None:
        """The shared DataDescriptor."""
        return self._descriptor

    @property
    def dtype(self) -> LazyTensorDtype:
        """The ``lazy_tensor`` dtype."""
        return LazyTensorDtype()

    @property
    def nbytes(self) -> int:
        """Memory of the ids (the dataset is shared and not counted)."""
        return self._ids.nbytes

    @property
    def tensor_shape(self) -> Shape | None:
        """Shape of a materialized column for training, batch dimension None (``lazy_shape``)."""
        return None if self._descriptor is None else self._descriptor.pointer_shape

    def __len__(self) -> int:
        return len(self._ids)

    # -- construction ------------------------------------------------------------------------------
    @classmethod
    def _from_sequence(cls, scalars: Any, *, dtype: Any = None, copy: bool = False) -> LazyTensorArray:
        if isinstance(scalars, cls):
            return scalars.copy() if copy else scalars
        if isinstance(scalars, (pd.Series, pd.Index)) and isinstance(scalars.dtype, LazyTensorDtype):
            return cls._from_sequence(scalars.array, copy=copy)
        values = list(scalars)
        ids = np.full(len(values), -1, dtype=np.int64)
        descriptor = None
        for i, value in enumerate(values):
            if _is_na(value):
                continue
            if not isinstance(value, LazyTensor):
                raise InvalidParameterError(
                    f"Cannot make a lazy tensor from a {type(value).__name__} (element {i}); use jupytorch.as_lazy_tensor() "
                    "to build lazy tensors from tensors, arrays, datasets or image files."
                )
            if descriptor is None:
                descriptor = value.descriptor
            elif value.descriptor.hash != descriptor.hash:
                raise JupytorchError(_mixed_message(descriptor, value.descriptor))
            ids[i] = value.id
        return cls(ids, descriptor)

    @classmethod
    def _from_factorized(cls, values: np.ndarray, original: LazyTensorArray) -> LazyTensorArray:
        return cls(values, original._descriptor)

    def _values_for_factorize(self) -> tuple[np.ndarray, int]:
        return self._ids.copy(), -1

    def _values_for_argsort(self) -> np.ndarray:
        return self._ids

    @classmethod
    def _concat_same_type(cls, to_concat: Sequence[LazyTensorArray]) -> LazyTensorArray:
        descriptor = None
        for arr in to_concat:
            if arr._descriptor is None:
                continue
            if descriptor is None:
                descriptor = arr._descriptor
            elif arr._descriptor.hash != descriptor.hash:
                raise JupytorchError(_mixed_message(descriptor, arr._descriptor))
        ids = np.concatenate([arr._ids for arr in to_concat]) if to_concat else np.empty(0, np.int64)
        return cls(ids, descriptor)

    def copy(self) -> LazyTensorArray:
        """Return a copy (new ids, the same shared descriptor)."""
        return type(self)(self._ids.copy(), self._descriptor)

    # -- element access ----------------------------------------------------------------------------
    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, tuple):
            item = tuple(i for i in item if i is not Ellipsis)
            if len(item) != 1:
                raise IndexError(f"A LazyTensorArray is 1-dimensional; got the index {item!r}.")
            item = item[0]
        if pd.api.types.is_integer(item):
            value = int(self._ids[item])
            return pd.NA if value < 0 else LazyTensor(value, self._descriptor)
        if not isinstance(item, slice):
            item = check_array_indexer(self, item)
        return type(self)(self._ids[item], self._descriptor)

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(value, LazyTensorArray):
            self._adopt(value._descriptor)
            new = value._ids
        elif isinstance(value, LazyTensor):
            self._adopt(value.descriptor)
            new = value.id
        elif _is_na(value):
            new = -1
        elif isinstance(value, (list, tuple, np.ndarray, pd.Series)):
            arr = LazyTensorArray._from_sequence(value)
            self._adopt(arr._descriptor)
            new = arr._ids
        else:
            raise InvalidParameterError(f"Cannot put a {type(value).__name__} into a lazy-tensor column.")
        if not (isinstance(key, slice) or pd.api.types.is_integer(key)):
            key = check_array_indexer(self, key)
        self._ids[key] = new

    def _adopt(self, descriptor: DataDescriptor | None) -> None:
        if descriptor is None:
            return
        if self._descriptor is None:
            self._descriptor = descriptor
        elif descriptor.hash != self._descriptor.hash:
            raise JupytorchError(_mixed_message(self._descriptor, descriptor))

    def take(self, indices: Any, *, allow_fill: bool = False, fill_value: Any = None) -> LazyTensorArray:
        """Take elements by position; with ``allow_fill``, ``-1`` positions become missing."""
        fill = -1
        if allow_fill and fill_value is not None and not _is_na(fill_value):
            if not isinstance(fill_value, LazyTensor):
                raise InvalidParameterError(f"A lazy tensor column cannot be filled with a {type(fill_value).__name__}.")
            if self._descriptor is not None and fill_value.descriptor.hash != self._descriptor.hash:
                raise JupytorchError(_mixed_message(self._descriptor, fill_value.descriptor))
            fill = fill_value.id
        ids = take(self._ids, indices, allow_fill=allow_fill, fill_value=fill)
        descriptor = self._descriptor
        if descriptor is None and allow_fill and isinstance(fill_value, LazyTensor):
            descriptor = fill_value.descriptor
        return type(self)(ids, descriptor)

    def isna(self) -> np.ndarray:
        """Boolean mask of missing elements."""
        return self._ids < 0

    def unique(self) -> LazyTensorArray:
        """Return the unique elements in order of appearance."""
        return type(self)(pd.unique(self._ids), self._descriptor)

    def __eq__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        if isinstance(other, (pd.Series, pd.Index, pd.DataFrame)):
            return NotImplemented
        if isinstance(other, LazyTensor):
            if self._descriptor is None or other.descriptor.hash != self._descriptor.hash:
                return np.zeros(len(self), dtype=bool)
            return self._ids == other.id
        if isinstance(other, LazyTensorArray):
            if len(other) != len(self):
                raise ValueError(f"Lengths must match to compare: {len(self)} and {len(other)}.")
            same = (
                self._descriptor is not None
                and other._descriptor is not None
                and self._descriptor.hash == other._descriptor.hash
            )
            if not same:
                return np.zeros(len(self), dtype=bool)
            return (self._ids == other._ids) & (self._ids >= 0)
        return np.zeros(len(self), dtype=bool)

    def __ne__(self, other: Any) -> np.ndarray:  # type: ignore[override]
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else ~eq

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = np.empty(len(self), dtype=object)
        for i, value in enumerate(self._ids.tolist()):
            out[i] = pd.NA if value < 0 else LazyTensor(value, self._descriptor)
        return out

    # -- display -----------------------------------------------------------------------------------
    def _formatter(self, boxed: bool = False) -> Callable[[Any], str]:
        return repr

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        """In a notebook kernel: a paged preview of the samples (``jupytorch.core.display``); else None."""
        from jupytorch.core.display import rich_mimebundle

        return rich_mimebundle(self, include, exclude)

    def __repr__(self) -> str:
        n = len(self)
        shown = [repr(v) if not _is_na(v) else "<NA>" for v in (self[i] for i in range(min(n, 6)))]
        more = ", ..." if n > 6 else ""
        return f"<LazyTensorArray>\n[{', '.join(shown)}{more}]\nLength: {n}, dtype: lazy_tensor"

    # -- preprocessing -----------------------------------------------------------------------------
    def with_step(self, fn: Callable, shape_out: Any = "infer", *, stage: str = "both", name: str | None = None,
                  rowwise: bool = False) -> LazyTensorArray:
        """Return a new array (same ids) whose descriptor has ``fn`` appended.

        The arguments are those of
        :meth:`DataDescriptor.with_step <jupytorch.lazy.descriptor.DataDescriptor.with_step>`.

        Examples
        --------
        >>> import torch
        >>> from jupytorch.lazy.convert import as_lazy_tensor
        >>> from jupytorch.lazy.steps import Reshape
        >>> lt = as_lazy_tensor(torch.rand(4, 1, 28, 28)).with_step(Reshape((-1, 784)), name="trafo_reshape")
        >>> lt[0]
        <tnsr[784]>
        """
        if self._descriptor is None:
            raise JupytorchError("Cannot preprocess a lazy-tensor column whose elements are all missing.")
        return type(self)(self._ids.copy(), self._descriptor.with_step(fn, shape_out, stage=stage, name=name, rowwise=rowwise))


def _mixed_message(a: DataDescriptor, b: DataDescriptor) -> str:
    return (
        "Lazy tensors with different DataDescriptors cannot share a column "
        f"({a.graph!r} with shape {a.pointer_shape} vs {b.graph!r} with shape {b.pointer_shape}). "
        "Concatenate rows of one lazy tensor, or keep them in separate columns."
    )
