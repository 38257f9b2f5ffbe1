"""Imputers learn fill values from training rows and fill train and predict data with them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupytorch import as_task_regr, po
from jupytorch.core.exceptions import TaskError
from jupytorch.pipelines.impute import MISSING_LEVEL


def _predict_task():
    frame = pd.DataFrame({"x": [np.nan, 100.0], "k": pd.array([None, 7], dtype="Int64"),
                          "f": pd.Categorical([None, "a"]), "y": [0.0, 0.0]})
    return as_task_regr(frame, target="y", id="new")


def test_mean_and_median_from_training(missing_task):
    op = po("imputemean")
    out = op.train([missing_task])[0].data()
    assert out["x"].tolist() == [1.0, 3.5, 3.0, 4.0, 3.5, 6.0]
    assert op.state["values"]["k"] == 2.0  # mean 2.4 rounded for the integer column
    assert out["k"].tolist() == [1, 2, 2, 2, 2, 5] and out["f"].isna().sum() == 2  # factors untouched
    assert op.predict([_predict_task()])[0].data()["x"].tolist() == [3.5, 100.0]  # not the predict mean
    median = po("imputemedian")
    median.train([missing_task])
    assert median.state["values"] == {"x": 3.5, "k": 2.0}


def test_mode_for_factors_and_numbers(missing_task):
    op = po("imputemode")
    out = op.train([missing_task])[0].data()
    assert op.state["values"]["f"] == "a" and op.state["values"]["k"] == 2
    assert out["f"].tolist() == ["a", "a", "b", "b", "a", "a"]
    assert out["x"].notna().all()
    assert op.predict([_predict_task()])[0].data()["f"].tolist() == ["a", "a"]


def test_oor_numbers_below_range_and_factor_level(missing_task):
    op = po("imputeoor")
    out = op.train([missing_task])[0].data()
    assert op.state["values"]["x"] == 1.0 - 1.0 - 5.0
    assert out["x"].tolist()[1] == -5.0
    assert MISSING_LEVEL in out["f"].cat.categories and out["f"].tolist()[1] == MISSING_LEVEL
    predicted = op.predict([_predict_task()])[0].data()["f"]
    assert MISSING_LEVEL in predicted.cat.categories and predicted.tolist() == [MISSING_LEVEL, "a"]
    above = po("imputeoor", min=False, offset=0.0, multiplier=0.5)
    above.train([missing_task])
    assert above.state["values"]["x"] == 6.0 + 2.5


def test_oor_adds_level_even_without_missing_values(regr_task):
    out = po("imputeoor").train([regr_task])[0].data()["f"]
    assert MISSING_LEVEL in out.cat.categories


def test_constant(missing_task):
    from jupytorch import selector_type

    op = po("imputeconstant", constant="none", affect_columns=selector_type("factor"))
    assert op.train([missing_task])[0].data()["f"].tolist()[1] == "none"
    with pytest.raises(TaskError, match="cannot fill the numeric feature"):
        po("imputeconstant").train([missing_task])
    out = po("imputeconstant", constant=0, affect_columns=selector_type(["numeric", "integer"])).train([missing_task])[0]
    assert out.data()["x"].tolist()[1] == 0.0


def test_hist_draws_within_training_range_and_is_seedable(missing_task):
    op = po("imputehist")
    np.random.seed(3)
    out = op.train([missing_task])[0].data()
    assert out["x"].notna().all() and out["x"].between(1.0, 6.0).all()
    assert out["k"].notna().all() and out["k"].isin([1, 2, 3, 4, 5]).all()
    counts, breaks = op.state["histograms"]["x"]
    assert counts.sum() == 4 and breaks[0] == 1.0 and breaks[-1] == 6.0
    many = as_task_regr(pd.DataFrame({"x": [np.nan] * 200, "k": pd.array([1] * 200, dtype="Int64"),
                                      "f": pd.Categorical(["a"] * 200), "y": np.zeros(200)}), target="y")
    np.random.seed(0)
    first = op.predict([many])[0].data()["x"]
    np.random.seed(0)
    second = op.predict([many])[0].data()["x"]
    pd.testing.assert_series_equal(first, second)
    assert first.between(1.0, 6.0).all() and first.nunique() > 10


def test_column_without_missing_in_training_is_filled_at_predict(regr_task):
    op = po("imputemedian")
    op.train([regr_task])
    frame = regr_task.data().copy()
    frame.loc[0, "x1"] = np.nan
    out = op.predict([as_task_regr(frame, target="y")])[0]
    assert out.data()["x1"].iloc[0] == 4.5
