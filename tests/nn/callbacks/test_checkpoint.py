"""t_clbk("checkpoint") and resume: training continues exactly where a checkpoint left it."""

from __future__ import annotations

import pytest
import torch

import jupytorch as jt

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
