"""An Optuna study as the dashboard's data: resolving, trials, parameters, Pareto front, importance."""

from __future__ import annotations

import math

import optuna
import pytest

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.notebook._study_summary import (
    MAX_STEPS,
    param_importance,
    resolve_study,
    source_labels,
    summarize,
)

optuna.logging.set_verbosity(optuna.logging.WARNING)


def objective(trial):
    lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
    opt = trial.suggest_categorical("opt", ["adam", "sgd"])
    layers = trial.suggest_int("layers", 1, 4)
    trial.set_user_attr("internal_epochs", layers * 3)
    for step in range(5):
        trial.report(lr * (5 - step) + layers, step)
        if trial.number % 4 == 3 and step == 2:
            raise optuna.TrialPruned()
    return lr + (opt == "sgd") + layers * 0.01


def make_study(n=12, storage=None, name=None):
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0), storage=storage, study_name=name)
    study.optimize(objective, n_trials=n)
    return study


class Holder:
    def __init__(self, study):
        self.study = study


def test_resolve_study_from_study_holder_and_storage(tmp_path):
    study = make_study(3)
    assert resolve_study(study) is study and resolve_study(Holder(study)) is study
    url = f"sqlite:///{tmp_path / 'tune.db'}"
    make_study(2, storage=url, name="one")
    assert len(resolve_study(url).trials) == 2
    make_study(1, storage=url, name="two")
    with pytest.raises(InvalidParameterError, match="holds 2 studies.*study_name"):
        resolve_study(url)
    assert resolve_study(url, "two").study_name == "two"
    with pytest.raises(InvalidParameterError, match="cannot show a int"):
        resolve_study(3)


def test_trials_rows_params_and_best():
    study = make_study()
    s = summarize(study)
    assert len(s["trials"]) == 12 and s["directions"] == ["minimize"] and s["metric_names"] == ["value"]
    states = {row["state"] for row in s["trials"]}
    assert states == {"complete", "pruned"}
    row = s["trials"][0]
    assert set(row["params"]) == {"lr", "opt", "layers"} and row["user_attrs"]["internal_epochs"] == row["params"]["layers"] * 3
    assert row["duration_s"] >= 0 and [p[0] for p in row["intermediate"]] == [0, 1, 2, 3, 4]
    pruned = next(r for r in s["trials"] if r["state"] == "pruned")
    assert len(pruned["intermediate"]) == 3  # (optuna may keep the last reported value as its value)
    assert s["params"]["lr"] == {"kind": "float", "log": True, "low": 1e-4, "high": 1e-1}
    assert s["params"]["opt"] == {"kind": "categorical", "choices": ["adam", "sgd"]}
    assert s["best"]["number"] == study.best_trial.number and s["best"]["values"] == [study.best_value]


def test_long_intermediate_series_are_thinned_and_non_finite_values_dropped():
    study = optuna.create_study()

    def long(trial):
        for step in range(1000):
            trial.report(float("nan") if step == 5 else step, step)
        return math.inf

    study.optimize(long, n_trials=1)
    row = summarize(study)["trials"][0]
    assert len(row["intermediate"]) <= MAX_STEPS and row["intermediate"][-1] == [999, 999.0]
    assert row["values"] == [None]


def test_multi_objective_gives_the_pareto_front():
    study = optuna.create_study(directions=["minimize", "maximize"], sampler=optuna.samplers.RandomSampler(seed=1))
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("x2", 0, 1)), n_trials=15)
    s = summarize(study)
    assert s["directions"] == ["minimize", "maximize"] and s["best"] == {}
    assert sorted(s["pareto"]) == sorted(t.number for t in study.best_trials)
    assert s["metric_names"] == ["value 0", "value 1"]


def test_importance_names_the_parameter_that_matters():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(lambda t: 10 * t.suggest_float("big", 0, 1) + 0.01 * t.suggest_float("small", 0, 1), n_trials=30)
    imp = param_importance(study)
    assert max(imp, key=imp.get) == "big" and set(imp) == {"big", "small"}
    assert param_importance(optuna.create_study()) == {}


def test_a_tuning_instance_is_named_after_its_learner_and_measures_and_its_record_is_readable():
    import jupytorch as jt

    learner = jt.lrn("regr.rpart", cp=jt.to_tune(0.01, 0.1), maxdepth=jt.to_tune([1, 2]))
    ti = jt.tune(jt.tnr("grid_search"), jt.tsk("mtcars"), learner, jt.rsmp("holdout"),
                 [jt.msr("regr.rmse"), jt.msr("regr.mae")], term_evals=2, seed=1)
    assert source_labels(ti) == {"title": "Tuning regr.rpart on mtcars", "metric_names": ["regr.rmse", "regr.mae"]}
    assert source_labels(ti, "tree")["title"] == "Tuning tree on mtcars"
    assert source_labels(ti.study) == {}
    row = summarize(ti.study)["trials"][0]
    assert "jupytorch" in ti.study.trials[0].user_attrs
    assert "jupytorch" not in row["user_attrs"]  # not a column of raw JSON; scores and runtime are columns


def test_the_record_shows_internal_values_and_the_last_error():
    study = optuna.create_study()
    trial = study.ask()
    trial.set_user_attr("jupytorch", {"scores": {"classif.ce": 0.1}, "internal": {"epochs": 7}, "runtime": 1.5,
                                      "errors": ["ValueError: first", "ValueError: last"]})
    trial.set_user_attr("note", "kept")
    study.tell(trial, 0.1)
    assert summarize(study)["trials"][0]["user_attrs"] == {"epochs": 7, "error": "ValueError: last", "note": "kept"}
