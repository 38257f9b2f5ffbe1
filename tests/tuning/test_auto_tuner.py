"""auto_tuner(): tuning inside train(), nested resampling, benchmark."""

from __future__ import annotations

import pytest

import jupytorch as jt
from jupytorch import to_tune
from jupytorch.core.exceptions import InvalidParameterError

from .conftest import mlp


def test_auto_tuner_trains_the_best_configuration_and_keeps_the_instance(task):
    at = jt.auto_tuner(jt.tnr("grid_search", resolution=3), jt.lrn("regr.rpart", maxdepth=to_tune(1, 3)),
                       jt.rsmp("holdout"), jt.msr("regr.rmse"), seed=1)
    at.train(task)
    ti = at.tuning_instance
    assert at.model["tuning_instance"] is ti and len(ti.archive) == 3
    final = at.model["learner"]
    assert final.param_set.values["maxdepth"] == ti.result_learner_param_vals["maxdepth"]
    assert final.predict(task).response.equals(at.predict(task).response)


def test_auto_tuner_in_resample_is_nested(task):
    at = jt.auto_tuner(jt.tnr("random_search", seed=1), jt.lrn("regr.rpart", cp=to_tune(1e-3, 0.2)),
                       jt.rsmp("cv", folds=2), jt.msr("regr.rmse"), term_evals=2, seed=1)
    rr = jt.resample(task, at, jt.rsmp("cv", folds=3), store_models=True, seed=1)
    assert rr.iters == 3
    instances = [learner.tuning_instance for learner in rr.learners]
    assert all(len(ti.archive) == 2 for ti in instances)
    assert len({ti.task.nrow for ti in instances}) >= 1 and all(ti.task.nrow < task.nrow for ti in instances)
    assert rr.aggregate(jt.msr("regr.rmse")) > 0


def test_auto_tuner_with_internal_epochs_in_benchmark(task):
    learner = mlp(epochs=to_tune(upper=4, internal=True), patience=1)
    at = jt.auto_tuner(jt.tnr("internal"), learner, jt.rsmp("holdout"), jt.msr("regr.mse"), seed=1)
    bmr = jt.benchmark(jt.benchmark_grid([task], [at, jt.lrn("regr.featureless")], [jt.rsmp("holdout")]), seed=1)
    scores = bmr.aggregate(jt.msr("regr.mse"))
    assert len(scores) == 2


def test_auto_tuner_checks_its_terminator_at_once():
    with pytest.raises(InvalidParameterError, match="term_evals"):
        jt.auto_tuner(jt.tnr("tpe"), jt.lrn("regr.rpart", cp=to_tune(0.01, 0.1)), jt.rsmp("holdout"), jt.msr("regr.mse"))
