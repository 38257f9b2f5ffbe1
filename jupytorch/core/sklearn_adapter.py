"""A jupytorch learner as a scikit-learn estimator: what ``learner.to_sklearn()`` returns.

This module imports scikit-learn at the top (its classes derive from scikit-learn's), so nothing
imports it except ``Learner.to_sklearn`` when called: ``import jupytorch`` stays light.

``fit(X, y)`` builds a task from ``X`` (a DataFrame, or an array whose columns are named
``x0, x1, ...``) and ``y``, and trains a copy of the learner on it; ``predict``,
``predict_proba`` and ``score`` follow scikit-learn's conventions, so the adapter works in
``cross_val_score``, ``GridSearchCV`` and after other steps of a ``Pipeline``. String columns
of a DataFrame become factors. The learner's parameters are exposed as ``learner__<id>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from jupytorch.core.exceptions import InvalidParameterError, TaskError
from jupytorch.core.task import TaskClassif, TaskRegr

if TYPE_CHECKING:
    from jupytorch.core.learner import Learner

__all__ = ["SklearnAdapter", "SklearnClassifier", "SklearnRegressor"]


class _FitMethod:
    """``fit(X, y[, sample_weight])``: ``sample_weight`` is in the signature only where the learner has weights.

    scikit-learn decides from ``fit``'s signature whether an estimator takes observation weights
    (``has_fit_parameter``, metadata routing, its estimator checks), so a learner without the
    ``weights`` property gets ``fit(X, y)``.
    """

    def __get__(self, adapter: Any, owner: Any) -> Any:
        if adapter is None:
            return owner._fit
        if "weights" in getattr(adapter.learner, "properties", ()):
            return self._with_weights(adapter)
        return self._without_weights(adapter)

    @staticmethod
    def _with_weights(adapter: Any) -> Any:
        def fit(X: Any, y: Any, sample_weight: Any = None) -> Any:
            return adapter._fit(X, y, sample_weight)

        fit.__doc__ = "Train a copy of the learner on ``X`` and ``y`` (with ``sample_weight``); returns self."
        return fit

    @staticmethod
    def _without_weights(adapter: Any) -> Any:
        def fit(X: Any, y: Any, **fit_params: Any) -> Any:
            if fit_params:
                raise InvalidParameterError(
                    f"Learner {adapter.learner.id!r} does not support observation weights or other fit "
                    f"parameters ({', '.join(fit_params)}); learners with the 'weights' property take sample_weight."
                )
            return adapter._fit(X, y)

        fit.__doc__ = "Train a copy of the learner on ``X`` and ``y``; returns self."
        return fit


class SklearnAdapter(BaseEstimator):
    """Wrap a jupytorch learner as a scikit-learn estimator.

    ``SklearnAdapter(learner)`` returns a :class:`SklearnClassifier` for a classification
    learner and a :class:`SklearnRegressor` for a regression learner.

    Parameters
    ----------
    learner : Learner
        The (untrained) jupytorch learner; it is copied at each ``fit`` and never changed.

    Attributes
    ----------
    learner_ : Learner
        The trained copy.
    classes_ : numpy.ndarray
        The class labels seen in ``fit`` (classifiers), sorted as scikit-learn sorts them.
    n_features_in_ : int
        Number of columns of ``X`` in ``fit``.
    feature_names_in_ : numpy.ndarray
        Column names of ``X`` when it was a DataFrame with string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.model_selection import cross_val_score
    >>> from jupytorch import lrn
    >>> X, y = load_diabetes(return_X_y=True)
    >>> est = lrn("regr.rpart", maxdepth=3).to_sklearn()
    >>> type(est).__name__, len(cross_val_score(est, X, y, cv=3))
    ('SklearnRegressor', 3)
    """

    def __new__(cls, learner: Learner | None = None) -> SklearnAdapter:
        if cls is SklearnAdapter and learner is not None:
            cls = SklearnClassifier if getattr(learner, "task_type", None) == "classif" else SklearnRegressor
        return super().__new__(cls)

    def __init__(self, learner: Learner | None = None):
        self.learner: Any = learner  # scikit-learn's set_params may set anything; fit checks it

    # -- scikit-learn parameter protocol ---------------------------------------------------------
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return ``{"learner": ...}``, and with ``deep=True`` every learner parameter as ``learner__<id>``."""
        out: dict[str, Any] = {"learner": self.learner}
        # scikit-learn sets any value first and validates in fit: expand only a real learner
        if deep and hasattr(self.learner, "param_set"):
            values = self.learner.param_set.get_values(with_defaults=True)
            out.update({f"learner__{pid}": values.get(pid) for pid in self.learner.param_set.params})
            out["learner__predict_type"] = self.learner.predict_type
        return out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = "missings" in getattr(self.learner, "properties", ())
        tags.input_tags.sparse = True  # densified on input
        return tags

    # -- fit / predict ---------------------------------------------------------------------------
    fit = _FitMethod()

    def _fit(self, X: Any, y: Any, sample_weight: Any = None) -> SklearnAdapter:
        learner = self._checked_learner()
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        frame = self._as_frame(X, fitting=True)
        target = _free_name("target", frame.columns)
        y = _as_1d(y, len(frame))
        self._check_target(y)
        data = frame.assign(**{target: self._encode_target(y)})
        task_cls = TaskClassif if learner.task_type == "classif" else TaskRegr
        task = task_cls("sklearn_data", data, target=target)
        if sample_weight is not None:
            if "weights" not in learner.properties:
                raise InvalidParameterError(f"Learner {learner.id!r} does not support observation weights (sample_weight).")
            sample_weight = _as_1d(sample_weight, len(frame)).astype(float)
            if not np.any(sample_weight):
                raise ValueError(f"{type(self).__name__}: sample weights are all zero; at least one row needs a positive weight.")
            weight_col = _free_name("weight", data.columns)
            task.cbind(pd.DataFrame({weight_col: sample_weight}, index=data.index))
            task.set_col_roles(weight_col, roles="weight")
        trained = learner.clone().reset()
        trained.train(task)
        self.learner_ = trained
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predict the response for the rows of ``X``."""
        return self._from_response(self._predict(X, None).response)

    def _predict(self, X: Any, predict_type: str | None) -> Any:
        check_is_fitted(self, "learner_")
        frame = self._as_frame(X, fitting=False)
        learner = self.learner_
        previous = learner.predict_type
        if predict_type is not None:
            learner.predict_type = predict_type
        try:
            return learner.predict_newdata(frame)
        finally:
            learner.predict_type = previous

    # -- helpers ---------------------------------------------------------------------------------
    def _checked_learner(self) -> Learner:
        from jupytorch.core.learner import Learner

        if not isinstance(self.learner, Learner):
            raise InvalidParameterError(
                f"{type(self).__name__}: 'learner' must be a jupytorch Learner, got {type(self.learner).__name__}."
            )
        return self.learner

    def _as_frame(self, X: Any, fitting: bool) -> pd.DataFrame:
        if hasattr(X, "toarray") and not isinstance(X, (pd.DataFrame, np.ndarray)):
            X = X.toarray()  # scipy sparse
        if isinstance(X, pd.DataFrame):
            frame = X.reset_index(drop=True)
            frame.columns = [str(c) for c in frame.columns]
            if fitting and all(isinstance(c, str) for c in X.columns):
                self.feature_names_in_ = np.asarray(X.columns, dtype=object)
            elif fitting and hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        else:
            array = _as_2d_array(X, type(self).__name__)
            frame = pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])
            if array.dtype == object:
                frame = frame.infer_objects()
            if not fitting and hasattr(self, "feature_names_in_"):
                frame.columns = list(self.feature_names_in_)
        if fitting:
            self.n_features_in_ = frame.shape[1]
        elif frame.shape[1] != self.n_features_in_:
            raise TaskError(
                f"X has {frame.shape[1]} features, but {type(self).__name__} is expecting {self.n_features_in_} features as input."
            )
        strings = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c]) and not _is_bool_column(frame[c])]
        return frame.astype({c: "category" for c in strings}) if strings else frame

    def _check_target(self, y: np.ndarray) -> None:
        """Refuse targets this kind of estimator cannot learn (classifiers: continuous labels)."""

    def _encode_target(self, y: np.ndarray) -> Any:
        return y.astype(np.float64)

    def _from_response(self, response: pd.Series) -> np.ndarray:
        return response.to_numpy(dtype=np.float64)

    def __repr__(self, N_CHAR_MAX: int = 700) -> str:  # noqa: N803 - scikit-learn's signature
        learner = "None" if self.learner is None else f"lrn({self.learner.id!r})"
        return f"{type(self).__name__}(learner={learner})"


def _has_prob(adapter: SklearnAdapter) -> bool:
    return adapter.learner is not None and "prob" in adapter.learner.predict_types


class SklearnClassifier(ClassifierMixin, SklearnAdapter):
    """A jupytorch classification learner as a scikit-learn classifier (see :class:`SklearnAdapter`).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from jupytorch import lrn
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = lrn("classif.rpart").to_sklearn().fit(X, y)
    >>> clf.classes_.tolist(), clf.predict_proba(X[:1]).round(2).tolist()
    ([0, 1, 2], [[1.0, 0.0, 0.0]])
    """

    def _check_target(self, y: np.ndarray) -> None:
        from sklearn.utils.multiclass import check_classification_targets

        check_classification_targets(y)  # "Unknown label type: continuous ..." for a regression target

    def _encode_target(self, y: np.ndarray) -> Any:
        try:
            classes = np.unique(y)
        except TypeError as error:
            raise TaskError(f"{type(self).__name__}: the class labels in y cannot be sorted ({error}).") from error
        names = [str(c) for c in classes]
        if len(set(names)) != len(names):
            raise TaskError(f"{type(self).__name__}: class labels {classes.tolist()} collide when turned into strings.")
        self.classes_ = classes
        self._class_names = names
        return pd.Categorical.from_codes(np.searchsorted(classes, y), categories=names)

    def _from_response(self, response: pd.Series) -> np.ndarray:
        codes = pd.Categorical(response.astype(object), categories=self._class_names).codes
        return self.classes_[codes]

    @available_if(_has_prob)
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities for the rows of ``X``; columns follow ``classes_``."""
        prob = self._predict(X, "prob").prob
        return prob[self._class_names].to_numpy(dtype=np.float64)

    @available_if(_has_prob)
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))


