"""Unpenalised linear models like R's ``glm``/``lm``: ``classif.log_reg`` and ``regr.lm``.

Factor features are treatment-coded as in R's model matrix: the first level is the reference and
gets no column, so the model with an intercept is identifiable. A level unseen in training is
treated like the reference level.

``classif.log_reg`` (``LogisticRegression`` without penalty, ``C=inf``, Newton-Cholesky solver,
which like glm's IRLS is a Newton method):

========= ======= ==================================================
parameter default scikit-learn
========= ======= ==================================================
epsilon   1e-8    ``tol`` (glm's convergence tolerance)
maxit     25      ``max_iter``
========= ======= ==================================================

mlr3's ``classif.log_reg`` is for two classes only; here more than two classes fit one
multinomial model (what mlr3's ``classif.multinom`` does).

``regr.lm`` (``LinearRegression``, least squares with intercept) has no parameters. Its ``se``
prediction is the standard error of the fitted mean, as ``predict.lm(se.fit = TRUE)``:
``sqrt(x' (X'WX)^+ x * sigma^2)`` with ``sigma^2`` the residual variance on ``n - rank`` degrees
of freedom. What it needs is computed in training only when ``predict_type="se"`` is set then.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jupytorch.core.exceptions import LearnerError
from jupytorch.core.paramset import ParamDbl, ParamInt, ParamSet
from jupytorch.core.task import Task
from jupytorch.learners.base import SklearnLearner

__all__ = ["LearnerClassifLogReg", "LearnerRegrLM"]


class LearnerClassifLogReg(SklearnLearner):
    """Logistic regression without penalty (mlr3's ``classif.log_reg``), backed by ``LogisticRegression``.

    See the module docstring for the parameter mapping (``epsilon`` -> ``tol``, ``maxit`` -> ``max_iter``).

    Examples
    --------
    >>> from jupytorch import tsk, lrn
    >>> task = tsk("breast_cancer").select(["mean radius", "mean texture"])
    >>> learner = lrn("classif.log_reg", predict_type="prob").train(task)
    >>> learner.predict(task).prob.columns.tolist()
    ['malignant', 'benign']
    """

    def __init__(self) -> None:
        params = ParamSet(
            {
                "epsilon": ParamDbl(0, None, default=1e-8, tags=("train",), description="convergence tolerance"),
                "maxit": ParamInt(1, None, default=25, tags=("train",), description="maximal number of Newton iterations"),
            }
        )
        super().__init__(
            id="classif.log_reg",
            task_type="classif",
            param_set=params,
            predict_types=("response", "prob"),
            properties=("twoclass", "multiclass", "weights"),
            label="Logistic Regression",
            encoding="treatment",
        )

    def _estimator(self, task: Task, values: dict[str, Any], X: np.ndarray, y: np.ndarray) -> Any:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(
            C=np.inf, solver="newton-cholesky", tol=float(values["epsilon"]), max_iter=int(values["maxit"])
        )


class LearnerRegrLM(SklearnLearner):
    """Linear regression by least squares (mlr3's ``regr.lm``), backed by ``LinearRegression``.

    Predicts ``response`` and, with ``predict_type="se"``, the standard error of the fitted mean.

    Examples
    --------
    >>> from jupytorch import tsk, lrn
    >>> learner = lrn("regr.lm", predict_type="se").train(tsk("mtcars"))
    >>> bool((learner.predict(tsk("mtcars")).se > 0).all())
    True
    """

    def __init__(self) -> None:
        super().__init__(
            id="regr.lm",
            task_type="regr",
            param_set=ParamSet(),
            predict_types=("response", "se"),
            properties=("weights",),
            label="Linear Model",
            encoding="treatment",
        )

    def _estimator(self, task: Task, values: dict[str, Any], X: np.ndarray, y: np.ndarray) -> Any:
        from sklearn.linear_model import LinearRegression

        return LinearRegression()

    def _fit_extras(self, estimator: Any, X: np.ndarray, y: np.ndarray, weights: np.ndarray | None) -> dict[str, Any]:
        if self.predict_type != "se":  # what se needs costs more than the fit itself: only when asked
            return {}
        design = np.column_stack([np.ones(len(X)), X])
        w = np.ones(len(X)) if weights is None else weights
        xtwx_inv = np.linalg.pinv(design.T @ (design * w[:, None]))
        rank = int(estimator.rank_) + 1  # LinearRegression's rank of the centred X, plus the intercept
        resid = y - estimator.predict(X)
        dof = len(X) - rank
        sigma2 = float(np.sum(w * resid**2) / dof) if dof > 0 else float("nan")
        return {"xtwx_inv": xtwx_inv, "sigma2": sigma2}

    def _predict_se(self, X: np.ndarray) -> np.ndarray:
        state = self._check_trained()
        if "xtwx_inv" not in state:
            raise LearnerError(
                f"Learner {self.id!r} was trained without predict_type='se', so it kept nothing to compute standard "
                "errors from; set predict_type='se' before training (lrn('regr.lm', predict_type='se'))."
            )
        design = np.column_stack([np.ones(len(X)), X])
        leverage = np.einsum("ij,jk,ik->i", design, state["xtwx_inv"], design)
        return np.sqrt(np.maximum(leverage, 0.0) * state["sigma2"])
