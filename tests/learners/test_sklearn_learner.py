"""LearnerSklearn / as_learner_sklearn / lrn("classif.sklearn", estimator=...)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestRegressor
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import jupytorch as jt
from jupytorch import lrn, tsk
from jupytorch.core.exceptions import InvalidParameterError, LearnerError
from jupytorch.core.paramset import ParamUty


def test_param_set_mirrors_get_params_and_values_are_applied():
    estimator = Ridge(alpha=2.0)
    learner = jt.as_learner_sklearn(estimator)
    assert learner.id == "regr.Ridge" and learner.task_type == "regr"
    assert set(learner.param_set.ids()) == set(estimator.get_params(deep=False))
    assert isinstance(learner.param_set["alpha"], ParamUty) and learner.param_set["alpha"].default == 2.0
    learner.param_set.set_values(alpha=50.0)
    learner.train(tsk("mtcars"))
    assert learner.model.alpha == 50.0 and learner.model is not estimator
    assert estimator.alpha == 2.0 and not hasattr(estimator, "coef_")


def test_capabilities_are_read_off_the_estimator():
    assert jt.as_learner_sklearn(SVC()).predict_types == ["response"]
    assert jt.as_learner_sklearn(SVC(probability=True)).predict_types == ["response", "prob"]
    hgb = jt.as_learner_sklearn(HistGradientBoostingClassifier())
    assert {"missings", "twoclass", "multiclass", "weights"} <= hgb.properties
    assert "missings" not in jt.as_learner_sklearn(LogisticRegression()).properties
    assert "weights" not in jt.as_learner_sklearn(KNeighborsRegressor()).properties
    assert "importance" in jt.as_learner_sklearn(RandomForestRegressor()).properties
    assert jt.as_learner_sklearn(GaussianProcessRegressor()).predict_types == ["response", "se"]


def test_registered_keys_and_estimator_keyword():
    learner = lrn("classif.sklearn", estimator=LogisticRegression(max_iter=500), predict_type="prob")
    assert learner.id == "classif.LogisticRegression"
    task = tsk("iris")
    prob = learner.train(task).predict(task).prob
    assert list(prob.columns) == task.class_names
    np.testing.assert_allclose(prob.sum(axis=1), 1.0)
    assert lrn("regr.sklearn", estimator=Ridge(), id="ridge").id == "ridge"


def test_a_sklearn_pipeline_is_an_estimator_too():
    from sklearn.pipeline import make_pipeline

    learner = jt.as_learner_sklearn(make_pipeline(StandardScaler(), LogisticRegression()))
    assert learner.id == "classif.Pipeline" and "prob" in learner.predict_types
    assert "steps" in learner.param_set
    task = tsk("iris")
    assert learner.train(task).predict(task).score("classif.acc") > 0.9


def test_missing_values_work_when_the_estimator_allows_them():
    task = tsk("penguins")
    pred = jt.as_learner_sklearn(HistGradientBoostingClassifier(max_iter=10)).train(task).predict(task)
    assert pred.score("classif.acc") > 0.9


def test_se_and_importance():
    task = tsk("mtcars")
    gp = jt.as_learner_sklearn(GaussianProcessRegressor(normalize_y=True)).configure(predict_type="se")
    assert (gp.train(task).predict(task).se >= 0).all()
    forest = jt.as_learner_sklearn(RandomForestRegressor(n_estimators=10, random_state=0)).train(task)
    assert set(forest.importance().index) == set(task.feature_names)


def test_errors():
    with pytest.raises(LearnerError, match="has no scikit-learn estimator"):
        lrn("classif.sklearn").train(tsk("iris"))
    with pytest.raises(InvalidParameterError, match="instance"):
        jt.as_learner_sklearn(Ridge)
    with pytest.raises(InvalidParameterError, match="regressor, so it cannot back a 'classif' learner"):
        lrn("classif.sklearn", estimator=Ridge())
    with pytest.raises(InvalidParameterError, match="not a scikit-learn predictor"):
        jt.as_learner_sklearn(StandardScaler())
    with pytest.raises(InvalidParameterError, match="classifier or a regressor"):
        jt.as_learner_sklearn(KMeans())
    with pytest.raises(LearnerError, match="does not compute feature importances"):
        jt.as_learner_sklearn(Ridge()).train(tsk("mtcars")).importance()


def test_the_arguments_the_estimator_was_built_with_show_as_parameter_values():
    learner = jt.lrn("classif.sklearn", estimator=HistGradientBoostingClassifier(max_iter=20))
    assert learner.param_set.values == {"max_iter": 20}
    assert "* Parameters: max_iter=20" in repr(learner)
    assert "* Parameters: -" in repr(jt.as_learner_sklearn(HistGradientBoostingClassifier()))
    learner.param_set.set_values(learning_rate=0.3)
    assert learner.train(jt.tsk("iris")).model.get_params()["max_iter"] == 20
    assert learner.model.learning_rate == 0.3
