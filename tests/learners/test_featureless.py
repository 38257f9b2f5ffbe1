"""classif.featureless and regr.featureless."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupytorch import as_task_classif, lrn, tsk


def test_classif_mode_predicts_the_most_frequent_class():
    task = tsk("penguins")
    pred = lrn("classif.featureless").train(task).predict(task)
    assert set(pred.response) == {"Adelie"}  # 152 of 344


def test_classif_prob_are_training_frequencies_in_class_order():
    task = tsk("penguins")
    prob = lrn("classif.featureless", predict_type="prob").train(task).predict(task, row_ids=[0, 1]).prob
    assert list(prob.columns) == ["Adelie", "Chinstrap", "Gentoo"]
    np.testing.assert_allclose(prob.iloc[0], np.array([152, 68, 124]) / 344)


def test_classif_mode_ties_go_to_the_first_class():
    df = pd.DataFrame({"x": range(4), "y": pd.Categorical(["b", "a", "b", "a"], categories=["b", "a"])})
    task = as_task_classif(df, target="y")
    assert set(lrn("classif.featureless").train(task).predict(task).response) == {"b"}


def test_classif_sample_methods_draw_reproducibly():
    task = tsk("iris")
    learner = lrn("classif.featureless", method="sample").train(task)
    np.random.seed(3)
    a = learner.predict(task).response.tolist()
    np.random.seed(3)
    b = learner.predict(task).response.tolist()
    assert a == b and len(set(a)) == 3
    learner.configure(predict_type="prob")
    np.testing.assert_allclose(learner.predict(task).prob.to_numpy(), 1 / 3)


def test_classif_weighted_sample_follows_frequencies():
    df = pd.DataFrame({"x": range(100), "y": ["a"] * 90 + ["b"] * 10})
    task = as_task_classif(df, target="y")
    learner = lrn("classif.featureless", method="weighted.sample").train(task)
    np.random.seed(1)
    big = as_task_classif(pd.concat([df] * 50, ignore_index=True), target="y")
    share = (learner.predict(big).response == "a").mean()
    assert 0.85 < share < 0.95


def test_regr_mean_and_sd():
    task = tsk("mtcars")
    learner = lrn("regr.featureless", predict_type="se").train(task)
    pred = learner.predict(task)
    y = task.truth().to_numpy()
    np.testing.assert_allclose(pred.response, y.mean())
    np.testing.assert_allclose(pred.se, np.std(y, ddof=1))
    assert pred.se.iloc[0] == pytest.approx(6.026948, abs=1e-6)  # sd(mtcars$mpg) in R


def test_regr_robust_median_and_mad():
    task = tsk("mtcars")
    pred = lrn("regr.featureless", robust=True, predict_type="se").train(task).predict(task)
    assert pred.response.iloc[0] == pytest.approx(19.2)  # median(mtcars$mpg)
    assert pred.se.iloc[0] == pytest.approx(5.41149, abs=1e-5)  # mad(mtcars$mpg)


def test_featureless_ignores_feature_types_and_missing_values():
    task = tsk("california_housing")
    learner = lrn("regr.featureless").train(task, row_ids=range(100))
    assert learner.importance().eq(0).all()
    assert list(learner.importance().index) == task.feature_names
