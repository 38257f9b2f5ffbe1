"""``TaskDataset``: the tensors of a task, built once, from which batches are cut by index.

Each ingress token's columns become one tensor for all rows of the task (one batch-getter call
per token), and the target becomes one tensor. A batch is then ``tensor[index]`` for each input:
no per-row ``__getitem__`` and no collate. Lazy-tensor inputs are the exception: their getter
runs per batch (rows are loaded and preprocessed on demand) unless ``preload`` asks for them to
be materialized once (``tensor_dataset=True``; not with random augmentation, which would then be
drawn only once).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np
import torch

from jupytorch.nn.encode import target_tensor
from jupytorch.nn.ingress import BatchgetterNum, TorchIngressToken
from jupytorch.nn.tensor_cache import rows_tensor

__all__ = ["Batch", "TaskDataset"]

PREDICT_BATCH_BYTES = 16 * 2**20
"""Input bytes per batch that validation and prediction aim for when ``batch_size_predict`` is unset."""
PREDICT_BATCH_ROWS = 2**15
"""The most rows per such batch (activations grow with the rows too)."""


class Batch(NamedTuple):
    """One batch: ``x`` (dict input name -> tensor), ``y`` (target tensor or None), ``index`` (positions)."""

    x: dict[str, torch.Tensor]
    y: torch.Tensor | None
    index: torch.Tensor


class TaskDataset:
    """Inputs and target of a task as tensors, cut into batches by :meth:`get_batch`.

    Parameters
    ----------
    task : Task
    tokens : mapping of str to TorchIngressToken
        Bound tokens (``token.bind(task)``); the keys name the network inputs.
    device : str or torch.device
        Where batches are needed.
    preload : bool or "device"
        False: tabular tensors stay on the CPU and batches move to ``device``; lazy tensors are
        materialized per batch. True: lazy tensors are materialized once too. ``"device"``:
        everything is materialized once and stored on ``device`` (no transfer per batch).
    stage : {"train", "predict"}
        Passed to lazy-tensor getters (augmentation runs only in ``"train"``).
    target : bool
        Whether to build the target (False, or a task without truth, gives ``y = None``).

    Examples
    --------
    >>> import pandas as pd, jupytorch as jt
    >>> from jupytorch.nn.ingress import ingress_num
    >>> task = jt.as_task_regr(pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 2.0]}), target="y")
    >>> ds = TaskDataset(task, {"x": ingress_num().bind(task)})
    >>> x, y = ds.get_batch(torch.tensor([2, 0]))
    >>> x["x"].tolist(), y.tolist()
    ([[3.0], [1.0]], [[2.0], [0.0]])
    """

    def __init__(self, task: Any, tokens: Mapping[str, TorchIngressToken], device: Any = "cpu",
                 preload: bool | str = False, stage: str = "train", target: bool = True):
        self.device = torch.device(device)
        storage = self.device if preload == "device" else torch.device("cpu")
        self.storage_device = storage
        self.stage = stage
        self.row_ids = task.row_ids
        self.n = task.nrow
        self.tensors: dict[str, torch.Tensor] = {}
        self.lazy: dict[str, tuple[TorchIngressToken, Any]] = {}
        for name, token in tokens.items():
            if type(token.batchgetter) is BatchgetterNum:  # stateless: converted once per data frame
                self.tensors[name] = _numeric(task, token).to(storage)
                continue
            frame = task.data(cols=token.features)
            if token.per_batch and not preload:
                self.lazy[name] = (token, frame)
            else:
                self.tensors[name] = token.get(frame, device=storage, stage=stage).to(storage)
        self.truth = task._column_values(task.target_names[0]) if target else None
        self.y = _target(task) if target else None
        if self.y is not None:
            self.y = self.y.to(storage)
        self.order = list(tokens)
        self._move = storage != self.device
        self.get_batch = self._get_fast if not self.lazy and not self._move else self._get_general
        self.workers: Any = None  # a jupytorch.nn.loader.WorkerLoader (num_workers > 0 and rows read from files)
        self._stream: Any = None

    def __len__(self) -> int:
        return self.n

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Shapes of the preloaded input tensors."""
        return {k: tuple(v.shape) for k, v in self.tensors.items()}

    def _get_fast(self, index: torch.Tensor) -> tuple[dict[str, torch.Tensor], torch.Tensor | None]:
        x = {name: t[index] for name, t in self.tensors.items()}
        y = self.y
        return x, (None if y is None else y[index])

    def get_rows(self, start: int, stop: int) -> tuple[dict[str, torch.Tensor], torch.Tensor | None]:
        """The batch of the consecutive positions ``start:stop``: views of preloaded tensors, no copy.

        Examples
        --------
        >>> import pandas as pd, jupytorch as jt
        >>> from jupytorch.nn.ingress import ingress_num
        >>> task = jt.as_task_regr(pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 2.0]}), target="y")
        >>> x, y = TaskDataset(task, {"x": ingress_num().bind(task)}).get_rows(1, 3)
        >>> x["x"].tolist()
        [[2.0], [3.0]]
        """
        if self.get_batch != self._get_fast:
            return self.get_batch(torch.arange(start, stop, device=self.storage_device))
        x = {name: t[start:stop] for name, t in self.tensors.items()}
        y = self.y
        return x, (None if y is None else y[start:stop])

    def _get_general(self, index: torch.Tensor) -> tuple[dict[str, torch.Tensor], torch.Tensor | None]:
        device, move = self.device, self._move
        x: dict[str, torch.Tensor] = {}
        for name in self.order:
            tensor = self.tensors.get(name)
            if tensor is not None:
                batch = tensor[index]
                x[name] = batch.to(device, non_blocking=True) if move else batch
            else:
                token, frame = self.lazy[name]
                positions = index.cpu().numpy()
                x[name] = token.get(frame.iloc[positions], device=device, stage=self.stage).to(device)
        y = self.y
        if y is not None:
            y = y[index]
            if move:
                y = y.to(device, non_blocking=True)
        return x, y

    def load_cpu(self, index: torch.Tensor) -> tuple[dict[str, torch.Tensor], torch.Tensor | None]:
        """Load the rows at ``index`` on the CPU (what a worker process runs)."""
        x: dict[str, torch.Tensor] = {}
        for name in self.order:
            tensor = self.tensors.get(name)
            if tensor is not None:
                x[name] = tensor[index]
            else:
                token, frame = self.lazy[name]
                x[name] = token.get(frame.iloc[index.numpy()], device="cpu", stage=self.stage)
        return x, (None if self.y is None else self.y[index])

    @contextlib.contextmanager
    def prefetching(self, batches: Any) -> Iterator[None]:
        """Within this context ``get_batch`` takes ``batches`` in order from the worker processes (if any)."""
        if self.workers is None:
            yield
            return
        self._stream, plain = self.workers.iterate(batches), self.get_batch
        self.get_batch = self._get_prefetched
        try:
            yield
        finally:
            self._stream, self.get_batch = None, plain

    def _get_prefetched(self, index: torch.Tensor) -> tuple[dict[str, torch.Tensor], torch.Tensor | None]:
        loaded, x, y = next(self._stream)
        if not torch.equal(loaded, index.cpu()):
            raise RuntimeError("TaskDataset: the workers delivered another batch than the one asked for.")
        device = self.device
        x = {name: t.to(device, non_blocking=True) for name, t in x.items()}
        return x, (None if y is None else y.to(device, non_blocking=True))

    def predict_batch_size(self, batch_size: int) -> int:
        """Rows per batch for validation and prediction when ``batch_size_predict`` is unset.

        As many rows as fit :data:`PREDICT_BATCH_BYTES` of preloaded inputs (at most
        :data:`PREDICT_BATCH_ROWS`, at least ``batch_size``); inputs materialized per batch
        (lazy tensors) keep ``batch_size``, whose memory the user chose.

        Examples
        --------
        >>> import pandas as pd, jupytorch as jt
        >>> from jupytorch.nn.ingress import ingress_num
        >>> task = jt.as_task_regr(pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 2.0]}), target="y")
        >>> TaskDataset(task, {"x": ingress_num().bind(task)}).predict_batch_size(1)
        32768
        """
        if self.lazy:
            return batch_size
        row_bytes = sum(math.prod(t.shape[1:]) * t.element_size() for t in self.tensors.values())
        rows = PREDICT_BATCH_BYTES // max(row_bytes, 1)
        return int(max(batch_size, min(rows, PREDICT_BATCH_ROWS)))

    def index_tensor(self, positions: np.ndarray | torch.Tensor) -> torch.Tensor:
        """Positions as a long tensor on the storage device (what :meth:`get_batch` indexes with)."""
        return torch.as_tensor(positions, dtype=torch.long).to(self.storage_device)


def _numeric(task: Any, token: TorchIngressToken) -> torch.Tensor:
    """The numeric block of ``token``'s features for the active rows (converted once per data frame)."""
    features = list(token.features)
    return rows_tensor(task, ("torch", "num", tuple(features)), lambda whole: token.get(whole.data(cols=features)),
                       row_bytes=4 * len(features))


def _target(task: Any) -> torch.Tensor | None:
    """The target tensor of the active rows (converted once per data frame and class coding)."""
    what = ("torch", "target", task.target_names[0], task.task_type, tuple(getattr(task, "class_names", ()) or ()))
    return rows_tensor(task, what, target_tensor)
