"""classif.log_reg and regr.lm: unpenalised linear models with treatment-coded factors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupytorch import as_task_classif, as_task_regr, lrn, tsk
from jupytorch.core.exceptions import LearnerError


def test_log_reg_is_unpenalised_and_maps_glm_parameters():
    model = lrn("classif.log_reg", epsilon=1e-6, maxit=50).train(tsk("iris")).model
    assert model.C == np.inf and (model.tol, model.max_iter) == (1e-6, 50)


def test_log_reg_with_one_factor_reproduces_the_level_frequencies():
    # a saturated glm: fitted probabilities equal the observed share of the positive class per level
    rng = np.random.default_rng(0)
    level = rng.choice(["a", "b", "c"], size=300)
    p = pd.Series(level).map({"a": 0.2, "b": 0.5, "c": 0.8}).to_numpy()
    y = np.where(rng.random(300) < p, "yes", "no")
    df = pd.DataFrame({"f": pd.Categorical(level), "y": pd.Categorical(y, categories=["yes", "no"])})
    task = as_task_classif(df, target="y")
    learner = lrn("classif.log_reg", predict_type="prob").train(task)
    assert learner.state["encoder"].feature_names_out_ == ["f.b", "f.c"]  # treatment coding
    prob = learner.predict(task).prob["yes"]
    observed = df.groupby("f", observed=True)["y"].apply(lambda s: (s == "yes").mean())
    np.testing.assert_allclose(prob.groupby(df["f"].to_numpy()).first(), observed, atol=1e-6)


def test_lm_matches_least_squares_and_group_means():
    task = tsk("mtcars")
    learner = lrn("regr.lm").train(task)
    X = np.column_stack([np.ones(32), task.data(cols=task.feature_names).to_numpy()])
    beta = np.linalg.lstsq(X, task.truth().to_numpy(), rcond=None)[0]
    np.testing.assert_allclose(learner.model.intercept_, beta[0], rtol=1e-8)
    np.testing.assert_allclose(learner.model.coef_, beta[1:], rtol=1e-6)
    df = pd.DataFrame({"g": pd.Categorical(list("aabbbc")), "y": [1.0, 3.0, 2.0, 4.0, 6.0, 10.0]})
    grouped = as_task_regr(df, target="y")
    np.testing.assert_allclose(lrn("regr.lm").train(grouped).predict(grouped).response, [2, 2, 4, 4, 4, 10])


def test_lm_se_is_the_standard_error_of_the_fitted_mean():
    task = tsk("mtcars").select(["wt"])
    pred = lrn("regr.lm", predict_type="se").train(task).predict(task)
    x, y = task.data()["wt"].to_numpy(), task.truth().to_numpy()
    slope, intercept = np.polyfit(x, y, 1)
    s2 = np.sum((y - intercept - slope * x) ** 2) / (len(x) - 2)
    by_hand = np.sqrt(s2 * (1 / len(x) + (x - x.mean()) ** 2 / np.sum((x - x.mean()) ** 2)))
    np.testing.assert_allclose(pred.se, by_hand, rtol=1e-8)
    assert pred.se.iloc[0] == pytest.approx(0.6335798, abs=1e-6)  # predict(lm(mpg ~ wt, mtcars), se.fit=TRUE)$se.fit[1]


def test_lm_keeps_what_se_needs_only_when_asked_in_training():
    task = tsk("mtcars")
    plain = lrn("regr.lm").train(task)
    assert "xtwx_inv" not in plain.state
    plain.predict_type = "se"
    with pytest.raises(LearnerError, match="predict_type='se' before training"):
        plain.predict(task)
    collinear = task.clone().cbind(pd.DataFrame({"wt2": 2 * task.data()["wt"]}))
    pred = lrn("regr.lm", predict_type="se").train(collinear).predict(collinear)
    assert np.isfinite(pred.se).all()  # rank 11 of 12 columns: n - rank degrees of freedom


def test_unseen_level_is_treated_as_reference_level():
    df = pd.DataFrame({"g": pd.Categorical(list("aabbcc")), "y": [1.0, 1.0, 3.0, 3.0, 5.0, 5.0]})
    learner = lrn("regr.lm").train(as_task_regr(df, target="y"))
    new = pd.DataFrame({"g": ["a", "zzz"]})
    np.testing.assert_allclose(learner.predict_newdata(new).response, [1.0, 1.0])
