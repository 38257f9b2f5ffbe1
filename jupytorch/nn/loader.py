"""Which rows form the batches of an epoch, and loading batches in worker processes.

:class:`BatchPlan` turns the learner's ``batch_size``, ``shuffle``, ``drop_last``, ``sampler``
and ``batch_sampler`` into the batches of one epoch: a list of 1-d position tensors. Without a
sampler the batches are consecutive slices of a (shuffled) order, as before.

:class:`WorkerLoader` loads batches of a :class:`~jupytorch.nn.task_dataset.TaskDataset` whose
inputs are read from files or from a user dataset (lazy tensors whose rows are not in memory) in
``num_workers`` worker processes: a ``torch.utils.data.DataLoader`` over whole batches
(``batch_size=None``, the batches as its sampler), with ``pin_memory`` for CUDA. The workers
read and preprocess rows on the CPU; the main process moves them to the device. In-memory data
never goes through it: cutting a batch from a tensor is faster than any worker.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import torch

from jupytorch.core.exceptions import InvalidParameterError

__all__ = ["BatchPlan", "WorkerLoader", "attach_workers", "balanced_sampler", "prefetching", "uses_workers"]


def _build(sampler: Any, task: Any) -> Any:
    """A sampler given as a factory (``task -> Sampler``, e.g. a class) is built for the training task."""
    if sampler is None or isinstance(sampler, torch.utils.data.Sampler) or not callable(sampler):
        return sampler
    return sampler(task)


class BatchPlan:
    """The batches of each training epoch.

    Parameters
    ----------
    n : int
        Rows of the training data.
    batch_size : int
    shuffle : bool
    drop_last : bool
        Leave out the last batch when it is smaller than ``batch_size``.
    sampler : Sampler or callable, optional
        Yields row positions (``0 .. n-1``) in the order to train, possibly repeated (e.g.
        ``torch.utils.data.WeightedRandomSampler``); batches are consecutive ``batch_size``
        positions of it. A callable is called with the training task (e.g.
        :func:`balanced_sampler`), because the training rows are known only then.
    batch_sampler : Sampler or callable, optional
        Yields lists of positions, one per batch; ``batch_size``, ``shuffle``, ``sampler``
        and ``drop_last`` are then not used.
    task : Task, optional
        Passed to sampler factories.

    Examples
    --------
    >>> plan = BatchPlan(5, batch_size=2, shuffle=False, drop_last=True)
    >>> [b.tolist() for b in plan.batches(torch.Generator())], plan.n_batches
    ([[0, 1], [2, 3]], 2)
    """

    def __init__(self, n: int, batch_size: int, shuffle: bool = True, drop_last: bool = False, sampler: Any = None,
                 batch_sampler: Any = None, task: Any = None):
        self.n = int(n)
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.sampler = _build(sampler, task)
        self.batch_sampler = _build(batch_sampler, task)
        for what, obj in (("sampler", self.sampler), ("batch_sampler", self.batch_sampler)):
            if obj is not None and not hasattr(obj, "__iter__"):
                raise InvalidParameterError(
                    f"{what} must be a torch Sampler (or a function task -> Sampler), got {type(obj).__name__}."
                )

    @property
    def default(self) -> bool:
        """Whether batches are slices of a plain order (no sampler)."""
        return self.sampler is None and self.batch_sampler is None

    @property
    def n_batches(self) -> int:
        """Batches per epoch (for progress bars and per-batch schedulers)."""
        if self.batch_sampler is not None:
            try:
                return len(self.batch_sampler)
            except TypeError:
                return 0
        n = self.n
        if self.sampler is not None:
            try:
                n = len(self.sampler)
            except TypeError:
                pass
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def batches(self, generator: torch.Generator, order: torch.Tensor | None = None) -> list[torch.Tensor]:
        """The batches of one epoch as 1-d long tensors of positions (on the CPU).

        ``order`` (default: a permutation drawn from ``generator``, or ``0..n-1`` without
        shuffling) is used when there is no sampler.
        """
        if self.batch_sampler is not None:
            out = [torch.as_tensor(list(b), dtype=torch.long) for b in self.batch_sampler]
            return self._checked(out, "batch_sampler")
        if self.sampler is not None:
            order = torch.as_tensor(list(iter(self.sampler)), dtype=torch.long)
            self._checked([order], "sampler")
        elif order is None:
            order = torch.randperm(self.n, generator=generator) if self.shuffle else torch.arange(self.n)
        bs = self.batch_size
        stop = len(order) - len(order) % bs if self.drop_last else len(order)
        return [order[start:start + bs] for start in range(0, stop, bs)]

    def _checked(self, batches: list[torch.Tensor], what: str) -> list[torch.Tensor]:
        for b in batches:
            if len(b) and (int(b.min()) < 0 or int(b.max()) >= self.n):
                raise InvalidParameterError(
                    f"The {what} yielded position {int(b.max()) if int(b.max()) >= self.n else int(b.min())}, but the "
                    f"training data has {self.n} rows (positions 0..{self.n - 1}); build it for the training task (pass "
                    "a function task -> Sampler, which is called with the rows left after validation)."
                )
        return batches


class balanced_sampler:
    """A sampler factory for imbalanced classes: rows drawn with probability 1 / (size of their class).

    Pass it as ``sampler=jt.balanced_sampler()``; it is called with the training task and
    returns a ``torch.utils.data.WeightedRandomSampler`` drawing ``num_samples`` rows (default:
    as many as there are) with replacement, so each epoch sees the classes about equally often.

    Parameters
    ----------
    num_samples : int, optional

    Examples
    --------
    >>> import pandas as pd, jupytorch as jt
    >>> task = jt.as_task_classif(pd.DataFrame({"x": range(4), "y": ["a", "a", "a", "b"]}), target="y")
    >>> sampler = jt.balanced_sampler()(task)
    >>> [round(w, 3) for w in sampler.weights.tolist()]
    [0.333, 0.333, 0.333, 1.0]
    """

    def __init__(self, num_samples: int | None = None):
        self.num_samples = num_samples

    def __call__(self, task: Any) -> torch.utils.data.WeightedRandomSampler:
        codes = task.truth().cat.codes.to_numpy()
        counts = np.bincount(codes, minlength=len(task.class_names)).astype(np.float64)
        weights = 1.0 / counts[codes]
        n = self.num_samples or len(codes)
        return torch.utils.data.WeightedRandomSampler(torch.as_tensor(weights, dtype=torch.double), n, replacement=True)

    def __repr__(self) -> str:
        return f"balanced_sampler(num_samples={self.num_samples})"


def uses_workers(dataset: Any, num_workers: int) -> bool:
    """Whether batches of ``dataset`` are worth loading in worker processes (inputs read from files or a user dataset)."""
    if num_workers <= 0 or not getattr(dataset, "lazy", None):
        return False
    from jupytorch.lazy.datasets import TensorDictDataset

    for _token, frame in dataset.lazy.values():
        descriptor = frame.iloc[:, 0].array.descriptor
        if descriptor is not None and not isinstance(descriptor.dataset, TensorDictDataset):
            return True
    return False


class _Fetch(torch.utils.data.Dataset):
    """What a worker runs: load one whole batch (the 'item' is a tensor of positions) on the CPU."""

    def __init__(self, dataset: Any):
        self.dataset = dataset

    def __len__(self) -> int:
        return self.dataset.n

    def __getitem__(self, index: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor], Any]:
        x, y = self.dataset.load_cpu(index)
        return index, x, y


class _Batches(torch.utils.data.Sampler):
    """The batches of the current epoch (set before each pass), so that workers persist across epochs."""

    def __init__(self) -> None:
        self.batches: Sequence[torch.Tensor] = ()

    def __iter__(self) -> Iterator[torch.Tensor]:
        return iter(self.batches)

    def __len__(self) -> int:
        return len(self.batches)


def _worker_init(worker_id: int) -> None:
    from jupytorch.lazy import datasets

    datasets._POOL = None  # the parent's decoding threads do not exist in this process
    _keep_freed_memory()


def _keep_freed_memory() -> bool:
    """Let this process reuse the memory of freed batches instead of mapping fresh pages (glibc only).

    A batch of decoded images is tens of MiB; glibc serves blocks that large with a fresh ``mmap``
    and unmaps them when freed, so every batch faults all its pages in again (about 3 µs per 4 KiB
    page in a VM: a third of a worker's time). Loader workers are processes of our own that make
    same-sized batches all their life, so they keep freed memory in the heap for the next batch.
    Returns whether the allocator took the settings.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to tune
        return False
    m_trim_threshold, m_mmap_max = -1, -4  # from glibc's malloc.h
    return bool(mallopt(m_mmap_max, 0)) and bool(mallopt(m_trim_threshold, 1 << 30))


def _identity(batch: Any) -> Any:
    return batch


class WorkerLoader:
    """Load batches of a TaskDataset in ``num_workers`` processes (persistent across epochs).

    Parameters
    ----------
    dataset : TaskDataset
    num_workers : int
    pin_memory : bool
        Page-lock batches so that the copy to a CUDA device is asynchronous.
    seed : int, optional
        Seeds the workers' random generators (augmentation in workers is reproducible).
    timeout : float
        Seconds to wait for a batch (0: forever).
    worker_init_fn : callable, optional
        Called in each worker with its id (after jupytorch's own set-up).

    Examples
    --------
    >>> import pandas as pd, jupytorch as jt
    >>> from jupytorch.nn.task_dataset import TaskDataset
    >>> class Squares(torch.utils.data.Dataset):  # a user dataset: one row per __getitem__
    ...     def __len__(self): return 8
    ...     def __getitem__(self, i): return {"x": torch.full((2,), float(i * i))}
    >>> lt = jt.as_lazy_tensor(Squares(), {"x": (None, 2)})
    >>> task = jt.as_task_regr(pd.DataFrame({"x": lt, "y": [float(i) for i in range(8)]}), target="y")
    >>> ds = TaskDataset(task, {"x": jt.ingress_ltnsr("x").bind(task)})
    >>> loader = WorkerLoader(ds, num_workers=1)
    >>> [x["x"][:, 0].tolist() for _, x, _ in loader.iterate([torch.tensor([3, 1]), torch.tensor([2])])]
    [[9.0, 1.0], [4.0]]
    """

    def __init__(self, dataset: Any, num_workers: int, pin_memory: bool = False, seed: int | None = None,
                 timeout: float = 0, worker_init_fn: Callable[[int], None] | None = None):
        self._batches = _Batches()
        generator = torch.Generator()
        if seed is not None:
            generator.manual_seed(int(seed))
        init = _worker_init if worker_init_fn is None else _ChainInit(worker_init_fn)
        self.loader = torch.utils.data.DataLoader(
            _Fetch(dataset), batch_size=None, sampler=self._batches, num_workers=int(num_workers),
            pin_memory=bool(pin_memory), collate_fn=_identity, persistent_workers=True, timeout=timeout,
            worker_init_fn=init, generator=generator,
        )

    def iterate(self, batches: Sequence[torch.Tensor]) -> Iterator[tuple[torch.Tensor, dict[str, torch.Tensor], Any]]:
        """Yield ``(index, x, y)`` for ``batches`` in order, loaded ahead by the workers."""
        self._batches.batches = list(batches)
        return iter(self.loader)


class _ChainInit:
    def __init__(self, fn: Callable[[int], None]):
        self.fn = fn

    def __call__(self, worker_id: int) -> None:
        _worker_init(worker_id)
        self.fn(worker_id)


def attach_workers(dataset: Any, num_workers: int, device: Any, pin_memory: bool | None = None,
                   seed: int | None = None) -> None:
    """Give ``dataset`` a :class:`WorkerLoader` when its inputs are read from files or a user dataset.

    ``pin_memory=None`` pins batches when the device is CUDA.
    """
    if dataset is None or not uses_workers(dataset, num_workers):
        return
    if pin_memory is None:
        pin_memory = torch.device(device).type == "cuda"
    dataset.workers = WorkerLoader(dataset, num_workers, pin_memory=pin_memory and torch.cuda.is_available(), seed=seed)


def prefetching(dataset: Any, batches: Sequence[torch.Tensor]) -> Any:
    """A context in which ``dataset.get_batch`` takes the batches ``batches`` (in order) from its workers."""
    import contextlib

    start = getattr(dataset, "prefetching", None)
    return contextlib.nullcontext() if start is None else start(batches)
