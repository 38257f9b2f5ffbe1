"""Small tabular tasks for the architecture tests: subsampled California housing (numeric, a
factor, missing values) and Palmer penguins (classification, missing numeric and factor values)."""

from __future__ import annotations

import numpy as np
import pytest

import jupytorch as jt
from jupytorch import po


def n_params(network) -> int:
    return sum(p.numel() for p in network.parameters())


def impute(task):
    """The usual preprocessing: median for missing numbers, then standardized numeric columns;
    factors keep their missing values (the categorical ingress codes them as a level of their own)."""
    return (po("imputemedian") >> po("scale")).train(task)[0]


@pytest.fixture(scope="module")
def california():
    task = jt.tsk("california_housing")
    rows = np.random.default_rng(0).choice(task.row_ids, size=400, replace=False)
    missing = task.data(cols=["total_bedrooms"])["total_bedrooms"].isna()
    rows = np.union1d(rows, task.row_ids[missing.to_numpy()][:5])  # keep a few rows with missing values
    return task.filter(rows)


@pytest.fixture(scope="module")
def penguins():
    return jt.tsk("penguins")


def check_regression(learner, task):
    """Train on the imputed task; the predictions are finite and on the target's scale (dollars)."""
    data = impute(task)
    prediction = learner.train(data).predict(data)
    response = prediction.response.to_numpy()
    assert np.isfinite(response).all()
    truth = data.truth().to_numpy()
    assert abs(response.mean() - truth.mean()) < truth.std()   # scale_target: answers in dollars
    rmse = prediction.score(jt.msr("regr.rmse"))
    assert rmse < 1.5 * truth.std()
    return prediction


def check_classification(learner, task):
    data = impute(task)
    learner.predict_type = "prob"
    prediction = learner.train(data).predict(data)
    assert np.allclose(prediction.prob.sum(axis=1), 1.0)
    assert prediction.score(jt.msr("classif.acc")) > 0.5   # three classes: 0.44 for the majority class
    return prediction
