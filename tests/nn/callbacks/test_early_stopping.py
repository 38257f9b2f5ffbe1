"""Early stopping (jupytorch/nn/callbacks/early_stopping.py): the learner adds it with patience > 0."""

from __future__ import annotations

import math
from types import SimpleNamespace

import torch

import jupytorch as jt
from jupytorch.core.measure import Measure
from jupytorch.nn.callbacks.early_stopping import CallbackEarlyStopping

from ..conftest import make_regr, mlp


def _scripted(values):
    scores = iter(values)
    return Measure("regr.scripted", "regr", lambda p: next(scores), minimize=True)


def _evaluate(cb, *scores, minimize=True):
    """Run ``cb`` by hand on one validation score per epoch; returns the epochs after which it stopped training."""
    network = torch.nn.Linear(1, 1)
    cb.ctx = SimpleNamespace(measures_valid=[Measure("m", "regr", lambda p: 0.0, minimize=minimize)], network=network,
                             epoch=0, terminate=False, last_scores_valid=None)
    cb.on_begin()
    stops = []
    for epoch, score in enumerate(scores, start=1):
        cb.ctx.epoch, cb.ctx.terminate = epoch, False
        cb.ctx.last_scores_valid = None if score is None else {"m": score}
        cb.on_valid_end()
        if cb.ctx.terminate:
            stops.append(epoch)
    return stops


def test_early_stopping_picks_the_best_epoch():
    snapshots = {}
    watcher = jt.torch_callback("watcher", on_epoch_end=lambda cb: snapshots.__setitem__(
        cb.ctx.epoch, {k: v.clone() for k, v in cb.ctx.network.state_dict().items()}))
    learner = mlp("regr", epochs=20, patience=2, restore_best_weights=True, callbacks=[watcher, jt.t_clbk("history")],
                  measures_valid=_scripted([5.0, 4.0, 3.0, 3.5, 3.0, 9.0, 1.0])).configure(validate=0.3)
    learner.train(make_regr())
    assert learner.model.epochs == 5  # epochs 4 and 5 did not improve on epoch 3 (3.0 is not better than 3.0)
    assert learner.internal_tuned_values == {"epochs": 3}
    assert learner.internal_valid_scores == {"regr.scripted": 3.0}
    assert learner.model.callbacks["history"]["valid.regr.scripted"].tolist() == [5.0, 4.0, 3.0, 3.5, 3.0]
    final = learner.model.network.state_dict()
    assert all(torch.equal(final[k], snapshots[3][k]) for k in final)  # best weights restored


def test_early_stopping_min_delta_and_maximized_measures():
    scores = iter([0.5, 0.6, 0.65, 0.64, 0.9])
    measure = Measure("regr.up", "regr", lambda p: next(scores), minimize=False)
    learner = mlp("regr", epochs=10, patience=2, min_delta=0.06, measures_valid=measure).configure(validate=0.3)
    learner.train(make_regr())
    assert learner.internal_tuned_values == {"epochs": 2} and learner.model.epochs == 4


def test_nan_scores_are_no_improvement():
    learner = mlp("regr", epochs=20, patience=2, measures_valid=_scripted([5.0, math.nan, 4.0, math.nan, math.nan, 1.0]))
    learner.configure(validate=0.3).train(make_regr())
    assert learner.model.epochs == 5 and learner.internal_tuned_values == {"epochs": 3}
    assert learner.internal_valid_scores == {"regr.scripted": 4.0}


def test_the_state_is_kept_without_a_second_copy_of_the_weights():
    learner = mlp("regr", epochs=20, patience=1, restore_best_weights=True, measures_valid=_scripted([2.0, 1.0, 1.5]))
    learner.configure(validate=0.3).train(make_regr())
    state = learner.model.callbacks["early_stopping"]
    assert state == {"best_score": 1.0, "best_epoch": 2, "stagnation": 1, "best_scores": {"regr.scripted": 1.0},
                     "best_state": None}  # the best weights are the network's now


def test_without_restore_the_network_keeps_the_last_weights():
    snapshots = {}
    watcher = jt.torch_callback("watcher", on_epoch_end=lambda cb: snapshots.__setitem__(
        cb.ctx.epoch, {k: v.clone() for k, v in cb.ctx.network.state_dict().items()}))
    learner = mlp("regr", epochs=20, patience=1, callbacks=watcher, measures_valid=_scripted([2.0, 1.0, 1.5]))
    learner.configure(validate=0.3).train(make_regr())
    assert learner.model.epochs == 3 and learner.model.best_epoch == 2
    final = learner.model.network.state_dict()
    assert all(torch.equal(final[k], snapshots[3][k]) for k in final)


def test_patience_zero_adds_no_early_stopping():
    learner = mlp("regr", epochs=3, measures_valid=jt.msr("regr.mse")).configure(validate=0.3).train(make_regr())
    assert "early_stopping" not in learner.model.callbacks
    assert learner.model.epochs == 3 and learner.internal_tuned_values is None


def test_patience_counts_evaluations_without_improvement():
    assert _evaluate(CallbackEarlyStopping(patience=3), 3.0, 2.0, 2.5, 2.1, 2.0, 1.0) == [5]
    assert _evaluate(CallbackEarlyStopping(patience=1), 3.0, 2.0, 2.5) == [3]
    assert _evaluate(CallbackEarlyStopping(patience=2), 1.0, 2.0, 3.0, minimize=False) == []
    missing = CallbackEarlyStopping(patience=2)
    assert _evaluate(missing, None, None) == [2] and missing.best_epoch is None  # no score is no improvement


def test_min_delta_is_in_the_measure_direction():
    down = CallbackEarlyStopping(patience=1, min_delta=0.5)
    assert _evaluate(down, 3.0, 2.6) == [2] and down.best_score == 3.0
    up = CallbackEarlyStopping(patience=1, min_delta=0.5)
    assert _evaluate(up, 1.0, 1.6, 1.9, minimize=False) == [3] and (up.best_epoch, up.best_score) == (2, 1.6)


def test_the_state_round_trips_for_resume():
    cb = CallbackEarlyStopping(patience=3, restore_best_weights=True)
    _evaluate(cb, 3.0, 2.0, 2.5)
    state = cb.state_dict()
    assert (state["best_score"], state["best_epoch"], state["stagnation"]) == (2.0, 2, 1)
    assert set(state["best_state"]) == {"weight", "bias"}
    resumed = CallbackEarlyStopping(patience=3)
    resumed.load_state_dict(state)
    assert resumed.state_dict() == state
    untouched = CallbackEarlyStopping()
    untouched.load_state_dict(None)  # a checkpoint written without early stopping
    assert (untouched.best_score, untouched.best_epoch, untouched.stagnation) == (None, None, 0)


def test_it_runs_after_the_user_callbacks():
    assert CallbackEarlyStopping.weight > jt.Callback.weight and CallbackEarlyStopping().id == "early_stopping"