class SklearnRegressor(RegressorMixin, SklearnAdapter):
    """A jupytorch regression learner as a scikit-learn regressor (see :class:`SklearnAdapter`)."""


def _as_2d_array(X: Any, owner: str) -> np.ndarray:
    """``X`` as a 2-d array, with scikit-learn's own errors (1-d input, complex numbers, objects).

    Numbers stored as objects become floats; an object array holding strings keeps them, so that
    string columns become factors as they do for a DataFrame.
    """
    from sklearn.utils.validation import check_array

    try:
        return check_array(X, dtype="numeric", ensure_all_finite=False, ensure_min_samples=1)
    except ValueError as error:
        array = np.asarray(X)
        if array.dtype != object or array.ndim != 2 or "could not convert string" not in str(error):
            raise ValueError(f"{owner}: {error}") from None
        return array


def _as_1d(values: Any, n: int) -> np.ndarray:
    from sklearn.utils.validation import column_or_1d

    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = column_or_1d(array, warn=True)  # DataConversionWarning, as scikit-learn's estimators give
    if array.ndim != 1 or len(array) != n:
        raise TaskError(f"y must be one-dimensional with one value per row of X ({n}); got shape {array.shape}.")
    return array


def _free_name(base: str, taken: Any) -> str:
    taken = set(map(str, taken))
    name = f"__{base}__"
    while name in taken:
        name += "_"
    return name


def _is_bool_column(series: pd.Series) -> bool:
    non_missing = series.dropna()
    return bool(len(non_missing)) and bool(non_missing.map(type).eq(bool).all())
