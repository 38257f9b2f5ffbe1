"""lr_find: the learning-rate range test on a copy of the learner, and its suggestions."""

from __future__ import annotations

import numpy as np
import pytest

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.nn.lr_find import LRFindResult, lr_find, suggest_rates

from .conftest import mlp


def test_rates_rise_exponentially_and_the_user_learner_is_untouched(task_multi):
    learner = mlp(epochs=3)
    before = dict(learner.param_set.values)
    result = lr_find(learner, task_multi, start_lr=1e-5, end_lr=1.0, num_steps=30, diverge=1e9)
    assert isinstance(result, LRFindResult) and len(result.lr) == 30 and not result.stopped_early
    assert result.lr[0] == pytest.approx(1e-5) and result.lr[-1] == pytest.approx(1.0)
    ratios = result.lr[1:] / result.lr[:-1]
    assert np.allclose(ratios, ratios[0])
    assert learner.state is None and learner.param_set.values == before
    assert [cb.id for cb in learner.callbacks] == []
    frame = result.as_frame()
    assert list(frame.columns) == ["step", "lr", "loss", "smoothed"] and len(frame) == 30


def test_divergence_stops_the_test(task_multi):
    # SGD at huge rates blows the loss up: the test ends before num_steps
    learner = mlp(epochs=1, optimizer=jt.t_opt("sgd", lr=0.1))
    result = lr_find(learner, task_multi, start_lr=1e-3, end_lr=1e6, num_steps=200)
    assert result.stopped_early and len(result.lr) < 200
    assert "diverged" in repr(result)


def test_a_ddp_learner_is_probed_in_one_process(task_multi, monkeypatch):
    def no_processes(*args):
        raise AssertionError("lr_find started a ddp training")

    monkeypatch.setattr("jupytorch.nn.distributed.fit_distributed", no_processes)
    learner = mlp(epochs=1, strategy="ddp", devices=2, device="cpu")
    result = lr_find(learner, task_multi, num_steps=20)
    assert len(result.lr) == 20 and learner.param_set.values["strategy"] == "ddp"


def test_same_seed_same_curve(task_multi):
    a = lr_find(mlp(epochs=1), task_multi, num_steps=20)
    b = lr_find(mlp(epochs=1), task_multi, num_steps=20)
    assert np.array_equal(a.loss, b.loss)


def test_graph_learners_and_suggestions(task_multi):
    graph_learner = jt.as_learner(jt.po("scale") >> mlp(epochs=1))
    result = lr_find(graph_learner, task_multi, num_steps=25)
    assert len(result.lr) >= 5 and result.learner_id == graph_learner.id and graph_learner.state is None
    assert set(result.suggestions) == {"steep", "valley"}


def test_suggestions_on_a_known_curve():
    lr = np.logspace(-6, 1, 100)
    loss = 2.0 - 1.5 / (1 + np.exp(-3 * (np.log10(lr) + 3))) + np.where(lr > 1e-1, 50 * (lr - 1e-1), 0)
    rates = suggest_rates(lr, loss)
    assert rates["steep"] == pytest.approx(1e-3, rel=0.6)  # the sigmoid falls fastest at 1e-3
    assert 1e-3 < rates["valley"] < 1e-1
    assert suggest_rates(lr[:2], loss[:2]) == {"steep": None, "valley": None}


def test_mistakes_are_caught_before_training(task_multi):
    with pytest.raises(InvalidParameterError, match="not a torch learner"):
        lr_find(jt.lrn("classif.rpart"), task_multi)
    with pytest.raises(InvalidParameterError, match="start_lr < end_lr"):
        lr_find(mlp(), task_multi, start_lr=1.0, end_lr=0.1)
    with pytest.raises(InvalidParameterError, match="num_steps"):
        lr_find(mlp(), task_multi, num_steps=2)
    with pytest.raises(InvalidParameterError, match="no batch_size"):  # required, without a default
        lr_find(jt.lrn("classif.mlp", epochs=1), task_multi)


