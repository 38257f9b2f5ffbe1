"""What the trainer does differently in one rank of a data-parallel training (``strategy="ddp"``).

:func:`distributed_trainer` mixes :class:`DistributedTrainerMixin` into the learner's trainer
class (``Trainer`` or a user's subclass), so that each rung of the ladder keeps its meaning:

* every rank draws the same global batches (the shuffling generator is seeded alike) and takes
  its part of each: ``torch.tensor_split(batch, world_size)[rank]``, cut by index as in one
  process;
* the network is wrapped in ``torch.nn.parallel.DistributedDataParallel``, which averages the
  gradients over the ranks; each rank's loss is weighted by ``world_size * rows / batch rows``,
  so that the average is the gradient of the whole batch's mean loss, also when a batch does
  not split evenly (a rank left without rows trains on one row with weight 0, so that all ranks
  meet in every all-reduce);
* the epoch's mean loss is summed over the ranks once per epoch; rank 0 alone validates and
  sends the scores to the others, which need them for callbacks such as ``ReduceLROnPlateau``;
* a stop (early stopping, ``ctx.terminate``, a Stop button, Ctrl-C) takes effect at the end of
  an epoch, when the ranks agree on it, never within one: a rank that left the epoch early would
  leave the others waiting in an all-reduce;
* buffers are sent from rank 0 before each forward pass only when layers update them in training
  (running statistics of batch normalization); constant ones only when the network is wrapped;
* at the end every rank holds rank 0's weights (``restore_best_weights`` runs in rank 0);
* random layers (dropout) draw from ``seed + rank`` in rank ``rank`` > 0, so that the ranks'
  masks differ; rank 0 draws as one process does.

Nothing crosses from the device to the host per batch beyond what one process does.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import torch
import torch.distributed as dist

from jupytorch.nn.trainer import Trainer

__all__ = ["DistributedTrainerMixin", "distributed_trainer", "has_running_statistics", "shard_batches"]


def shard_batches(batches: list[torch.Tensor], rank: int, world_size: int) -> tuple[list[torch.Tensor], list[float]]:
    """Rank ``rank``'s part of each global batch and the weight of its loss.

    The part is the ``rank``-th of ``world_size`` near-equal slices; the weight
    ``world_size * part rows / batch rows`` makes the mean over the ranks of the weighted part
    losses equal the mean loss of the whole batch. A rank without rows in a batch gets its
    first row with weight 0.

    Examples
    --------
    >>> parts, weights = shard_batches([torch.arange(5), torch.arange(5, 6)], rank=1, world_size=2)
    >>> [p.tolist() for p in parts], weights
    ([[3, 4], [5]], [0.8, 0.0])
    """
    parts, weights = [], []
    for batch in batches:
        part = torch.tensor_split(batch, world_size)[rank]
        if len(part):
            parts.append(part)
            weights.append(world_size * len(part) / len(batch))
        else:
            parts.append(batch[:1])
            weights.append(0.0)
    return parts, weights


class DistributedTrainerMixin:
    """The data-parallel rungs of the trainer ladder; mixed in by :func:`distributed_trainer`.

    Parameters
    ----------
    ctx : Context
    ranks : jupytorch.nn.distributed.Ranks
        This process's rank, the number of ranks and its device.
    **kwargs
        The trainer's own arguments.

    Examples
    --------
    >>> cls = distributed_trainer(Trainer)
    >>> cls.__name__, cls.stops_within_epoch
    ('DistributedTrainer', False)
    """

    stops_within_epoch = False
    ctx: Any

    def __init__(self, ctx: Any, *, ranks: Any, **kwargs: Any):
        self.ranks = ranks
        self._loss_weights: list[float] = []
        super().__init__(ctx, **kwargs)  # type: ignore[call-arg]
        if ranks.rank and ctx.seed is not None:  # the network is built: random layers now draw apart per rank
            torch.default_generator.manual_seed(int(ctx.seed) + ranks.rank)
            if ranks.device.type == "cuda":
                torch.cuda.manual_seed(int(ctx.seed) + ranks.rank)

    def _wrap_network(self, network: torch.nn.Module) -> Any:
        device = self.ranks.device
        ddp = torch.nn.parallel.DistributedDataParallel
        # torch 2.14 renamed broadcast_buffers (and deprecated the old name)
        sync = "forward_sync_buffers" if "forward_sync_buffers" in inspect.signature(ddp).parameters else "broadcast_buffers"
        return ddp(network, device_ids=[device] if device.type == "cuda" else None,
                   **{sync: has_running_statistics(network)})

    def _epoch_batches(self) -> list[torch.Tensor]:
        batches = super()._epoch_batches()  # type: ignore[misc]
        parts, self._loss_weights = shard_batches(batches, self.ranks.rank, self.ranks.world_size)
        return parts

    def _get_loss(self, y_hat: Any, y: torch.Tensor | None) -> torch.Tensor:
        loss = super()._get_loss(y_hat, y)  # type: ignore[misc]
        weight = self._loss_weights[self.ctx.step - 1]
        return loss if weight == 1.0 else loss * weight

    def _epoch_loss(self) -> float:
        self._read_losses()  # type: ignore[attr-defined]
        state = self.epoch_state  # type: ignore[attr-defined]
        totals = torch.tensor([state.loss_sum, float(state.loss_count)], dtype=torch.float64, device=self.ranks.device)
        dist.all_reduce(totals)
        loss_sum, count = totals.tolist()
        return loss_sum / count if count else float("nan")

    def _validate(self) -> dict[str, float]:
        ctx = self.ctx
        payload: list[Any] = [None, None]
        if self.ranks.rank == 0:
            payload = [super()._validate(), ctx.valid_loss]  # type: ignore[misc]
        dist.broadcast_object_list(payload, src=0, device=self._object_device())
        ctx.valid_loss = payload[1]
        return payload[0]

    def _check_stop(self) -> None:
        super()._check_stop()  # type: ignore[misc]
        ctx = self.ctx
        flags = torch.tensor([float(bool(ctx.terminate)), float(bool(ctx.interrupted))], device=self.ranks.device)
        dist.all_reduce(flags, op=dist.ReduceOp.MAX)
        terminate, interrupted = flags.tolist()
        ctx.terminate, ctx.interrupted = bool(terminate), bool(interrupted)

    def fit(self) -> Any:
        ctx = super().fit()  # type: ignore[misc]
        with torch.no_grad():  # rank 0's weights everywhere (restore_best_weights ran there)
            for tensor in ctx.network.state_dict().values():
                dist.broadcast(tensor, src=0)
        return ctx

    def _object_device(self) -> torch.device | None:
        device = self.ranks.device
        return device if device.type == "cuda" else None


def has_running_statistics(network: torch.nn.Module) -> bool:
    """Whether ``network`` updates buffers while it trains (normalization layers with running statistics).

    Only then does DDP need to send rank 0's buffers to the others before every forward pass;
    constant buffers (a target's mean and sd, embedding offsets) are sent once, when DDP wraps
    the network, and a broadcast per step would be a collective that waits for every rank.

    Examples
    --------
    >>> has_running_statistics(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2)))
    True
    >>> has_running_statistics(torch.nn.Linear(2, 2))
    False
    """
    from torch.nn.modules.batchnorm import _NormBase

    return any(isinstance(module, _NormBase) and module.track_running_stats for module in network.modules())


@functools.cache
def distributed_trainer(base: type = Trainer) -> type:
    """The trainer class ``base`` (``Trainer`` or a subclass) for one rank of a ddp training.

    Examples
    --------
    >>> class Mine(Trainer):
    ...     pass
    >>> issubclass(distributed_trainer(Mine), Mine)
    True
    """
    name = "Distributed" + base.__name__
    return type(name, (DistributedTrainerMixin, base), {"__module__": __name__})
