"""t_clbk("history"): one row per epoch of losses and measures."""

from __future__ import annotations

import pytest

import jupytorch as jt

from ..conftest import make_regr, mlp


def test_history_records_losses_and_measures():
    learner = mlp("regr", epochs=3, callbacks=jt.t_clbk("history"), measures_train=jt.msr("regr.mae"),
                  measures_valid=[jt.msr("regr.mse"), jt.msr("regr.mae")]).configure(validate=0.3)
    learner.train(make_regr())
    history = learner.model.callbacks["history"]
    assert list(history.columns) == ["epoch", "train_loss", "valid_loss", "train.regr.mae", "valid.regr.mse", "valid.regr.mae"]
    assert history["epoch"].tolist() == [1, 2, 3]
    assert history.notna().all().all()
    last = history.iloc[-1]
    assert learner.internal_valid_scores == {"regr.mse": last["valid.regr.mse"], "regr.mae": last["valid.regr.mae"]}
    # scale_target (on for regr.mlp): the loss is the mse of the standardized target
    sd = float(learner.model.network.target_sd)
    assert last["valid_loss"] == pytest.approx(last["valid.regr.mse"] / sd**2, rel=1e-4)
    raw = mlp("regr", epochs=1, scale_target=False, measures_valid=jt.msr("regr.mse"),
              callbacks=jt.t_clbk("history")).configure(validate=0.3)
    last = raw.train(make_regr()).model.callbacks["history"].iloc[-1]
    assert last["valid_loss"] == pytest.approx(last["valid.regr.mse"], rel=1e-5)  # mse loss = mse measure
