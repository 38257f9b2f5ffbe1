"""classif.rpart / regr.rpart: rpart's parameters mapped onto scikit-learn's trees."""

from __future__ import annotations

import numpy as np
import pytest

from jupytorch import lrn, tsk
from jupytorch.core.exceptions import InvalidParameterError


def test_defaults_follow_rpart():
    model = lrn("regr.rpart").train(tsk("mtcars")).model
    assert (model.max_depth, model.min_samples_split, model.min_samples_leaf) == (30, 20, 7)
    y = tsk("mtcars").truth().to_numpy()
    assert model.ccp_alpha == pytest.approx(0.01 * np.var(y))


def test_maxdepth_one_gives_a_stump():
    learner = lrn("classif.rpart", maxdepth=1).train(tsk("iris"))
    assert learner.model.get_depth() == 1 and learner.model.get_n_leaves() == 2
    assert learner.predict(tsk("iris")).response.nunique() == 2


@pytest.mark.parametrize(
    ("values", "expected"),
    [({"minsplit": 30}, (30, 10)), ({"minbucket": 5}, (15, 5)), ({"minsplit": 10, "minbucket": 2}, (10, 2)), ({"minsplit": 1}, (2, 1))],
)
def test_minsplit_and_minbucket_derive_each_other_like_rpart(values, expected):
    model = lrn("regr.rpart", **values).train(tsk("mtcars")).model
    assert (model.min_samples_split, model.min_samples_leaf) == expected


def test_cp_one_prunes_to_the_root_and_cp_zero_grows_more():
    task = tsk("mtcars")
    root = lrn("regr.rpart", cp=1.0).train(task)
    assert root.model.get_n_leaves() == 1
    np.testing.assert_allclose(root.predict(task).response, task.truth().mean())
    big = lrn("regr.rpart", cp=0.0, minsplit=2, minbucket=1).train(task)
    assert big.model.get_n_leaves() > lrn("regr.rpart").train(task).model.get_n_leaves()


def test_classif_cp_scales_with_gini_of_the_root():
    model = lrn("classif.rpart", cp=0.1).train(tsk("iris")).model
    assert model.ccp_alpha == pytest.approx(0.1 * (1 - 3 * (1 / 3) ** 2))


def test_iris_tree_like_rpart():
    # rpart(Species ~ ., iris) has 3 leaves and misclassifies 6 of 150 flowers; scikit-learn prunes
    # on Gini impurity, not on misclassification, and keeps one more split that changes no label
    learner = lrn("classif.rpart").train(tsk("iris"))
    assert learner.model.get_n_leaves() in (3, 4)
    assert learner.predict(tsk("iris")).score("classif.ce") == pytest.approx(6 / 150)


def test_importance_is_one_value_per_feature(california_small):
    learner = lrn("regr.rpart").train(california_small)
    imp = learner.importance()
    assert set(imp.index) == set(california_small.feature_names)
    assert imp.sum() == pytest.approx(1.0)
    assert imp.is_monotonic_decreasing
    assert imp.index[0] == "median_income"


def test_invalid_parameters_are_rejected_with_the_range():
    with pytest.raises(InvalidParameterError, match=r"'maxdepth' must be an integer in \[1, 30\]"):
        lrn("regr.rpart", maxdepth=31)


def test_training_is_deterministic(california_small):
    a = lrn("regr.rpart").train(california_small).predict(california_small).response
    b = lrn("regr.rpart").train(california_small).predict(california_small).response
    np.testing.assert_array_equal(a, b)
