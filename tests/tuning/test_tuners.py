"""Every tuner and terminator on a tiny problem."""

from __future__ import annotations

import pytest

import jupytorch as jt
from jupytorch import to_tune
from jupytorch.core.exceptions import InvalidParameterError, UnknownKeyError

from .conftest import mlp


def _rpart():
    return jt.lrn("regr.rpart", cp=to_tune(1e-3, 0.2, logscale=True), maxdepth=to_tune(1, 4))


@pytest.mark.parametrize("key", ["random_search", "tpe", "mbo", "cmaes"])
def test_each_sampling_tuner_runs_and_is_seeded(key, task):
    runs = [jt.tune(jt.tnr(key, seed=3), task, _rpart(), jt.rsmp("holdout"), jt.msr("regr.rmse"), term_evals=5, seed=1)
            for _ in range(2)]
    archives = [ti.archive[["cp", "maxdepth", "regr.rmse"]] for ti in runs]
    assert len(archives[0]) == 5 and (runs[0].archive["state"] == "COMPLETE").all()
    assert archives[0].equals(archives[1])  # same seed, same archive
    assert archives[0]["cp"].between(1e-3, 0.2).all() and archives[0]["maxdepth"].between(1, 4).all()


def test_grid_search_visits_the_grid_and_stops_by_itself(task):
    tuner = jt.tnr("grid_search", resolution=3, param_resolutions={"maxdepth": 2}, seed=1)
    ti = jt.tune(tuner, task, _rpart(), jt.rsmp("holdout"), jt.msr("regr.rmse"), seed=1)
    configs = {(round(c, 6), d) for c, d in zip(ti.archive["cp"], ti.archive["maxdepth"])}
    assert len(ti.archive) == 6 and len(configs) == 6
    assert {d for _, d in configs} == {1, 4}


def test_internal_tuner_needs_only_internal_tokens(task):
    with pytest.raises(InvalidParameterError, match="only runs internal tuning"):
        jt.tune(jt.tnr("internal"), task, _rpart(), jt.rsmp("holdout"), jt.msr("regr.rmse"))
    learner = mlp(epochs=to_tune(upper=4, internal=True), patience=1)
    ti = jt.tune(jt.tnr("internal"), task, learner, jt.rsmp("holdout"), jt.msr("regr.rmse"), seed=1)
    assert len(ti.archive) == 1
    assert 1 <= ti.result_learner_param_vals["epochs"] <= 4


def test_unknown_keys_suggest_names():
    with pytest.raises(UnknownKeyError, match="Did you mean 'tpe'"):
        jt.tnr("tpf")
    with pytest.raises(UnknownKeyError, match="Did you mean 'evals'"):
        jt.trm("eval")
    assert {"random_search", "grid_search", "tpe", "mbo", "cmaes", "internal"} <= set(jt.tnrs()["key"])
    assert {"evals", "run_time", "stagnation", "perf_reached", "none", "combo"} <= set(jt.trms()["key"])


def test_tune_needs_a_terminator(task):
    with pytest.raises(InvalidParameterError, match="term_evals"):
        jt.tune(jt.tnr("tpe"), task, _rpart(), jt.rsmp("holdout"), jt.msr("regr.rmse"))


def _tune(task, learner, terminator, **kw):
    return jt.tune(jt.tnr("random_search", seed=1), task, learner, jt.rsmp("holdout"), jt.msr("regr.rmse"),
                   terminator=terminator, seed=1, **kw)


def test_terminator_evals_and_combo(task):
    assert len(_tune(task, _rpart(), jt.trm("evals", n_evals=3)).archive) == 3
    combo = jt.trm("combo", terminators=[jt.trm("evals", n_evals=2), jt.trm("evals", n_evals=4)])
    assert len(_tune(task, _rpart(), combo).archive) == 2
    combo_all = jt.trm("combo", terminators=[jt.trm("evals", n_evals=2), jt.trm("evals", n_evals=4)], any=False)
    assert len(_tune(task, _rpart(), combo_all).archive) == 4


def test_terminator_run_time_stops(task):
    ti = _tune(task, _rpart(), jt.trm("run_time", secs=0))
    assert len(ti.archive) == 0
    ti = jt.tune(jt.tnr("random_search", seed=1), task, _rpart(), jt.rsmp("holdout"), jt.msr("regr.rmse"),
                 term_time=0.5, term_evals=1000, seed=1)
    assert 1 <= len(ti.archive) < 1000


def test_terminator_perf_reached(task, shift):
    shift.param_set.set_values(shift=to_tune(-5, 5))
    ti = _tune(task, shift, jt.trm("combo", terminators=[jt.trm("perf_reached", level=3.5), jt.trm("evals", n_evals=200)]))
    values = ti.archive["regr.rmse"].tolist()
    assert values[-1] <= 3.5 and all(v > 3.5 for v in values[:-1])


def test_terminator_stagnation(task, shift):
    shift.param_set.set_values(shift=to_tune([0.0, 1.0, 2.0]))  # nothing can improve on 0.0 for long
    ti = _tune(task, shift, jt.trm("combo", terminators=[jt.trm("stagnation", iters=3), jt.trm("evals", n_evals=50)]))
    assert len(ti.archive) < 50


def test_terminator_none_never_stops():
    assert jt.trm("none").is_terminated(None) is False
