"""t_clbk("tb"): TensorBoard event files with losses and scores."""

from __future__ import annotations

import jupytorch as jt
from jupytorch import msr, t_clbk

from .conftest import mlp


def test_tb_writes_losses_and_scores(tmp_path, task_binary):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    learner = mlp(epochs=3, measures_valid=msr("classif.acc"),
                  callbacks=t_clbk("tb", path=tmp_path / "runs", log_train_loss=True))
    jt.set_validate(learner, 0.25)
    learner.train(task_binary)
    events = EventAccumulator(str(tmp_path / "runs"))
    events.Reload()
    tags = set(events.Tags()["scalars"])
    assert {"train/loss", "valid/loss", "valid/classif.acc", "train/batch_loss"} <= tags
    assert [e.step for e in events.Scalars("train/loss")] == [1, 2, 3]
    assert len(events.Scalars("train/batch_loss")) == 3 * 3  # 90 rows, batch 32: 3 batches per epoch
    assert learner.model.callbacks["tb"] == str(tmp_path / "runs")
