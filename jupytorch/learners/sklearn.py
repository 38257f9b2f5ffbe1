"""Any scikit-learn estimator as a jupytorch Learner: ``LearnerSklearn`` and ``as_learner_sklearn``."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from jupytorch.core.exceptions import InvalidParameterError, LearnerError
from jupytorch.core.paramset import ParamSet
from jupytorch.core.signature import params_from_values
from jupytorch.core.task import Task
from jupytorch.learners.base import SKLEARN_FEATURE_TYPES, SklearnLearner

__all__ = ["LearnerSklearn", "as_learner_sklearn", "learner_classif_sklearn", "learner_regr_sklearn"]


class LearnerSklearn(SklearnLearner):
    """Wrap any scikit-learn estimator as a jupytorch learner.

    The parameter set mirrors ``estimator.get_params(deep=False)``: one untyped parameter per
    constructor argument, its default being the estimator's current value; the arguments the
    estimator was built with (those that differ from its class's defaults) are the parameter
    values from the start, so the learner shows them (``max_iter=20``). Values set on the
    learner are applied to a fresh clone of the estimator at each ``train``; the estimator you
    pass is never changed. Features are encoded like all scikit-learn backed learners (factors
    one-hot with levels frozen at train, ordered factors as integer codes, logicals as 0/1).

    Capabilities are read off the estimator: ``prob`` predictions when it has
    ``predict_proba``, ``se`` when its ``predict`` takes ``return_std`` (Gaussian processes,
    Bayesian ridge), ``missings`` when it accepts NaN (scikit-learn's ``allow_nan`` tag),
    ``weights`` when ``fit`` takes ``sample_weight``, ``importance`` when it has
    ``feature_importances_``.

    Parameters
    ----------
    estimator : sklearn estimator
        An unfitted scikit-learn classifier or regressor (or anything with ``fit``/``predict``
        and ``get_params``).
    task_type : {"classif", "regr"}, optional
        Inferred from the estimator (``is_classifier`` / ``is_regressor``) when not given.
    id : str, optional
        Default: ``"<task_type>.<EstimatorClassName>"``.
    label : str
        A longer name.

    Examples
    --------
    >>> from sklearn.ensemble import HistGradientBoostingRegressor
    >>> from jupytorch import tsk
    >>> learner = as_learner_sklearn(HistGradientBoostingRegressor(max_iter=20))
    >>> learner.id
    'regr.HistGradientBoostingRegressor'
    >>> learner.param_set.values
    {'max_iter': 20}
    >>> learner.param_set.set_values(learning_rate=0.2)["learning_rate"].default
    0.1
    >>> _ = learner.train(tsk("mtcars"))
    >>> learner.model.learning_rate
    0.2
    """

    copies_inputs = True  # a user's estimator (or pipeline) may scale its input in place

    def __init__(self, estimator: Any = None, task_type: str | None = None, id: str | None = None, label: str = ""):
        self.estimator = estimator
        if estimator is None:
            task_type = task_type or "classif"
            params = ParamSet()
            name = "sklearn"
            predict_types, properties = ["response"], set()
        else:
            _check_estimator(estimator)
            inferred = _infer_task_type(estimator, required=task_type is None)
            if task_type is not None and inferred is not None and inferred != task_type:
                raise InvalidParameterError(
                    f"LearnerSklearn: {type(estimator).__name__} is a {'classifier' if inferred == 'classif' else 'regressor'}, "
                    f"so it cannot back a {task_type!r} learner; use task_type={inferred!r}."
                )
            task_type = task_type or inferred
            name = type(estimator).__name__
            current = estimator.get_params(deep=False)
            params = params_from_values(current, typed=False)  # scikit-learn checks them at fit
            params.set_values(**_changed_params(estimator, current))  # shown by repr, as the estimator's own repr does
            predict_types, properties = _capabilities(estimator, task_type)
        if task_type not in ("classif", "regr"):
            raise InvalidParameterError(f"LearnerSklearn: task_type must be 'classif' or 'regr'. Got {task_type!r} instead.")
        super().__init__(
            id=id or f"{task_type}.{name}",
            task_type=task_type,
            param_set=params,
            predict_types=predict_types,
            feature_types=SKLEARN_FEATURE_TYPES,
            properties=properties,
            label=label or (f"scikit-learn {name}" if estimator is not None else "any scikit-learn estimator"),
        )

    def _estimator(self, task: Task, values: dict[str, Any], X: np.ndarray, y: np.ndarray) -> Any:
        if self.estimator is None:
            raise LearnerError(
                f"Learner {self.id!r} has no scikit-learn estimator; pass one: "
                f"lrn({self.id!r}, estimator=RandomForestClassifier()) or jt.as_learner_sklearn(estimator)."
            )
        from sklearn.base import clone

        # values are the declared defaults (the wrapped estimator's own parameters) overlaid with the set
        # ones; clone them as scikit-learn's clone does, so that fitting never changes the user's objects
        return clone(self.estimator).set_params(**{key: clone(value, safe=False) for key, value in values.items()})

    def _predict_se(self, X: np.ndarray) -> np.ndarray:
        _, std = self.model.predict(X, return_std=True)
        return np.asarray(std, dtype=np.float64).reshape(-1)

    def _raw_importance(self, estimator: Any) -> np.ndarray:
        if not hasattr(estimator, "feature_importances_"):
            raise LearnerError(f"Learner {self.id!r}: the fitted {type(estimator).__name__} has no feature_importances_.")
        return np.asarray(estimator.feature_importances_, dtype=float)


def _changed_params(estimator: Any, current: dict[str, Any]) -> dict[str, Any]:
    """The constructor arguments of ``estimator`` whose values differ from the signature's defaults."""
    import inspect

    try:
        signature = inspect.signature(type(estimator).__init__)
    except (TypeError, ValueError):
        return {}
    changed = {}
    for key, value in current.items():
        parameter = signature.parameters.get(key)
        if parameter is None or parameter.default is inspect.Parameter.empty:
            changed[key] = value  # a required argument: always worth showing
        elif value is not parameter.default and repr(value) != repr(parameter.default):
            changed[key] = value
    return changed


def _check_estimator(estimator: Any) -> None:
    if isinstance(estimator, type):
        raise InvalidParameterError(
            f"LearnerSklearn: pass an estimator instance, e.g. {estimator.__name__}(), not the class {estimator.__name__}."
        )
    missing = [m for m in ("fit", "predict", "get_params") if not callable(getattr(estimator, m, None))]
    if missing:
        raise InvalidParameterError(
            f"LearnerSklearn: {type(estimator).__name__} is not a scikit-learn predictor (it lacks {missing}); "
            "put a transformer in front of a classifier or regressor with sklearn.pipeline.make_pipeline(...)."
        )


def _infer_task_type(estimator: Any, required: bool) -> str | None:
    from sklearn.base import is_classifier, is_regressor

    if is_classifier(estimator):
        return "classif"
    if is_regressor(estimator):
        return "regr"
    if not required:
        return None
    raise InvalidParameterError(
        f"LearnerSklearn: cannot tell whether {type(estimator).__name__} is a classifier or a regressor; "
        "pass task_type='classif' or task_type='regr'."
    )


def _allows_nan(estimator: Any) -> bool:
    try:
        from sklearn.utils import get_tags

        return bool(get_tags(estimator).input_tags.allow_nan)
    except (ImportError, AttributeError):  # scikit-learn < 1.6
        tags = getattr(estimator, "_get_tags", lambda: {})()
        return bool(tags.get("allow_nan", False))


def _capabilities(estimator: Any, task_type: str) -> tuple[list[str], set[str]]:
    from sklearn.utils.validation import has_fit_parameter

    predict_types = ["response"]
    properties: set[str] = set()
    if task_type == "classif":
        properties |= {"twoclass", "multiclass"}
        if hasattr(estimator, "predict_proba"):
            predict_types.append("prob")
    else:
        try:
            if "return_std" in inspect.signature(estimator.predict).parameters:
                predict_types.append("se")
        except (TypeError, ValueError):
            pass
    if _allows_nan(estimator):
        properties.add("missings")
    if has_fit_parameter(estimator, "sample_weight"):
        properties.add("weights")
    if hasattr(type(estimator), "feature_importances_"):
        properties.add("importance")
    return predict_types, properties


def as_learner_sklearn(estimator: Any, task_type: str | None = None, id: str | None = None) -> LearnerSklearn:
    """Make a jupytorch learner from a scikit-learn estimator.

    Parameters
    ----------
    estimator : sklearn estimator
        An unfitted classifier or regressor (a ``sklearn.pipeline.Pipeline`` works too).
    task_type : {"classif", "regr"}, optional
        Inferred from the estimator when not given.
    id : str, optional
        The learner id; default ``"<task_type>.<EstimatorClassName>"``.

    Examples
    --------
    >>> from sklearn.svm import SVC
    >>> learner = as_learner_sklearn(SVC(probability=True))
    >>> learner.id, learner.predict_types
    ('classif.SVC', ['response', 'prob'])
    """
    return LearnerSklearn(estimator, task_type=task_type, id=id)


def learner_classif_sklearn(estimator: Any = None, id: str | None = None) -> LearnerSklearn:
    """Factory behind ``lrn("classif.sklearn", estimator=...)``."""
    return LearnerSklearn(estimator, task_type="classif", id=id)


def learner_regr_sklearn(estimator: Any = None, id: str | None = None) -> LearnerSklearn:
    """Factory behind ``lrn("regr.sklearn", estimator=...)``."""
    return LearnerSklearn(estimator, task_type="regr", id=id)
