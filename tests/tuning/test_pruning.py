"""Pruning: every epoch's validation score goes to the Optuna trial; bad trials stop early."""

from __future__ import annotations

import optuna
import pytest

import jupytorch as jt
from jupytorch import to_tune
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.tuning.tune import make_pruner

from .conftest import mlp


def test_pruner_stops_bad_trials(task):
    learner = mlp(epochs=6, opt__lr=to_tune(1e-5, 0.3, logscale=True))
    pruner = optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1)
    ti = jt.tune(jt.tnr("random_search", seed=4), task, learner, jt.rsmp("holdout"), jt.msr("regr.mse"),
                 term_evals=10, pruner=pruner, seed=1)
    archive = ti.archive
    pruned = archive[archive["state"] == "PRUNED"]
    assert len(pruned) > 0
    assert (pruned["last_epoch"] < 6).all()  # stopped before the last epoch
    trial = ti.study.trials[int(pruned["number"].iloc[0])]
    assert len(trial.intermediate_values) >= 1 and max(trial.intermediate_values) == pruned["last_epoch"].iloc[0]
    assert (archive["state"] == "COMPLETE").sum() >= 2


@pytest.mark.parametrize("name, cls", [("median", "MedianPruner"), ("successive_halving", "SuccessiveHalvingPruner"),
                                        ("hyperband", "HyperbandPruner")])
def test_pruner_names(name, cls):
    assert type(make_pruner(name)).__name__ == cls


def test_pruner_name_typo_and_multi_objective(task):
    with pytest.raises(InvalidParameterError, match="Did you mean 'median'"):
        make_pruner("medain")
    learner = mlp(epochs=2, opt__lr=to_tune(1e-3, 0.1))
    with pytest.raises(InvalidParameterError, match="multi-objective"):
        jt.tune(jt.tnr("tpe"), task, learner, jt.rsmp("holdout"), [jt.msr("regr.mse"), jt.msr("regr.mae")],
                term_evals=2, pruner="median")
