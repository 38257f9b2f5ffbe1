"""autoplot(TuningInstance): optuna.visualization figures of the study."""

from __future__ import annotations

import optuna
import pytest

import jupytorch as jt
from jupytorch import to_tune
from jupytorch.core.exceptions import InvalidParameterError

optuna.logging.set_verbosity(optuna.logging.WARNING)


@pytest.fixture(scope="module")
def ti():
    learner = jt.lrn("regr.rpart", cp=to_tune(1e-3, 0.2, logscale=True), maxdepth=to_tune(1, 4))
    return jt.tune(jt.tnr("random_search", seed=1), jt.tsk("mtcars"), learner, jt.rsmp("holdout"),
                   [jt.msr("regr.rmse"), jt.msr("regr.mae")], term_evals=5, seed=1)


@pytest.mark.parametrize("kind", ["history", "parallel", "importance", "slice", "pareto"])
def test_each_tuning_figure(ti, kind):
    figure = jt.autoplot(ti, type=kind)
    assert len(figure.data) >= 1


def test_measure_selects_the_objective(ti):
    figure = jt.autoplot(ti, measure="regr.mae")
    assert "regr.mae" in figure.layout.yaxis.title.text
    with pytest.raises(InvalidParameterError, match="Did you mean 'regr.mae'"):
        jt.autoplot(ti, measure="regr.maee")
    assert jt.viz.autoplot.plot_types(ti)[0] == "history"


def test_intermediate_values_of_pruning():
    learner = jt.lrn("regr.mlp", batch_size=16, neurons=(4,), epochs=3, measures_valid=jt.msr("regr.mse"),
                     opt__lr=to_tune(1e-3, 1e-1, logscale=True))
    jt.set_validate(learner, "test")
    ti = jt.tune(jt.tnr("random_search", seed=1), jt.tsk("mtcars"), learner, jt.rsmp("holdout"), jt.msr("regr.mse"),
                 term_evals=2, pruner="median", seed=1)
    figure = jt.autoplot(ti, type="intermediate")
    assert len(figure.data) == 2 and len(figure.data[0].x) == 3
