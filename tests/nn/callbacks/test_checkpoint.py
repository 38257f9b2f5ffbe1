"""t_clbk("checkpoint") and resume: training continues exactly where a checkpoint left it."""

from __future__ import annotations

import pytest
import torch

import jupytorch as jt
from jupytorch.nn.callbacks.checkpoint import latest_checkpoint

from ..conftest import make_regr, mlp


def test_checkpoint_resume_continues_exactly(tmp_path):
    task = make_regr()
    full = mlp("regr", epochs=4, callbacks=jt.t_clbk("history")).configure(validate=0.2).train(task)
    first = mlp("regr", epochs=2, callbacks=[jt.t_clbk("history"), jt.t_clbk("checkpoint", path=str(tmp_path))])
    first.configure(validate=0.2).train(task)
    resumed = mlp("regr", epochs=4, resume=str(tmp_path), callbacks=[jt.t_clbk("history"), jt.t_clbk("checkpoint", path=str(tmp_path))])
    resumed.configure(validate=0.2).train(task)
    assert resumed.model.epochs == 4
    assert resumed.model.callbacks["history"]["epoch"].tolist() == [1, 2, 3, 4]
    for key, value in full.model.network.state_dict().items():
        assert torch.equal(value, resumed.model.network.state_dict()[key]), key
    again = mlp("regr", epochs=4, resume=True, callbacks=[jt.t_clbk("checkpoint", path=str(tmp_path))]).train(task)
    assert again.model.epochs == 4  # nothing left to train
    with pytest.raises(Exception, match="holds no complete checkpoint"):
        mlp("regr", resume=str(tmp_path / "empty")).train(task)


def test_an_epoch_cut_by_terminate_is_saved_as_partial_and_never_resumed(tmp_path):
    task = make_regr()

    def stop_mid_epoch(cb):
        if cb.ctx.epoch == 2 and cb.ctx.step == 1:
            cb.ctx.terminate = True

    cut = jt.torch_callback("cut", on_batch_end=stop_mid_epoch)
    mlp("regr", epochs=4, callbacks=[cut, jt.t_clbk("checkpoint", path=str(tmp_path))]).train(task)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "network1.pt", "network2_partial.pt", "optimizer1.pt", "optimizer2_partial.pt", "state1.pt", "state2_partial.pt"]
    assert torch.load(tmp_path / "state2_partial.pt", weights_only=True)["complete"] is False
    assert latest_checkpoint(tmp_path) == 1
    for kind in ("network", "optimizer", "state"):  # renamed by hand, the cut epoch is still refused
        (tmp_path / f"{kind}2_partial.pt").rename(tmp_path / f"{kind}2.pt")
    with pytest.raises(Exception, match="epoch 2 .* cut short .*after batch 1"):
        mlp("regr", epochs=4, resume=str(tmp_path)).train(task)
