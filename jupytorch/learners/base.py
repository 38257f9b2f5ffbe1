"""The family base of learners whose model is a fitted scikit-learn estimator.

A concrete learner declares its ``param_set`` (mlr3's parameter names) and overrides one hook,
``_estimator(task, values, X, y)``, that maps those parameters to an unfitted scikit-learn
estimator. The base class encodes the features (:class:`~jupytorch.learners.encoder.FeatureEncoder`),
fits, maps scikit-learn's ``classes_`` onto the task's class order, checks for missing values
at predict time and offers ``importance()``.

scikit-learn is imported only inside the hooks, when a learner trains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import LearnerError
from jupytorch.core.learner import Learner
from jupytorch.core.task import Task
from jupytorch.learners.encoder import FeatureEncoder

__all__ = ["SklearnLearner", "SKLEARN_FEATURE_TYPES"]

SKLEARN_FEATURE_TYPES = ("numeric", "integer", "logical", "factor", "ordered")


@dataclass
class _Fitted:
    """What ``_train`` hands to ``_make_state``: the estimator, the encoder and extra state."""

    estimator: Any
    encoder: FeatureEncoder
    extras: dict[str, Any] = field(default_factory=dict)


class SklearnLearner(Learner):
    """Base class of learners backed by a scikit-learn estimator.

    Subclasses set ``param_set`` and implement ``_estimator``. ``learner.model`` is the fitted
    scikit-learn estimator; the fitted feature encoder is ``learner.state["encoder"]``. Numeric
    features reach the estimator as a read-only view of a matrix shared by every view of the data
    (:mod:`jupytorch.core.frame_cache`); a subclass whose estimators may write into their input
    sets ``copies_inputs = True``.

    Parameters
    ----------
    id, task_type, param_set, predict_types, feature_types, properties, packages, label
        As for :class:`~jupytorch.core.learner.Learner`.
    encoding : {"one-hot", "treatment"}
        How factor features are encoded (see :mod:`jupytorch.learners.encoder`).
    """

    copies_inputs = False

    def __init__(
        self,
        id: str,
        task_type: str,
        param_set: Any = None,
        predict_types: Any = ("response",),
        feature_types: Any = SKLEARN_FEATURE_TYPES,
        properties: Any = (),
        packages: Any = ("scikit-learn",),
        label: str = "",
        encoding: str = "one-hot",
    ):
        super().__init__(id, task_type, param_set, predict_types, feature_types, properties, packages, label)
        self.encoding = encoding

    # -- hooks ---------------------------------------------------------------------------------
    def _estimator(self, task: Task, values: dict[str, Any], X: np.ndarray, y: np.ndarray) -> Any:
        """Return the unfitted scikit-learn estimator for these parameter values."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _estimator().")

    def _fit_extras(self, estimator: Any, X: np.ndarray, y: np.ndarray, weights: np.ndarray | None) -> dict[str, Any]:
        """Extra state to keep after fitting (for example what ``se`` predictions need)."""
        return {}

    def _predict_se(self, X: np.ndarray) -> np.ndarray | None:
        """Standard errors for regression predictions; learners with ``se`` override this."""
        return None

    def _raw_importance(self, estimator: Any) -> np.ndarray:
        """Importance of each encoded column; default: the estimator's ``feature_importances_``."""
        return np.asarray(estimator.feature_importances_, dtype=float)

    # -- train / predict -----------------------------------------------------------------------
    def _train(self, task: Task, values: dict[str, Any]) -> _Fitted:
        encoder = FeatureEncoder(self.encoding).fit_task(task)
        X = self._inputs(encoder, task)
        y = _target(task)
        estimator = self._estimator(task, values, X, y)
        weights = None
        if task.weights is not None and "weights" in self.properties:
            weights = task.weights.to_numpy(dtype=np.float64)
        estimator.fit(X, y, **({} if weights is None else {"sample_weight": weights}))
        return _Fitted(estimator, encoder, self._fit_extras(estimator, X, y, weights))

    def _inputs(self, encoder: FeatureEncoder, task: Task) -> np.ndarray:
        X = encoder.transform_task(task)
        return X.copy() if self.copies_inputs and not X.flags.writeable else X

    def _make_state(self, task: Task, model: Any, values: dict[str, Any], log: list[dict[str, str]], seconds: float) -> dict[str, Any]:
        extras: dict[str, Any] = {}
        if isinstance(model, _Fitted):
            extras = {"encoder": model.encoder, **model.extras}
            model = model.estimator
        state = super()._make_state(task, model, values, log, seconds)
        state.update(extras)
        return state

    def _predict(self, task: Task, values: dict[str, Any]) -> dict[str, Any]:
        state = self._check_trained()
        estimator, encoder = state["model"], state["encoder"]
        X = self._inputs(encoder, task)
        self._check_predict_values(task, X, encoder)
        if self.task_type == "classif":
            if self.predict_type == "prob":
                return {"prob": _prob_in_task_order(estimator, estimator.predict_proba(X), state["class_names"], self.id)}
            return {"response": np.asarray(estimator.predict(X)).astype(str)}
        out = {"response": np.asarray(estimator.predict(X), dtype=np.float64).reshape(-1)}
        if self.predict_type == "se":
            out["se"] = self._predict_se(X)
        return out

    def _check_predict_values(self, task: Task, X: np.ndarray, encoder: FeatureEncoder) -> None:
        if X.size == 0:
            return
        for kind, bad_values, advice in (
            ("missing values (NaN)", np.isnan(X) if "missings" not in self.properties else None,
             "An ordered factor level unseen in training counts as missing. Impute first, e.g. po('imputehist') >> learner."),
            ("infinite values (inf)", np.isinf(X), "Replace them first, e.g. with NaN and then po('imputehist') >> learner, or clip them."),
        ):
            if bad_values is not None and bad_values.any():
                counts = pd.Series(bad_values.sum(axis=0), index=encoder.source_)
                self._refuse_values(task, counts.groupby(level=0, sort=False).max(), f"cannot predict rows with {kind}", advice)

    # -- importance ----------------------------------------------------------------------------
    def importance(self) -> pd.Series:
        """Return the importance of each feature, largest first (learners with ``importance``).

        Importances of the one-hot columns of a factor are added up, so there is one value per
        feature of the training task.

        Examples
        --------
        >>> from jupytorch import tsk, lrn
        >>> learner = lrn("regr.rpart").train(tsk("mtcars"))
        >>> learner.importance().index[0] in tsk("mtcars").feature_names
        True
        """
        if "importance" not in self.properties:
            raise LearnerError(f"Learner {self.id!r} does not compute feature importances (no 'importance' property).")
        state = self._check_trained()
        raw = self._raw_importance(state["model"])
        out = state["encoder"].sum_by_feature(raw).sort_values(ascending=False, kind="stable")
        out.name = "importance"
        return out


def _target(task: Task) -> np.ndarray:
    values = task._column_values(task.target_names[0])
    if task.task_type == "classif":
        return values.astype(str).astype(object)
    return values.astype(np.float64, copy=False)


def _prob_in_task_order(estimator: Any, prob: np.ndarray, class_names: list[str], learner_id: str) -> np.ndarray:
    """Reorder scikit-learn's probability columns (``classes_`` order) into the task's class order.

    Classes absent from the training rows get probability 0.
    """
    classes = [str(c) for c in estimator.classes_]
    unknown = [c for c in classes if c not in class_names]
    if unknown:
        raise LearnerError(f"Learner {learner_id!r}: the model knows classes {unknown} that the task does not ({class_names}).")
    prob = np.asarray(prob, dtype=np.float64)
    out = np.zeros((prob.shape[0], len(class_names)), dtype=np.float64)
    out[:, [class_names.index(c) for c in classes]] = prob
    return out
