"""Random forests with ranger's parameters: ``classif.ranger`` and ``regr.ranger`` (scikit-learn).

mlr3's dotted names become Python identifiers (``num.trees`` -> ``num_trees``). Mapping
(mlr3 / ranger -> scikit-learn), defaults as in mlr3learners:

=============== ============== =====================================================================
parameter       default        scikit-learn
=============== ============== =====================================================================
num_trees       500            ``n_estimators``
mtry            sqrt(p)        ``max_features`` (an int: features tried per split); ``p`` counts the
                               encoded columns, so a factor with 3 levels counts 3 (ranger counts 1)
mtry_ratio      -              ``max_features`` as a fraction of the columns (instead of ``mtry``)
min_node_size   1 (classif),   ``min_samples_split``: nodes with fewer observations are not split
                5 (regr)       (ranger >= 0.14 semantics; at least 2)
min_bucket      1              ``min_samples_leaf``
max_depth       None           ``max_depth`` (None or 0: unlimited)
replace         True           True: ``RandomForest*`` with ``bootstrap=True``. False: each tree is
                               fit on a subsample drawn without replacement, as ranger does
                               (``Bagging*`` of decision trees with ``bootstrap=False``)
sample_fraction 1 (replace),   ``max_samples``: the fraction of rows each tree sees
                0.632 (not)
splitrule       gini/variance  ``extratrees`` uses randomised split points (``ExtraTrees*``, or
                               ``splitter="random"`` trees when ``replace=False``)
seed            None           ``random_state``; None draws one from NumPy's global random state
                               (so ``np.random.seed`` makes training repeatable); the seed used is
                               kept in ``learner.state["seed"]``
num_threads     1              ``n_jobs`` (mlr3 also sets 1)
=============== ============== =====================================================================

Probabilities average the trees' class frequencies (ranger's ``probability = TRUE``); the response
is their most probable class. ``importance()`` gives scikit-learn's impurity importance (mean
decrease in impurity), summed over the one-hot columns of a factor. Missing values are handled
natively by scikit-learn's trees.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamDbl, ParamFct, ParamInt, ParamLgl, ParamSet
from jupytorch.core.task import Task
from jupytorch.learners.base import SklearnLearner

__all__ = ["LearnerClassifRanger", "LearnerRegrRanger"]


def _ranger_params(task_type: str) -> ParamSet:
    rules = ["gini", "extratrees"] if task_type == "classif" else ["variance", "extratrees"]
    return ParamSet(
        {
            "num_trees": ParamInt(1, None, default=500, tags=("train",), description="number of trees"),
            "mtry": ParamInt(1, None, default=None, tags=("train",), description="features tried per split"),
            "mtry_ratio": ParamDbl(0, 1, default=None, tags=("train",), description="mtry as a fraction of the features"),
            "min_node_size": ParamInt(1, None, default=1 if task_type == "classif" else 5, tags=("train",)),
            "min_bucket": ParamInt(1, None, default=1, tags=("train",), description="minimal leaf size"),
            "max_depth": ParamInt(0, None, default=None, tags=("train",), description="maximal depth (None or 0: unlimited)"),
            "replace": ParamLgl(default=True, tags=("train",), description="sample with replacement"),
            "sample_fraction": ParamDbl(0, 1, default=None, tags=("train",), description="fraction of rows per tree"),
            "splitrule": ParamFct(rules, default=rules[0], tags=("train",)),
            "seed": ParamInt(0, 2**32 - 1, default=None, tags=("train", "seed")),
            "num_threads": ParamInt(1, None, default=1, tags=("train", "threads")),
        }
    )


def _forest(task_type: str, values: dict[str, Any], n_columns: int, learner_id: str) -> Any:
    from sklearn import ensemble, tree

    mtry, ratio = values["mtry"], values["mtry_ratio"]
    if mtry is not None and ratio is not None:
        raise InvalidParameterError(f"Learner {learner_id!r}: set either 'mtry' or 'mtry_ratio', not both (got {mtry} and {ratio}).")
    if mtry is not None and mtry > n_columns:
        raise InvalidParameterError(
            f"Learner {learner_id!r}: parameter 'mtry' must be at most the number of (encoded) features, {n_columns}. Got {mtry} instead."
        )
    max_features: Any = "sqrt" if mtry is None and ratio is None else (mtry if mtry is not None else max(ratio, 1.0 / max(n_columns, 1)))
    replace = values["replace"]
    fraction = values["sample_fraction"]
    if fraction is None:
        fraction = 1.0 if replace else 0.632
    if fraction <= 0:
        raise InvalidParameterError(f"Learner {learner_id!r}: parameter 'sample_fraction' must be > 0. Got {fraction} instead.")
    seed = values["seed"]
    if seed is None:
        seed = int(np.random.randint(0, 2**31 - 1))
    depth = values["max_depth"] or None
    extra = values["splitrule"] == "extratrees"
    tree_kwargs = {
        "max_features": max_features,
        "min_samples_split": max(2, int(values["min_node_size"])),
        "min_samples_leaf": int(values["min_bucket"]),
        "max_depth": depth,
    }
    n_trees, n_jobs = int(values["num_trees"]), int(values["num_threads"])
    kind = "Classifier" if task_type == "classif" else "Regressor"
    if replace:
        cls = getattr(ensemble, ("ExtraTrees" if extra else "RandomForest") + kind)
        return cls(
            n_estimators=n_trees, bootstrap=True, max_samples=None if fraction >= 1 else fraction,
            random_state=seed, n_jobs=n_jobs, **tree_kwargs,
        )
    base = getattr(tree, "DecisionTree" + kind)(splitter="random" if extra else "best", **tree_kwargs)
    return getattr(ensemble, "Bagging" + kind)(
        estimator=base, n_estimators=n_trees, max_samples=fraction, bootstrap=False, random_state=seed, n_jobs=n_jobs
    )


class _RangerMixin:
    """Shared hooks of the two ranger learners (kept flat: Learner -> SklearnLearner -> concrete)."""

    def _estimator(self, task: Task, values: dict[str, Any], X: np.ndarray, y: np.ndarray) -> Any:
        return _forest(self.task_type, values, X.shape[1], self.id)  # type: ignore[attr-defined]

    def _fit_extras(self, estimator: Any, X: np.ndarray, y: np.ndarray, weights: np.ndarray | None) -> dict[str, Any]:
        return {"seed": estimator.random_state}

    def _raw_importance(self, estimator: Any) -> np.ndarray:
        if hasattr(estimator, "feature_importances_"):
            return np.asarray(estimator.feature_importances_, dtype=float)
        return np.mean([t.feature_importances_ for t in estimator.estimators_], axis=0)


class LearnerClassifRanger(_RangerMixin, SklearnLearner):
    """Random forest classification (mlr3's ``classif.ranger``), backed by scikit-learn's forests.

    See the module docstring for the parameter mapping (``num_trees``, ``mtry``,
    ``min_node_size``, ``sample_fraction``, ``replace``, ``splitrule``, ``seed``...).

    Examples
    --------
    >>> from jupytorch import tsk, lrn
    >>> learner = lrn("classif.ranger", num_trees=20, seed=1, predict_type="prob").train(tsk("iris"))
    >>> len(learner.model.estimators_)
    20
    """

    def __init__(self) -> None:
        super().__init__(
            id="classif.ranger",
            task_type="classif",
            param_set=_ranger_params("classif"),
            predict_types=("response", "prob"),
            properties=("twoclass", "multiclass", "missings", "importance", "weights"),
            label="Random Forest",
        )


class LearnerRegrRanger(_RangerMixin, SklearnLearner):
    """Random forest regression (mlr3's ``regr.ranger``), backed by scikit-learn's forests.

    See the module docstring for the parameter mapping.

    Examples
    --------
    >>> from jupytorch import tsk, lrn
    >>> learner = lrn("regr.ranger", num_trees=20, seed=1).train(tsk("mtcars"))
    >>> learner.importance().index[0] in {"wt", "disp", "hp", "cyl"}
    True
    """

    def __init__(self) -> None:
        super().__init__(
            id="regr.ranger",
            task_type="regr",
            param_set=_ranger_params("regr"),
            predict_types=("response",),
            properties=("missings", "importance", "weights"),
            label="Random Forest",
        )
