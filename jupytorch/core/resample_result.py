"""``ResampleResult``: the predictions of a resampling, scored and aggregated, with its log."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import pandas as pd

from jupytorch.core.engine import Outcome
from jupytorch.core.exceptions import InvalidParameterError, JupytorchWarning
from jupytorch.core.measure import Measure, as_measures
from jupytorch.core.prediction import Prediction
from jupytorch.core.summary import SummaryRepr

if TYPE_CHECKING:
    from collections.abc import Sequence

    from jupytorch.core.learner import Learner
    from jupytorch.core.resampling import Resampling
    from jupytorch.core.task import Task

__all__ = ["ResampleResult"]


class ResampleResult(SummaryRepr):
    """The result of :func:`resample`: one prediction per iteration, scores and aggregates.

    Parameters
    ----------
    task, learner, resampling
        What was resampled (``learner`` untrained).
    outcomes : list of Outcome
        The finished iterations.

    Examples
    --------
    >>> import jupytorch as jt
    >>> rr = jt.resample(jt.tsk("mtcars"), jt.lrn("regr.featureless"), jt.rsmp("holdout"), seed=1)
    >>> list(rr.score("regr.mae").columns)
    ['task_id', 'learner_id', 'resampling_id', 'iteration', 'regr.mae']
    """

    def __init__(self, task: Task, learner: Learner, resampling: Resampling, outcomes: list[Outcome]):
        self.task = task
        self.learner = learner
        self.resampling = resampling
        self._outcomes = sorted(outcomes, key=lambda o: o.iteration)
        self.stopped = False  # True when the run was stopped (Ctrl-C, Stop) before its last iteration

    @property
    def iters(self) -> int:
        """Number of finished iterations."""
        return len(self._outcomes)

    @property
    def iterations(self) -> list[int]:
        """The iteration numbers (0-based) held; all of ``range(resampling.iters)`` unless partial."""
        return [o.iteration for o in self._outcomes]

    @property
    def task_type(self) -> str:
        """The task type (``classif`` or ``regr``)."""
        return self.task.task_type

    def predictions(self) -> list[Prediction | None]:
        """The test-set prediction of every iteration (None where a learner failed without fallback)."""
        return [o.prediction for o in self._outcomes]

    def prediction(self) -> Prediction:
        """All test-set predictions stacked into one."""
        predictions = [p for p in self.predictions() if p is not None]
        if not predictions:
            raise InvalidParameterError(f"ResampleResult of learner {self.learner.id!r} holds no predictions.")
        return Prediction.combine(predictions)

    @property
    def learners(self) -> list[Learner]:
        """The trained learners with ``store_models=True``; otherwise untrained copies."""
        return [o.learner if o.learner is not None else self.learner.clone() for o in self._outcomes]

    @property
    def seeds(self) -> list[int | None]:
        """The seed each iteration ran with (None when ``resample`` got no seed)."""
        return [o.seed for o in self._outcomes]

    @property
    def internal_valid_scores(self) -> list[dict[str, float] | None]:
        """Per iteration, the validation scores the learner computed while training (or None)."""
        return [o.internal_valid_scores for o in self._outcomes]

    @property
    def internal_tuned_values(self) -> list[dict[str, Any] | None]:
        """Per iteration, the values the learner tuned itself (early-stopped ``epochs``), or None."""
        return [o.internal_tuned_values for o in self._outcomes]

    def _scoring_learner(self, outcome: Outcome) -> Learner:
        if outcome.learner is not None:
            return outcome.learner
        shim = self.learner.clone(deep=False)
        shim.state = {
            "model": None,
            "train_time": outcome.timings.get("train", float("nan")),
            "predict_time": outcome.timings.get("predict", float("nan")),
            "log": list(outcome.log),
            "internal_valid_scores": outcome.internal_valid_scores,
            "internal_tuned_values": outcome.internal_tuned_values,
        }
        return shim

    def score(self, measures: str | Measure | Sequence[str | Measure] | None = None) -> pd.DataFrame:
        """Score every iteration: columns task_id, learner_id, resampling_id, iteration, then one per measure.

        ``measures`` is a Measure, a key, or a list of them (default: ``classif.ce`` / ``regr.mse``).
        Iterations without a prediction (failed, no fallback) score NaN.
        """
        resolved = as_measures(measures, self.task.task_type)
        rows = []
        for outcome in self._outcomes:
            row: dict[str, Any] = {
                "task_id": self.task.id,
                "learner_id": self.learner.id,
                "resampling_id": self.resampling.id,
                "iteration": outcome.iteration,
            }
            for m in resolved:
                row[m.id] = self._score_one(m, outcome)
            rows.append(row)
        columns = ["task_id", "learner_id", "resampling_id", "iteration"] + [m.id for m in resolved]
        return pd.DataFrame(rows, columns=columns)

    def _score_one(self, measure: Measure, outcome: Outcome) -> float:
        if outcome.prediction is None:
            return float("nan")
        return measure.score(
            outcome.prediction,
            task=self.task,
            learner=self._scoring_learner(outcome),
            train_set=self.resampling.train_set(outcome.iteration),
        )

    def aggregate(self, measures: str | Measure | Sequence[str | Measure] | None = None) -> float | dict[str, float]:
        """Combine the iteration scores (the mean, mlr3's macro aggregation).

        Returns a float for one measure (or None: the default), a dict id -> float for a list.
        """
        resolved = as_measures(measures, self.task.task_type)
        scores = self.score(resolved)
        values = {m.id: m.aggregate(scores[m.id].to_numpy()) for m in resolved}
        return values if isinstance(measures, (list, tuple)) else next(iter(values.values()))

    def _log_frame(self, kind: str) -> pd.DataFrame:
        rows = [
            {"iteration": o.iteration, "stage": entry.get("stage", ""), "msg": entry.get("msg", "")}
            for o in self._outcomes
            for entry in o.log
            if entry.get("class") == kind
        ]
        return pd.DataFrame(rows, columns=["iteration", "stage", "msg"])

    @property
    def errors(self) -> pd.DataFrame:
        """Errors caught by encapsulation: iteration, stage, msg."""
        return self._log_frame("error")

    @property
    def warnings(self) -> pd.DataFrame:
        """Warnings issued while training and predicting: iteration, stage, msg."""
        return self._log_frame("warning")

    @property
    def fallback_iterations(self) -> list[int]:
        """The iterations whose prediction came from the learner's fallback (the learner itself failed)."""
        return [o.iteration for o in self._outcomes
                if o.prediction is not None and any(entry.get("class") == "error" for entry in o.log)]

    def warn_failures(self) -> None:
        """Warn when iterations have no prediction (a learner failed and had no fallback), and when
        the fallback answered for the learner (its scores are then the fallback's).
        """
        used = self.fallback_iterations
        if used:
            fallback = getattr(self.learner, "fallback", None)
            warnings.warn(
                f"Learner {self.learner.id!r} failed on task {self.task.id!r} in iteration(s) {used}; its fallback "
                f"{getattr(fallback, 'id', 'learner')!r} predicted there, so those scores are the fallback's, not the "
                "learner's. See rr.errors.",
                JupytorchWarning,
                stacklevel=3,
            )
        missing = [o.iteration for o in self._outcomes if o.prediction is None]
        if missing:
            warnings.warn(
                f"Learner {self.learner.id!r} failed on task {self.task.id!r} in iteration(s) {missing} and has no fallback, "
                "so those iterations score NaN; see rr.errors, and set one with "
                f"learner.encapsulate('try', fallback=lrn('{self.task.task_type}.featureless')).",
                JupytorchWarning,
                stacklevel=3,
            )

    # -- display -------------------------------------------------------------------------------
    def _summary_lines(self) -> list[str]:
        lines = [
            f"* Task: {self.task.id}",
            f"* Learner: {self.learner.id}",
            f"* Resampling: {self.resampling.id} ({self.iters} of {self.resampling.iters} iterations)",
            f"* Errors: {len(self.errors)}, warnings: {len(self.warnings)}",
        ]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                measure = as_measures(None, self.task.task_type)[0]
                lines.append(f"* {measure.id} (mean): {self.aggregate(measure):.4g}")
        except Exception:  # noqa: BLE001 - a printer never raises
            pass
        return lines

    _html_class = "jt-resample-result"

    def _summary_head(self) -> tuple[str, str]:
        return "ResampleResult", f" of {self.iters} iterations"
