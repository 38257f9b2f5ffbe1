"""po("encode") and po("fixfactors"): levels learned in training; unseen levels never crash."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupytorch import as_task_regr, po


def _task(values, **extra):
    frame = pd.DataFrame({"c": pd.Categorical(values), "y": np.arange(len(values), dtype=float), **extra})
    return as_task_regr(frame, target="y", id="enc")


def test_one_hot_and_unseen_levels():
    op = po("encode")
    out = op.train([_task(["a", "b", "c", "a"])])[0]
    assert out.feature_names == ["c.a", "c.b", "c.c"]
    assert out.data()["c.a"].tolist() == [1.0, 0.0, 0.0, 1.0]
    test = _task(["z", "b", None])
    predicted = op.predict([test])[0].data(cols=["c.a", "c.b", "c.c"])
    assert predicted.iloc[0].tolist() == [0.0, 0.0, 0.0]  # unseen level: all zeros
    assert predicted.iloc[1].tolist() == [0.0, 1.0, 0.0]
    assert predicted.iloc[2].isna().all()  # missing stays missing


def test_levels_come_from_training_even_if_predict_has_other_categories():
    op = po("encode", method="treatment")
    op.train([_task(["a", "b", "c"])])
    assert list(op.state["contrasts"]["c"].columns) == ["c.b", "c.c"]
    predicted = op.predict([_task(["c", "q"])])[0]
    assert predicted.feature_names == ["c.b", "c.c"]
    assert predicted.data()[["c.b", "c.c"]].to_numpy().tolist() == [[0.0, 1.0], [0.0, 0.0]]


def test_numeric_columns_untouched_and_characters_encoded():
    frame = pd.DataFrame({"s": ["u", "v", "u"], "x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 3.0]})
    out = po("encode").train([as_task_regr(frame, target="y")])[0]
    assert out.feature_names == ["x", "s.u", "s.v"]


@pytest.mark.parametrize("method,n_cols", [("one-hot", 3), ("treatment", 2), ("helmert", 2), ("sum", 2), ("poly", 2)])
def test_every_method_runs(method, n_cols):
    op = po("encode", method=method)
    out = op.train([_task(["a", "b", "c"])])[0]
    assert len(out.feature_names) == n_cols
    assert op.predict([_task(["b", "new"])])[0].data().notna().all().all()


def test_fixfactors_drops_unseen_and_keeps_training_levels():
    op = po("fixfactors")
    train = _task(["a", "b", "a"])
    train_frame = train.data().copy()
    train_frame["c"] = train_frame["c"].cat.add_categories(["unused"])
    train = as_task_regr(train_frame, target="y")
    out = op.train([train])[0]
    assert list(out.data()["c"].cat.categories) == ["a", "b"]  # droplevels
    predicted = op.predict([_task(["b", "zz"])])[0].data()["c"]
    assert list(predicted.cat.categories) == ["a", "b"]
    assert predicted.tolist()[0] == "b" and pd.isna(predicted.tolist()[1])


def test_fixfactors_without_droplevels_keeps_unused():
    frame = pd.DataFrame({"c": pd.Categorical(["a"], categories=["a", "b"]), "y": [1.0]})
    op = po("fixfactors", droplevels=False)
    op.train([as_task_regr(frame, target="y")])
    assert op.state["levels"]["c"] == ["a", "b"]
