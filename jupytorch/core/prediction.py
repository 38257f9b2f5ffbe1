"""Predictions: what a learner returns, and what measures score."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from jupytorch.core.learner import Learner
    from jupytorch.core.measure import Measure
    from jupytorch.core.task import Task

__all__ = ["Prediction", "PredictionClassif", "PredictionRegr"]


class Prediction:
    """Base class of predictions: row ids, truth and response.

    Use :class:`PredictionClassif` or :class:`PredictionRegr`; learners build them.

    Examples
    --------
    >>> p = PredictionRegr(row_ids=[0, 1], truth=[1.0, 2.0], response=[1.5, 2.5])
    >>> isinstance(p, Prediction), p.score("regr.mae")
    (True, 0.5)
    """

    task_type = ""

    def __init__(self, row_ids: Sequence[int] | np.ndarray, truth: ArrayLike | None, response: ArrayLike | None):
        self.row_ids = np.asarray(row_ids, dtype=np.int64).reshape(-1)
        n = len(self.row_ids)
        self._truth = self._as_column(truth, n, "truth")
        self._response = self._as_column(response, n, "response")

    def _as_column(self, values: ArrayLike | None, n: int, what: str) -> np.ndarray:
        array = np.asarray(values) if values is not None else np.full(n, np.nan)
        if array.shape != (n,):
            raise InvalidParameterError(f"{type(self).__name__}: {what} has shape {array.shape}, expected ({n},).")
        return array

    def __len__(self) -> int:
        return len(self.row_ids)

    @property
    def truth(self) -> pd.Series:
        """The true target values, indexed by row id."""
        return pd.Series(self._truth, index=self.row_ids, name="truth")

    @property
    def response(self) -> pd.Series:
        """The predicted values, indexed by row id."""
        return pd.Series(self._response, index=self.row_ids, name="response")

    @property
    def predict_types(self) -> list[str]:
        """Which predictions this object holds (``response``, ``prob``, ``se``)."""
        return ["response"]

    def score(self, measures: str | Measure | Sequence[str | Measure] | None = None, task: Task | None = None,
              learner: Learner | None = None, train_set: Sequence[int] | np.ndarray | None = None) -> float | dict[str, float]:
        """Score with one measure (returns a float) or several (returns a dict id -> float).

        Parameters
        ----------
        measures : Measure, str, or list of them, optional
            Default: ``classif.ce`` or ``regr.mse``.
        task, learner, train_set : optional
            For measures that need them (``time_train`` needs the learner).

        Examples
        --------
        >>> p = PredictionRegr(row_ids=[0, 1], truth=[1.0, 2.0], response=[1.5, 2.0])
        >>> p.score("regr.mse")
        0.125
        """
        from jupytorch.core.measure import as_measures

        single = measures is None or not isinstance(measures, (list, tuple))
        resolved = as_measures(measures, task_type=self.task_type)
        scores = {m.id: m.score(self, task=task, learner=learner, train_set=train_set) for m in resolved}
        return next(iter(scores.values())) if single else scores

    def as_data_frame(self) -> pd.DataFrame:
        """Return one row per observation: row_ids, truth, response (and prob.<class> / se)."""
        return pd.DataFrame({"row_ids": self.row_ids, "truth": self._truth, "response": self._response})

    def filter(self, row_ids: Sequence[int]) -> Prediction:
        """Return the prediction restricted to ``row_ids`` (in this prediction's order)."""
        keep = np.isin(self.row_ids, np.asarray(row_ids))
        return self._subset(keep)

    def _subset(self, mask: np.ndarray) -> Prediction:
        raise NotImplementedError

    @classmethod
    def combine(cls, predictions: Sequence[Prediction]) -> Prediction:
        """Stack several predictions (for example of all resampling iterations) into one."""
        if not predictions:
            raise InvalidParameterError("combine() needs at least one prediction.")
        first = predictions[0]
        return first._combine(list(predictions))

    def _combine(self, predictions: list[Prediction]) -> Prediction:
        raise NotImplementedError

    def __repr__(self) -> str:
        frame = self.as_data_frame()
        return f"<{type(self).__name__}> for {len(self)} observations:\n{frame.head(6).to_string(index=False)}" + (
            "\n..." if len(frame) > 6 else ""
        )

    def _repr_html_(self) -> str:
        frame = self.as_data_frame()
        return (
            f"<div class='jt-prediction'><b>{html.escape(type(self).__name__)}</b> for {len(self)} observations"
            f"{frame.head(6).to_html(index=False, border=0)}</div>"
        )


class PredictionRegr(Prediction):
    """A regression prediction: numeric truth and response, optional standard errors.

    Examples
    --------
    >>> p = PredictionRegr(row_ids=[3, 4], truth=[1.0, 2.0], response=[1.0, 3.0])
    >>> p.score(["regr.mae", "regr.mse"])
    {'regr.mae': 0.5, 'regr.mse': 0.5}
    """

    task_type = "regr"

    def __init__(self, row_ids: Sequence[int] | np.ndarray, truth: ArrayLike | None, response: ArrayLike | None,
                 se: ArrayLike | None = None):
        super().__init__(row_ids, truth, response)
        self._truth = self._truth.astype(float)
        self._response = self._response.astype(float)
        self._se = None if se is None else self._as_column(se, len(self.row_ids), "se").astype(float)

    @property
    def se(self) -> pd.Series | None:
        """Standard errors of the response, when the learner predicts them."""
        return None if self._se is None else pd.Series(self._se, index=self.row_ids, name="se")

    @property
    def predict_types(self) -> list[str]:
        return ["response"] + (["se"] if self._se is not None else [])

    def as_data_frame(self) -> pd.DataFrame:
        frame = super().as_data_frame()
        if self._se is not None:
            frame["se"] = self._se
        return frame

    def _subset(self, mask: np.ndarray) -> PredictionRegr:
        return PredictionRegr(self.row_ids[mask], self._truth[mask], self._response[mask], None if self._se is None else self._se[mask])

    def _combine(self, predictions: list[Prediction]) -> PredictionRegr:
        se = None if any(p._se is None for p in predictions) else np.concatenate([p._se for p in predictions])  # type: ignore[attr-defined]
        return PredictionRegr(
            np.concatenate([p.row_ids for p in predictions]),
            np.concatenate([p._truth for p in predictions]),
            np.concatenate([p._response for p in predictions]),
            se,
        )


class PredictionClassif(Prediction):
    """A classification prediction: class labels and optionally class probabilities.

    Parameters
    ----------
    row_ids : sequence of int
    truth : sequence of str
        True labels (may be missing when predicting new data).
    class_names : list of str
        All classes, positive first for binary tasks.
    response : sequence of str, optional
        Predicted labels; derived from ``prob`` (the most probable class) when missing.
    prob : array-like or DataFrame of shape (n, n_classes), optional
        Class probabilities, columns in the order of ``class_names``.

    Examples
    --------
    >>> p = PredictionClassif([0, 1, 2], truth=["a", "b", "b"], class_names=["a", "b"],
    ...                       prob=[[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    >>> p.response.tolist()
    ['a', 'b', 'a']
    >>> p.score("classif.acc")
    0.6666666666666666
    """

    task_type = "classif"

    def __init__(
        self,
        row_ids: Sequence[int] | np.ndarray,
        truth: ArrayLike | None,
        class_names: Sequence[str],
        response: ArrayLike | None = None,
        prob: ArrayLike | pd.DataFrame | None = None,
    ):
        self.class_names = [str(c) for c in class_names]
        n = len(row_ids)
        self._prob: np.ndarray | None = None
        if prob is not None:
            if isinstance(prob, pd.DataFrame):
                prob = prob[self.class_names].to_numpy()
            prob = np.asarray(prob, dtype=float)
            if prob.shape != (n, len(self.class_names)):
                raise InvalidParameterError(
                    f"PredictionClassif: prob has shape {prob.shape}, expected ({n}, {len(self.class_names)}) "
                    f"for classes {self.class_names}."
                )
            self._prob = prob
            if response is None:
                response = np.asarray(self.class_names, dtype=object)[prob.argmax(axis=1)] if n else np.array([], dtype=object)
        if response is None:
            raise InvalidParameterError("PredictionClassif needs a response or prob.")
        truth = np.asarray(truth, dtype=object) if truth is not None else np.full(n, None, dtype=object)
        super().__init__(row_ids, truth, np.asarray(response, dtype=object))
        self._truth = _labels_or_none(self._truth)
        self._response = self._response.astype(str).astype(object) if n else self._response.astype(object)

    def _categorical(self, values: np.ndarray, name: str) -> pd.Series:
        return pd.Series(pd.Categorical(values, categories=self.class_names), index=self.row_ids, name=name)

    @property
    def truth(self) -> pd.Series:
        """True labels as a categorical Series indexed by row id."""
        return self._categorical(self._truth, "truth")

    @property
    def response(self) -> pd.Series:
        """Predicted labels as a categorical Series indexed by row id."""
        return self._categorical(self._response, "response")

    @property
    def prob(self) -> pd.DataFrame | None:
        """Class probabilities (rows: row ids, columns: class names), or None."""
        if self._prob is None:
            return None
        return pd.DataFrame(self._prob, index=self.row_ids, columns=self.class_names)

    @property
    def predict_types(self) -> list[str]:
        return ["response"] + (["prob"] if self._prob is not None else [])

    @property
    def confusion(self) -> pd.DataFrame:
        """Confusion matrix: rows are the predicted classes, columns the true classes (as in mlr3)."""
        matrix = pd.crosstab(self.response, self.truth, dropna=False)
        matrix = matrix.reindex(index=self.class_names, columns=self.class_names, fill_value=0)
        matrix.index.name, matrix.columns.name = "response", "truth"
        return matrix

    def set_threshold(self, threshold: float) -> PredictionClassif:
        """Return a binary prediction whose response is the positive class where its prob >= threshold."""
        if self._prob is None or len(self.class_names) != 2:
            raise InvalidParameterError("set_threshold() needs a binary prediction with predict_type 'prob'.")
        if not 0 <= threshold <= 1:
            raise InvalidParameterError(f"threshold must be in [0, 1], got {threshold!r}.")
        positive, negative = self.class_names
        response = np.where(self._prob[:, 0] >= threshold, positive, negative)
        return PredictionClassif(self.row_ids, self._truth, self.class_names, response=response, prob=self._prob)

    def as_data_frame(self) -> pd.DataFrame:
        frame = super().as_data_frame()
        if self._prob is not None:
            for j, name in enumerate(self.class_names):
                frame[f"prob.{name}"] = self._prob[:, j]
        return frame

    def _subset(self, mask: np.ndarray) -> PredictionClassif:
        prob = None if self._prob is None else self._prob[mask]
        return PredictionClassif(self.row_ids[mask], self._truth[mask], self.class_names, self._response[mask], prob)

    def _combine(self, predictions: list[Prediction]) -> PredictionClassif:
        probs = [p._prob for p in predictions]  # type: ignore[attr-defined]
        prob = None if any(p is None for p in probs) else np.concatenate(probs)
        return PredictionClassif(
            np.concatenate([p.row_ids for p in predictions]),
            np.concatenate([p._truth for p in predictions]),
            self.class_names,
            np.concatenate([p._response for p in predictions]),
            prob,
        )


def _labels_or_none(values: np.ndarray) -> np.ndarray:
    """Labels as strings in an object array, missing ones (None, NaN) as None, without a row loop."""
    series = pd.Series(values, dtype=object)
    missing = series.isna().to_numpy()
    labels = series.astype(str).to_numpy(dtype=object)
    labels[missing] = None
    return labels
