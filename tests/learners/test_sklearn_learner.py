"""LearnerSklearn / as_learner_sklearn / lrn("classif.sklearn", estimator=...)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestRegressor
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import jupytorch as jt
from jupytorch import lrn, msr, rsmp, tsk
from jupytorch.core.exceptions import InvalidParameterError, LearnerError
from jupytorch.core.param import ParamUty


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


def test_an_estimator_that_centres_its_input_in_place_gets_a_copy_and_the_task_is_untouched():
    from sklearn.base import BaseEstimator, RegressorMixin

    class CentredMean(RegressorMixin, BaseEstimator):  # writes into X, as hand-written estimators may
        def fit(self, X, y):
            X -= X.mean(axis=0)
            self.mean_ = float(np.mean(y))
            return self

        def predict(self, X):
            X -= X.mean(axis=0)
            return np.full(len(X), self.mean_)

    task = tsk("mtcars")
    before = task.data().copy()
    learner = lrn("regr.sklearn", estimator=CentredMean()).train(task)  # all rows: the shared matrix itself
    assert learner.predict(task).response.tolist() == [pytest.approx(before["mpg"].mean())] * 32
    assert learner.predict(task, row_ids=[3]).response.tolist() == [pytest.approx(before["mpg"].mean())]
    rr = jt.resample(task, lrn("regr.sklearn", estimator=CentredMean()), rsmp("cv", folds=3), seed=1)
    baseline = jt.resample(task, lrn("regr.featureless"), rsmp("cv", folds=3), seed=1)
    assert rr.aggregate(msr("regr.mse")) == pytest.approx(baseline.aggregate(msr("regr.mse")))
    pd.testing.assert_frame_equal(task.data(), before)
    assert np.array_equal(lrn("regr.lm").train(task).predict(task).response,
                          lrn("regr.lm").train(tsk("mtcars")).predict(tsk("mtcars")).response)


def test_numeric_features_of_a_task_are_converted_once_for_all_folds(monkeypatch):
    from jupytorch.learners.encoder import FeatureEncoder

    calls = []
    original = FeatureEncoder.transform

    def counting(self, frame):
        calls.append(len(frame))
        return original(self, frame)

    monkeypatch.setattr(FeatureEncoder, "transform", counting)
    task = jt.as_task_regr(tsk("mtcars").data(), target="mpg", id="fresh_frame")
    jt.resample(task, lrn("regr.lm"), rsmp("cv", folds=4), seed=1)
    assert calls == [32]  # the whole frame once; every fold's train and predict take their rows from it
