"""Decision trees with rpart's parameters: ``classif.rpart`` and ``regr.rpart`` (scikit-learn's CART).

Parameter mapping (mlr3 / rpart -> scikit-learn), defaults as in rpart:

============ ========= ============================================================================
parameter    default   scikit-learn
============ ========= ============================================================================
cp           0.01      ``ccp_alpha = cp * impurity(root)``: rpart's complexity is relative to the
                       root node's error, scikit-learn's cost-complexity alpha is absolute.
                       For regression this is the same pruning criterion (both use squared error);
                       for classification rpart prunes on misclassification error while
                       scikit-learn prunes on the Gini impurity, and rpart stops growing early
                       while scikit-learn grows fully and prunes afterwards, so trees can differ.
maxdepth     30        ``max_depth`` (the root has depth 0 in both; ``maxdepth=1`` is a stump)
minsplit     20        ``min_samples_split`` (at least 2)
minbucket    minsplit  ``min_samples_leaf``; as in rpart, ``minbucket`` defaults to
             / 3       ``round(minsplit / 3)`` and ``minsplit`` to ``3 * minbucket``
============ ========= ============================================================================

rpart's surrogate splits (``maxsurrogate``, ``usesurrogate``) and internal cross-validation
(``xval``; mlr3 sets it to 0) have no scikit-learn counterpart and are not offered. Missing
values are handled by scikit-learn's trees natively: each split learns which side missing values
go to. Ties between equally good splits are broken the same way on every run
(``random_state=0``), so training is deterministic like rpart.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jupytorch.core.paramset import ParamDbl, ParamInt, ParamSet
from jupytorch.core.task import Task
from jupytorch.learners.base import SklearnLearner

__all__ = ["LearnerClassifRpart", "LearnerRegrRpart"]


def _rpart_params() -> ParamSet:
    return ParamSet(
        {
            "cp": ParamDbl(0, 1, default=0.01, tags=("train",), description="complexity: minimal relative improvement of a split"),
            "maxdepth": ParamInt(1, 30, default=30, tags=("train",), description="maximal depth of the tree"),
            "minsplit": ParamInt(1, None, tags=("train",), description="minimal node size to attempt a split (default 20, or 3 * minbucket)"),
            "minbucket": ParamInt(1, None, tags=("train",), description="minimal leaf size (default round(minsplit / 3))"),
        }
    )


def _tree_kwargs(values: dict[str, Any], root_impurity: float) -> dict[str, Any]:
    minsplit, minbucket = values.get("minsplit"), values.get("minbucket")
    if minsplit is None and minbucket is None:
        minsplit = 20
    if minbucket is None:
        minbucket = max(1, round(minsplit / 3))
    elif minsplit is None:
        minsplit = 3 * minbucket
    return {
        "ccp_alpha": float(values["cp"]) * root_impurity,
        "max_depth": int(values["maxdepth"]),
        "min_samples_split": max(2, int(minsplit)),
        "min_samples_leaf": int(minbucket),
        "random_state": 0,
    }


def _weights(task: Task) -> np.ndarray | None:
    return None if task.weights is None else task.weights.to_numpy(dtype=np.float64)


def gini(y: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Gini impurity of the labels ``y`` (optionally weighted)."""
    _, inverse = np.unique(y, return_inverse=True)
    counts = np.bincount(inverse, weights=weights).astype(np.float64)
    p = counts / counts.sum()
    return float(1.0 - np.sum(p * p))


def variance(y: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Population variance of ``y`` (optionally weighted): the squared-error impurity."""
    mean = np.average(y, weights=weights)
    return float(np.average((y - mean) ** 2, weights=weights))


class LearnerClassifRpart(SklearnLearner):
    """Classification tree (mlr3's ``classif.rpart``), backed by ``DecisionTreeClassifier``.

    See the module docstring for the parameter mapping: ``cp`` (0.01), ``maxdepth`` (30),
    ``minsplit`` (20), ``minbucket`` (``round(minsplit / 3)``).

    Examples
    --------
    >>> from jupytorch import tsk, lrn
    >>> learner = lrn("classif.rpart", maxdepth=1).train(tsk("iris"))
    >>> learner.model.get_depth()
    1
    """

    def __init__(self) -> None:
        super().__init__(
            id="classif.rpart",
            task_type="classif",
            param_set=_rpart_params(),
            predict_types=("response", "prob"),
            properties=("twoclass", "multiclass", "missings", "importance", "weights"),
            label="Classification Tree",
        )

    def _estimator(self, task: Task, values: dict[str, Any], X: np.ndarray, y: np.ndarray) -> Any:
        from sklearn.tree import DecisionTreeClassifier

        return DecisionTreeClassifier(**_tree_kwargs(values, gini(y, _weights(task))))


class LearnerRegrRpart(SklearnLearner):
    """Regression tree (mlr3's ``regr.rpart``), backed by ``DecisionTreeRegressor``.

    See the module docstring for the parameter mapping: ``cp`` (0.01), ``maxdepth`` (30),
    ``minsplit`` (20), ``minbucket`` (``round(minsplit / 3)``).

    Examples
    --------
    >>> from jupytorch import tsk, lrn
    >>> learner = lrn("regr.rpart", cp=0.05).train(tsk("mtcars"))
    >>> int(learner.model.get_n_leaves()) >= 2
    True
    """

    def __init__(self) -> None:
        super().__init__(
            id="regr.rpart",
            task_type="regr",
            param_set=_rpart_params(),
            predict_types=("response",),
            properties=("missings", "importance", "weights"),
            label="Regression Tree",
        )

    def _estimator(self, task: Task, values: dict[str, Any], X: np.ndarray, y: np.ndarray) -> Any:
        from sklearn.tree import DecisionTreeRegressor

        return DecisionTreeRegressor(**_tree_kwargs(values, variance(y, _weights(task))))
