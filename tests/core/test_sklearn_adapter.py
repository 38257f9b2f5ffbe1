"""learner.to_sklearn(): jupytorch learners inside scikit-learn's model selection and pipelines."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_iris
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from jupytorch import lrn
from jupytorch.core.exceptions import InvalidParameterError, TaskError
from jupytorch.core.sklearn_adapter import SklearnClassifier, SklearnRegressor


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True, as_frame=True)


def test_to_sklearn_picks_classifier_or_regressor():
    assert isinstance(lrn("classif.rpart").to_sklearn(), SklearnClassifier)
    assert isinstance(lrn("regr.rpart").to_sklearn(), SklearnRegressor)
    assert repr(lrn("regr.lm").to_sklearn()) == "SklearnRegressor(learner=lrn('regr.lm'))"


def test_cross_val_score_with_dataframe_and_integer_labels(iris):
    X, y = iris
    scores = cross_val_score(lrn("classif.rpart").to_sklearn(), X, y, cv=3)
    assert len(scores) == 3 and scores.min() > 0.85


def test_pipeline_after_standard_scaler_on_arrays():
    X, y = load_diabetes(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), lrn("regr.lm").to_sklearn())
    scores = cross_val_score(pipe, X, y, cv=3, scoring="r2")
    assert scores.mean() > 0.4
    fitted = pipe.fit(X, y)
    assert fitted[-1].n_features_in_ == 10
    assert fitted.score(X, y) == pytest.approx(0.5177, abs=1e-3)  # the R^2 of ordinary least squares on diabetes


def test_labels_classes_and_probabilities_keep_sklearn_conventions(iris):
    X, y = iris
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = lrn("classif.rpart", predict_type="prob").to_sklearn().fit(X, names)
    assert clf.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    assert set(clf.predict(X)) <= set(clf.classes_)
    prob = clf.predict_proba(X)
    np.testing.assert_allclose(prob.sum(axis=1), 1.0)
    assert (clf.classes_[prob.argmax(axis=1)] == clf.predict(X)).all()
    assert clf.score(X, names) > 0.9


def test_binary_string_labels_proba_column_one_is_the_second_class():
    X, y = load_iris(return_X_y=True)
    labels = np.where(y == 2, "yes", "no")
    clf = lrn("classif.log_reg").to_sklearn()
    auc = cross_val_score(clf, X, labels, cv=3, scoring="roc_auc")
    assert auc.mean() > 0.95  # would be < 0.05 if the columns were swapped
    fitted = clf.fit(X, labels)
    assert fitted.classes_.tolist() == ["no", "yes"]
    assert fitted.predict_proba(X[y == 2])[:, 1].mean() > 0.8


def test_get_params_exposes_learner_parameters_and_set_params_takes_effect(iris):
    X, y = iris
    est = lrn("classif.rpart").to_sklearn()
    params = est.get_params()
    assert {"learner", "learner__cp", "learner__maxdepth", "learner__minsplit", "learner__predict_type"} <= set(params)
    assert params["learner__maxdepth"] == 30
    est.set_params(learner__maxdepth=1)
    assert est.fit(X, y).learner_.model.get_depth() == 1
    copy = clone(est)
    assert copy.learner.param_set.values == {"maxdepth": 1} and not hasattr(copy, "learner_")


def test_grid_search(iris):
    X, y = iris
    search = GridSearchCV(lrn("classif.rpart").to_sklearn(), {"learner__maxdepth": [1, 3]}, cv=3).fit(X, y)
    assert search.best_params_ == {"learner__maxdepth": 3}


def test_fit_leaves_the_learner_untouched_and_pickles(iris):
    X, y = iris
    learner = lrn("classif.kknn")
    est = learner.to_sklearn().fit(X, y)
    assert not learner.is_trained and est.learner_.is_trained
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict(X), est.predict(X))


def test_string_columns_become_factors_and_unseen_values_do_not_crash():
    X = pd.DataFrame({"colour": ["red", "blue", "red", "green"] * 10, "x": np.arange(40.0)})
    y = (X["colour"] == "red").astype(int)
    est = lrn("classif.rpart", minsplit=2, minbucket=1).to_sklearn().fit(X, y)
    assert est.learner_.state["feature_types"]["colour"] == "factor"
    new = pd.DataFrame({"colour": ["red", "purple"], "x": [1.0, 2.0]})
    assert est.predict(new).tolist()[0] == 1 and len(est.predict(new)) == 2


def test_missing_values_pass_through_for_learners_that_handle_them():
    X, y = load_diabetes(return_X_y=True)
    X = X.copy()
    X[::5, 2] = np.nan
    est = lrn("regr.rpart").to_sklearn()
    assert est.__sklearn_tags__().input_tags.allow_nan
    assert np.isfinite(est.fit(X, y).predict(X)).all()
    with pytest.raises(TaskError, match="cannot handle missing values.*x2"):
        lrn("regr.lm").to_sklearn().fit(X, y)


def test_sample_weight():
    X = np.linspace(0, 1, 20).reshape(-1, 1)
    wiggle = np.tile([1.0, -1.0], 10)
    y = 10 * X[:, 0] + wiggle
    weights = np.where(wiggle > 0, 1.0, 100.0)
    plain = lrn("regr.lm").to_sklearn().fit(X, y).predict(X)
    weighted = lrn("regr.lm").to_sklearn().fit(X, y, sample_weight=weights).predict(X)
    assert np.mean(weighted - plain) < -0.5
    with pytest.raises(InvalidParameterError, match="does not support observation weights"):
        lrn("regr.kknn").to_sklearn().fit(X, y, sample_weight=weights)


def test_input_errors():
    X, y = load_diabetes(return_X_y=True)
    est = lrn("regr.rpart").to_sklearn()
    with pytest.raises(ValueError, match="Expected a 2-dimensional container|Expected 2D array"):
        est.fit(X[:, 0], y)
    est.fit(X, y)
    with pytest.raises(TaskError, match="X has 3 features, but SklearnRegressor is expecting 10 features as input"):
        est.predict(X[:, :3])
    assert not hasattr(est, "predict_proba")
    with pytest.raises(InvalidParameterError, match="must be a jupytorch Learner"):
        SklearnRegressor(learner="rpart").fit(X, y)


def test_object_arrays_of_numbers_are_numeric_features():
    X, y = load_diabetes(return_X_y=True)
    est = lrn("regr.rpart").to_sklearn().fit(X.astype(object), y)
    assert set(est.learner_.state["feature_types"].values()) == {"numeric"}
    np.testing.assert_allclose(est.predict(X.astype(object)), lrn("regr.rpart").to_sklearn().fit(X, y).predict(X))
