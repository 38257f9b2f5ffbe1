"""The per-frame NaN/inf facts that let train() skip scanning the rows of clean columns."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

import jupytorch as jt
from jupytorch.core import column_facts as facts_module
from jupytorch.core.column_facts import column_facts
from jupytorch.core.exceptions import TaskError


def test_facts_cover_all_rows_and_every_dtype():
    frame = pd.DataFrame({
        "clean": [1.0, 2.0, 3.0],
        "nan": [1.0, np.nan, 3.0],
        "inf": [1.0, -np.inf, 3.0],
        "int": pd.array([1, None, 3], dtype="Int64"),
        "text": ["a", None, "c"],
        "flag": [True, False, True],
    })
    facts = column_facts(frame, list(frame.columns))
    assert facts.with_nan(list(frame.columns)) == ["nan", "int", "text"]
    assert facts.with_inf(list(frame.columns)) == ["inf"]


def test_facts_are_kept_per_frame_and_die_with_it():
    frame = pd.DataFrame({"a": [1.0, np.nan]})
    column_facts(frame, ["a"])
    key = id(frame)
    assert key in facts_module._facts
    del frame
    gc.collect()
    assert key not in facts_module._facts


def test_a_view_without_the_bad_rows_trains_and_one_with_them_names_the_column():
    frame = pd.DataFrame({"x": [1.0, 2.0, np.inf, 4.0, 5.0, 6.0], "z": [0.0] * 6, "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    task = jt.as_task_regr(frame, target="y", id="spiky")
    jt.lrn("regr.lm").train(task, row_ids=[0, 1, 3, 4, 5])  # the inf row is not in this view
    with pytest.raises(TaskError, match=r"task 'spiky' has them in x \(1\)"):
        jt.lrn("regr.lm").train(task, row_ids=[1, 2, 3])


def test_featureless_learners_ignore_bad_feature_values():
    frame = pd.DataFrame({"x": [np.inf, np.nan, 1.0, 2.0], "y": [1.0, 2.0, 3.0, 4.0]})
    task = jt.as_task_regr(frame, target="y", id="odd")
    assert jt.lrn("regr.featureless").train(task).predict(task).response.tolist() == [2.5] * 4
