"""The tuning part of %%learner --tune: run_tuning_cell binds NAME_ti and the tuned learner."""

from __future__ import annotations

import optuna
import pytest

import jupytorch as jt
from jupytorch import to_tune
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.notebook.cell_tuning import parse_spec, run_tuning_cell

optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_binds_the_instance_and_the_trained_tuned_learner():
    ns = {}
    learner = jt.lrn("regr.rpart", maxdepth=to_tune(1, 4), cp=to_tune(1e-3, 0.1, logscale=True))
    result = run_tuning_cell("tree", learner, jt.tsk("mtcars"), ns, n_evals=4, tuner="tpe seed=2",
                             resample="cv folds=2", measure="regr.rmse", seed=1)
    ti = ns["tree_ti"]
    assert len(ti.archive) == 4 and ti.resampling.iters == 2 and ti.measures[0].id == "regr.rmse"
    assert ns["tree"].is_trained
    assert ns["tree"].param_set.values["maxdepth"] == ti.result_learner_param_vals["maxdepth"]
    assert "Tuned 4 trials" in result.summary() and "tree_ti (TuningInstance)" in result.summary()


def test_errors_name_the_option():
    learner = jt.lrn("regr.rpart", maxdepth=to_tune(1, 4))
    with pytest.raises(InvalidParameterError, match="--tuner: .*Did you mean 'tpe'"):
        run_tuning_cell("t", learner, jt.tsk("mtcars"), {}, n_evals=2, tuner="tpx")
    with pytest.raises(InvalidParameterError, match="--measure"):
        run_tuning_cell("t", learner, jt.tsk("mtcars"), {}, n_evals=2, measure="regr.rmsee")
    with pytest.raises(InvalidParameterError, match="no to_tune"):
        run_tuning_cell("t", jt.lrn("regr.rpart"), jt.tsk("mtcars"), {}, n_evals=2)
    with pytest.raises(InvalidParameterError, match="key=value"):
        parse_spec("cv folds", "--resample")


def test_learner_cell_tune_option_binds_the_tuned_learner_and_the_instance():
    import optuna

    from jupytorch.notebook.cell import run_learner_cell

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    namespace: dict = {}
    result = run_learner_cell("tree --task mtcars --tune 3 --tuner 'random_search seed=1' --measure regr.rmse --seed 1",
                              'lrn("regr.rpart", maxdepth=to_tune(1, 4))', namespace)
    assert set(result.bound) == {"tree", "tree_ti"} and namespace["tree"].is_trained
    assert len(namespace["tree_ti"].archive) == 3
    assert 1 <= namespace["tree"].param_set.values["maxdepth"] <= 4


def test_learner_cell_tuner_without_tune_is_refused():
    import pytest

    from jupytorch.core.exceptions import CellError
    from jupytorch.notebook.cell import run_learner_cell

    with pytest.raises(CellError, match=r"--tuner: belongs to --tune N"):
        run_learner_cell("tree --task mtcars --tuner tpe", 'lrn("regr.rpart")', {})
