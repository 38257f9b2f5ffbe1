"""t_clbk("unfreeze"): the starting weights train first, the others join at their epoch."""

from __future__ import annotations

import pytest
import torch

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError

from ..conftest import make_regr, mlp


def test_unfreeze_trains_the_starting_weights_first():
    snapshots = {}

    def snap(cb):
        snapshots[cb.ctx.epoch] = {k: v.clone() for k, v in cb.ctx.network.state_dict().items()}

    watcher = jt.torch_callback("watcher", on_begin=snap, on_epoch_end=snap)
    unfreeze = jt.t_clbk("unfreeze", starting_weights=["3.weight", "3.bias"],
                         unfreeze=[{"epoch": 2, "weights": lambda names: [n for n in names if n.startswith("0.")]}])
    mlp("regr", epochs=2, callbacks=[unfreeze, watcher]).train(make_regr())
    assert torch.equal(snapshots[0]["0.weight"], snapshots[1]["0.weight"])  # frozen in epoch 1
    assert not torch.equal(snapshots[0]["3.weight"], snapshots[1]["3.weight"])
    assert not torch.equal(snapshots[1]["0.weight"], snapshots[2]["0.weight"])  # unfrozen in epoch 2
    with pytest.raises(InvalidParameterError, match="'9.weight'"):
        mlp("regr", callbacks=jt.t_clbk("unfreeze", starting_weights=["9.weight"])).train(make_regr())
