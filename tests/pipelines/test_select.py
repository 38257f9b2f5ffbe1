"""po("select") and po("removeconstants"): the choice is made in training."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupytorch import as_task_regr, po, selector_grep, selector_type
from jupytorch.core.exceptions import TaskError


def test_select_by_type_and_remembers_choice(regr_task):
    op = po("select", selector=selector_type("numeric"))
    assert op.train([regr_task])[0].feature_names == ["x1", "x2"]
    assert op.state["features"] == ["x1", "x2"]
    renamed = as_task_regr(regr_task.data().rename(columns={"x1": "x1_new"}), target="y")
    with pytest.raises(TaskError, match="lacks the feature\\(s\\) \\['x1'\\]"):
        op.predict([renamed])
    extra = as_task_regr(regr_task.data().assign(x3=1.0), target="y")
    assert op.predict([extra])[0].feature_names == ["x1", "x2"]  # x3 matches the selector but was not chosen


def test_select_with_list_and_grep(regr_task):
    assert po("select", selector=["n", "f"]).train([regr_task])[0].feature_names == ["n", "f"]
    assert po("select", selector=selector_grep("2$")).train([regr_task])[0].feature_names == ["x2"]


def test_select_does_not_change_input(regr_task):
    po("select", selector=["n"]).train([regr_task])
    assert regr_task.feature_names == ["x1", "x2", "n", "f"]


def test_removeconstants():
    frame = pd.DataFrame({
        "const": [1.0] * 6,
        "almost": [1.0, 1.0 + 1e-12, 1.0, 1.0, 1.0, 1.0],
        "rare": ["a"] * 5 + ["b"],
        "nan_const": [np.nan, 2.0, 2.0, np.nan, 2.0, 2.0],
        "varies": np.arange(6, dtype=float),
        "y": np.arange(6, dtype=float),
    })
    task = as_task_regr(frame, target="y")
    op = po("removeconstants")
    assert op.train([task])[0].feature_names == ["rare", "varies"]
    assert op.state["removed"] == ["const", "almost", "nan_const"]
    assert op.predict([as_task_regr(frame.assign(const=np.arange(6.0)), target="y")])[0].feature_names == ["rare", "varies"]
    loose = po("removeconstants", ratio=0.2)
    assert loose.train([task])[0].feature_names == ["varies"]
    strict = po("removeconstants", na_ignore=False)
    assert "nan_const" in strict.train([task])[0].feature_names
