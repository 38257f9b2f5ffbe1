"""classif.ranger / regr.ranger: ranger's parameters mapped onto scikit-learn's forests."""

from __future__ import annotations

import numpy as np
import pytest

from jupytorch import lrn, tsk
from jupytorch.core.exceptions import InvalidParameterError


def test_defaults_follow_mlr3_ranger():
    learner = lrn("regr.ranger", num_trees=10, seed=1).train(tsk("mtcars"))
    model = learner.model
    assert type(model).__name__ == "RandomForestRegressor"
    assert (model.max_features, model.min_samples_split, model.min_samples_leaf, model.n_jobs) == ("sqrt", 5, 1, 1)
    assert model.bootstrap and model.max_samples is None
    assert lrn("regr.ranger").param_set["num_trees"].default == 500
    assert lrn("classif.ranger").param_set["min_node_size"].default == 1


def test_parameters_take_effect():
    learner = lrn("classif.ranger", num_trees=7, mtry=2, min_node_size=10, min_bucket=3, max_depth=4, sample_fraction=0.5, seed=5)
    model = learner.train(tsk("iris")).model
    assert len(model.estimators_) == 7
    assert (model.max_features, model.min_samples_split, model.min_samples_leaf, model.max_depth, model.max_samples) == (2, 10, 3, 4, 0.5)
    assert max(tree.get_depth() for tree in model.estimators_) <= 4


def test_sampling_without_replacement_uses_subsamples():
    learner = lrn("regr.ranger", num_trees=5, replace=False, seed=1).train(tsk("mtcars"))
    model = learner.model
    assert type(model).__name__ == "BaggingRegressor"
    assert not model.bootstrap and model.max_samples == 0.632
    assert all(len(np.unique(idx)) == len(idx) == int(0.632 * 32) for idx in model.estimators_samples_)
    assert learner.importance().sum() == pytest.approx(1.0)


def test_extratrees_splitrule():
    assert type(lrn("classif.ranger", num_trees=3, splitrule="extratrees").train(tsk("iris")).model).__name__ == "ExtraTreesClassifier"
    model = lrn("regr.ranger", num_trees=3, splitrule="extratrees", replace=False).train(tsk("mtcars")).model
    assert model.estimator.splitter == "random"


def test_seed_makes_training_repeatable_and_is_recorded(california_small):
    a = lrn("regr.ranger", num_trees=10, seed=42).train(california_small)
    b = lrn("regr.ranger", num_trees=10, seed=42).train(california_small)
    np.testing.assert_array_equal(a.predict(california_small).response, b.predict(california_small).response)
    assert a.state["seed"] == 42
    np.random.seed(7)
    c = lrn("regr.ranger", num_trees=10).train(california_small)
    np.random.seed(7)
    d = lrn("regr.ranger", num_trees=10).train(california_small)
    assert c.state["seed"] == d.state["seed"]
    np.testing.assert_array_equal(c.predict(california_small).response, d.predict(california_small).response)


def test_importance_sums_one_hot_columns(california_small):
    imp = lrn("regr.ranger", num_trees=20, seed=1).train(california_small).importance()
    assert "ocean_proximity" in imp.index and len(imp) == california_small.n_features
    assert imp.sum() == pytest.approx(1.0)


def test_mtry_errors_name_the_parameter():
    with pytest.raises(InvalidParameterError, match="'mtry' must be at most the number of .*4"):
        lrn("classif.ranger", mtry=5).train(tsk("iris"))
    with pytest.raises(InvalidParameterError, match="either 'mtry' or 'mtry_ratio'"):
        lrn("classif.ranger", mtry=2, mtry_ratio=0.5).train(tsk("iris"))


def test_prob_is_the_mean_of_tree_probabilities():
    task = tsk("iris")
    learner = lrn("classif.ranger", num_trees=5, seed=2, predict_type="prob").train(task)
    X = learner.state["encoder"].transform(task.data(cols=task.feature_names))
    by_hand = np.mean([tree.predict_proba(X) for tree in learner.model.estimators_], axis=0)
    order = [list(learner.model.classes_).index(c) for c in task.class_names]
    np.testing.assert_allclose(learner.predict(task).prob.to_numpy(), by_hand[:, order])
