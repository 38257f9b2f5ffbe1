"""The data-parallel rungs of the trainer: how global batches are cut among ranks and weighted."""

from __future__ import annotations

import pytest
import torch

from jupytorch.nn.trainer import Trainer
from jupytorch.nn.trainer_ddp import DistributedTrainerMixin, distributed_trainer, shard_batches


@pytest.mark.parametrize("world_size", [2, 3, 4])
def test_shards_cover_each_batch_once_and_weights_average_to_the_batch_mean(world_size):
    batches = list(torch.randperm(23, generator=torch.Generator().manual_seed(0)).split(7))  # 7, 7, 7, 2 rows
    losses = torch.rand(23, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    per_rank = [shard_batches(batches, rank, world_size) for rank in range(world_size)]
    for k, batch in enumerate(batches):
        parts = [parts[k] for parts, weights in per_rank if weights[k] > 0]
        assert sorted(torch.cat(parts).tolist()) == sorted(batch.tolist())  # disjoint, and all rows
        # DDP averages the ranks' gradients: the mean of the weighted part losses is the batch's mean loss
        weighted = [losses[parts[k]].mean() * weights[k] if weights[k] else torch.tensor(0.0, dtype=torch.float64)
                    for parts, weights in per_rank]
        torch.testing.assert_close(torch.stack(weighted).mean(), losses[batch].mean())


def test_a_rank_without_rows_trains_one_row_with_weight_zero():
    parts, weights = shard_batches([torch.tensor([4, 9])], rank=2, world_size=3)
    assert parts[0].tolist() == [4] and weights == [0.0]


def test_the_mixin_keeps_a_users_trainer_subclass():
    class Halved(Trainer):
        def _get_loss(self, y_hat, y):
            return super()._get_loss(y_hat, y) / 2

    cls = distributed_trainer(Halved)
    assert cls.__mro__[1:3] == (DistributedTrainerMixin, Halved)
    assert distributed_trainer(Halved) is cls and not cls.stops_within_epoch
