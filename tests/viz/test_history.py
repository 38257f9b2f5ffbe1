"""Training-history figures: from a DataFrame, a trained learner, or a GraphLearner."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError, NotTrainedError
from jupytorch.viz import _history


def test_history_info_from_a_dataframe(history):
    info = _history._get_history_info(history)
    assert info.measures == ("classif.logloss", "classif.acc")
    assert info.n_epochs == 3
    assert [(c.measure, c.split) for c in info.curves] == [
        ("classif.logloss", "train"),
        ("classif.logloss", "valid"),
        ("classif.acc", "train"),
    ]
    valid = info.curves[1]
    assert valid.epochs.tolist() == [1.0, 2.0] and valid.values.tolist() == [1.0, 0.7]  # NaN epochs left out


def test_measure_selects_curves(history):
    info = _history._get_history_info(history, measure=jt.msr("classif.acc"))
    assert info.measures == ("classif.acc",) and len(info.curves) == 1
    with pytest.raises(InvalidParameterError, match=r"measure 'classif.logloos' is not in the history.*Did you mean 'classif.logloss'"):
        _history._get_history_info(history, measure="classif.logloos")


def test_training_loss_is_the_first_measure():
    frame = pd.DataFrame({"epoch": [1, 2], "train.regr.mae": [2.0, 1.0], "train_loss": [4.0, 1.0], "valid_loss": [5.0, 3.0]})
    info = _history._get_history_info(frame)
    assert info.measures == ("loss", "regr.mae")
    assert [(c.measure, c.split, c.values.tolist()) for c in info.curves[:2]] == [
        ("loss", "train", [4.0, 1.0]),
        ("loss", "valid", [5.0, 3.0]),
    ]
    only_loss = _history._get_history_info(frame[["epoch", "train_loss"]], measure="loss")
    assert only_loss.measures == ("loss",) and len(only_loss.curves) == 1


def test_history_needs_epochs_and_measures():
    with pytest.raises(InvalidParameterError, match="needs an 'epoch' column"):
        _history._get_history_info(pd.DataFrame({"loss": [1.0]}))
    with pytest.raises(InvalidParameterError, match="records no measures"):
        _history._get_history_info(pd.DataFrame({"epoch": [1, 2]}))


def test_history_found_in_a_trained_learner(history_learner):
    learner = history_learner().train(jt.tsk("mtcars"))
    info = _history._get_history_info(learner)
    assert info.measures == ("regr.mse", "regr.mae")
    train = info.curves[0]
    assert train.split == "train" and train.values.tolist() == pytest.approx([10.0, 5.0, 10 / 3, 2.5])


def test_history_found_inside_a_graph_learner(history_learner):
    graph_learner = jt.as_learner(jt.po("scale") >> history_learner(epochs=2))
    graph_learner.train(jt.tsk("mtcars"))
    found = _history.find_history(graph_learner)
    assert found is not None
    frame, where = found
    assert frame["epoch"].tolist() == [1, 2]
    assert "history_stub" in where


def test_untrained_and_historyless_learners_are_named(history_learner):
    with pytest.raises(NotTrainedError, match="learner 'regr.history_stub' has not been trained"):
        _history._get_history_info(history_learner())
    rpart = jt.lrn("regr.rpart").train(jt.tsk("mtcars"))
    with pytest.raises(InvalidParameterError, match="learner 'regr.rpart' holds no training history.*t_clbk"):
        _history._get_history_info(rpart)


def test_history_figure_one_panel_per_measure(history):
    figure = _history._build_history_figure(_history._get_history_info(history))
    assert [t.type for t in figure.data] == ["scatter"] * 3
    assert [t.name for t in figure.data] == ["train", "valid", "train"]
    assert [t.showlegend for t in figure.data] == [True, True, False]  # one legend entry per split
    assert {t.xaxis for t in figure.data} == {"x", "x2"}  # two panels
    assert np.asarray(figure.data[0].y).tolist() == [0.9, 0.6, 0.4]


def test_history_of_a_real_torch_learner_and_its_graph_learner():
    import torch

    from jupytorch.nn.callbacks.history import CallbackHistory
    from jupytorch.nn.learners.mlp import LearnerTorchMLP

    def mlp():
        learner = LearnerTorchMLP("classif", loss=torch.nn.CrossEntropyLoss, optimizer=torch.optim.Adam,
                                  callbacks=[CallbackHistory()])
        return learner.configure(epochs=3, batch_size=32, device="cpu", seed=1, measures_valid=jt.msr("classif.ce"),
                                 validate=0.3)

    learner = mlp().train(jt.tsk("iris"))
    info = _history._get_history_info(learner)
    recorded = learner.model.callbacks["history"]
    assert info.measures == ("loss", "classif.ce") and info.n_epochs == 3
    assert info.curves[0].values.tolist() == pytest.approx(recorded["train_loss"].tolist())
    # loss panel: train and valid loss; classif.ce panel: valid only
    assert [t.name for t in _history._build_history_figure(info).data] == ["train", "valid", "valid"]
    assert info.curves[1].values.tolist() == pytest.approx(recorded["valid_loss"].tolist())
    graph_learner = jt.as_learner(jt.po("scale") >> mlp()).train(jt.tsk("iris"))
    assert _history._get_history_info(graph_learner).n_epochs == 3
