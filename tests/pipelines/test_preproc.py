"""PipeOpTaskPreproc: affected columns, column placement, validation data, predict checks."""

from __future__ import annotations

import pandas as pd
import pytest

from jupytorch.core.exceptions import TaskError
from jupytorch.core.paramset import ParamSet
from jupytorch.core.task import Task
from jupytorch.pipelines.preproc import PipeOpTaskPreproc
from jupytorch.pipelines.selectors import selector_name


class Double(PipeOpTaskPreproc):
    """Doubles numeric columns; remembers how many rows it saw in training."""

    feature_types = ("numeric",)

    def __init__(self, id: str = "double", param_vals=None):
        super().__init__(id, param_set=ParamSet(), param_vals=param_vals)

    def _train_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        self.state["n"] = len(df)
        return self._predict_dt(df, task)

    def _predict_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        return df * 2


class Expand(Double):
    """Returns new column names (so the output goes after the untouched features)."""

    def _predict_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        return (df * 2).add_suffix("_x2")


def test_only_handled_types_and_selected_columns_change(regr_task):
    out = Double().train([regr_task])[0]
    assert out.feature_names == regr_task.feature_names  # same names keep their places
    assert out.data()["x1"].tolist()[:2] == [2.0, 4.0] and out.data()["n"].tolist()[:2] == [1, 1]
    op = Double(param_vals={"affect_columns": selector_name(["x2", "n"])})
    out = op.train([regr_task])[0]
    assert out.data()["x1"].iloc[0] == 1.0 and out.data()["x2"].iloc[0] == 4.0
    assert op.state["affected_cols"] == ["x2"]


def test_new_names_go_after_untouched_features(regr_task):
    out = Expand().train([regr_task])[0]
    assert out.feature_names == ["n", "f", "x1_x2", "x2_x2"]


def test_input_task_is_not_changed(regr_task):
    before = regr_task.data().copy()
    Double().train([regr_task])
    pd.testing.assert_frame_equal(regr_task.data(), before)


def test_predict_needs_the_training_columns(regr_task):
    op = Double()
    op.train([regr_task])
    smaller = regr_task.clone().select(["x1", "n"])
    with pytest.raises(TaskError, match="PipeOp 'double': task 'toy_regr' lacks the feature\\(s\\) \\['x2'\\]"):
        op.predict([smaller])


def test_internal_valid_task_is_transformed_like_predict_data(regr_task):
    task = regr_task.clone()
    task.internal_valid_task = [6, 7]
    op = Double()
    out = op.train([task])[0]
    assert op.state["n"] == 6  # learned from the training rows only
    assert out.internal_valid_task.data()["x1"].tolist() == [14.0, 16.0]
    assert task.internal_valid_task.data()["x1"].tolist() == [7.0, 8.0]


def test_no_affected_columns_passes_task_through(regr_task):
    op = Double(param_vals={"affect_columns": selector_name([])})
    out = op.train([regr_task])[0]
    assert out is regr_task and op.predict([regr_task])[0] is regr_task


def test_affect_columns_must_be_a_selector():
    with pytest.raises(Exception, match="must be a selector"):
        Double(param_vals={"affect_columns": 3})


def test_row_ids_are_kept(regr_task):
    task = regr_task.clone().filter([5, 2, 7])
    out = Double().train([task])[0]
    assert list(out.row_ids) == [5, 2, 7] and out.data()["x1"].tolist() == [12.0, 6.0, 16.0]
