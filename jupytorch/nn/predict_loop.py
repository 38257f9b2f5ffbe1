"""The inference loop: a network's outputs for every row of a dataset, batch by batch.

Shared by prediction (``Learner.predict``) and validation during training: each batch's inputs
are released before the next batch is materialized, the network runs in ``inference_mode``, and
the outputs stay on the device until the caller reads them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

import torch

from jupytorch.nn.encode import main_output
from jupytorch.nn.loader import prefetching
from jupytorch.nn.task_dataset import Batch, TaskDataset

__all__ = ["make_forward", "predict_loop"]

_NULL = contextlib.nullcontext()


def make_forward(network: Callable[..., Any], input_names: Sequence[str]) -> Callable[[dict[str, torch.Tensor]], Any]:
    """How a batch's inputs are passed: one input positionally, several as keywords by name.

    Examples
    --------
    >>> forward = make_forward(torch.nn.Identity(), ["x"])
    >>> forward({"x": torch.ones(2)}).tolist()
    [1.0, 1.0]
    """
    if len(input_names) == 1:
        name = input_names[0]
        return lambda x: network(x[name])
    return lambda x: network(**x)


def predict_loop(network: torch.nn.Module, dataset: TaskDataset, batch_size: int,
                 forward: Callable[[dict[str, torch.Tensor]], Any], autocast: Callable[[], Any] = lambda: _NULL,
                 on_batch: tuple[Callable[[Batch], None], Callable[[Any], None]] | None = None) -> torch.Tensor:
    """Network outputs for all rows of ``dataset`` in order, concatenated on the device.

    Each batch's inputs are released before the next batch is materialized; ``on_batch`` is a
    pair of functions called with the batch before the forward pass and with its output after it.

    Examples
    --------
    >>> import pandas as pd, jupytorch as jt
    >>> from jupytorch.nn.ingress import ingress_num
    >>> task = jt.as_task_regr(pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 2.0]}), target="y")
    >>> ds = TaskDataset(task, {"x": ingress_num().bind(task)})
    >>> net = torch.nn.Linear(1, 1)
    >>> predict_loop(net, ds, 2, make_forward(net, ["x"])).shape
    torch.Size([3, 1])
    """

    def one_batch(start: int) -> Any:  # its locals (the batch) die when it returns
        stop = min(start + batch_size, dataset.n)
        x, y = dataset.get_rows(start, stop)
        if on_batch is not None:
            on_batch[0](Batch(x, y, torch.arange(start, stop, device=dataset.storage_device)))
        with autocast():
            y_hat = forward(x)
        if on_batch is not None:
            on_batch[1](y_hat)
        return main_output(y_hat)

    was_training = network.training
    if was_training:  # a trained model is kept in eval mode: no walk over the modules per call
        network.eval()
    outputs = []
    # worker processes (if any) load the batches ahead; in-memory rows are sliced as views instead
    batches = [] if getattr(dataset, "workers", None) is None else [
        torch.arange(start, min(start + batch_size, dataset.n)) for start in range(0, dataset.n, batch_size)]
    try:
        with torch.inference_mode(), prefetching(dataset, batches):
            for start in range(0, dataset.n, batch_size):
                outputs.append(one_batch(start))
    finally:
        if was_training:
            network.train()
    if not outputs:
        return torch.empty(0, 1)
    return torch.cat(outputs) if len(outputs) > 1 else outputs[0]
