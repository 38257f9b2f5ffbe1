"""Torch learners check missing values only in the features their network reads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import jupytorch as jt
from jupytorch import nn, po
from jupytorch.core.exceptions import TaskError


def _task_with_missing_factor():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    colour = pd.Categorical(rng.choice(["red", "blue"], size=60))
    colour[:5] = np.nan
    y = np.where(x[:, 0] > 0, "pos", "neg")
    frame = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "colour": colour, "y": y})
    return jt.as_task_classif(frame, target="y", id="gaps")


def _graph():
    return (po("torch_ingress_num") >> nn("linear", out_features=4) >> nn("relu") >> nn("head")
            >> po("torch_model_classif", epochs=1, batch_size=16, seed=1))


def test_missing_values_in_unread_features_do_not_block_training():
    task = _task_with_missing_factor()
    learner = jt.as_learner(_graph()).train(task)
    assert learner.predict(task).response.notna().all()


def test_missing_values_in_read_features_are_still_rejected():
    task = _task_with_missing_factor()
    frame = task.data()
    frame.loc[frame.index[:3], "x2"] = np.nan
    task = jt.as_task_classif(frame, target="y", id="gaps")
    with pytest.raises(TaskError, match=r"missing values.*x2 \(3\)"):
        jt.as_learner(_graph()).train(task)
