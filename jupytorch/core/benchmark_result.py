"""``BenchmarkResult``: the resample results of a :func:`~jupytorch.core.benchmark.benchmark`, with tables over them."""

from __future__ import annotations

import html
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.measure import as_measures
from jupytorch.core.resample_result import ResampleResult

if TYPE_CHECKING:
    from collections.abc import Sequence

    from jupytorch.core.measure import Measure

__all__ = ["BenchmarkResult", "check_unique"]


def check_unique(ids: list[str], what: str, hint: str) -> None:
    """Raise when ``ids`` repeat: a benchmark's tables key its tasks, learners and resamplings by id.

    Examples
    --------
    >>> check_unique(["rpart", "rpart"], "learners", "rename one.")
    Traceback (most recent call last):
    jupytorch.core.exceptions.InvalidParameterError: The learners of a benchmark need distinct ids, but ['rpart'] appear more than once; rename one.
    """
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise InvalidParameterError(
            f"The {what} of a benchmark need distinct ids, but {duplicated} appear more than once; {hint}"
        )


class BenchmarkResult:
    """The result of :func:`~jupytorch.core.benchmark.benchmark`: a list of resample results with tables over all of them.

    Parameters
    ----------
    resample_results : list of ResampleResult

    Examples
    --------
    >>> import jupytorch as jt
    >>> bmr = jt.benchmark(jt.benchmark_grid(jt.tsk("mtcars"), jt.lrn("regr.featureless"), jt.rsmp("holdout")))
    >>> bmr.n_resample_results
    1
    """

    def __init__(self, resample_results: Iterable[ResampleResult] = ()):
        self.stopped = False  # True when the run was stopped (Ctrl-C, Stop) before its last iteration
        self._results = list(resample_results)
        for rr in self._results:
            if not isinstance(rr, ResampleResult):
                raise InvalidParameterError(f"BenchmarkResult holds ResampleResults, got {type(rr).__name__}.")

    @property
    def resample_results(self) -> list[ResampleResult]:
        """The resample results, in design order (``nr`` indexes this list)."""
        return list(self._results)

    @property
    def n_resample_results(self) -> int:
        """Number of resample results (task x learner x resampling combinations)."""
        return len(self._results)

    def resample_result(self, nr: int) -> ResampleResult:
        """The resample result with number ``nr`` (0-based, the ``nr`` column of the tables)."""
        if not 0 <= nr < len(self._results):
            raise InvalidParameterError(f"BenchmarkResult: nr must be in [0, {len(self._results) - 1}], got {nr!r}.")
        return self._results[nr]

    def _unique(self, attribute: str, id_name: str) -> pd.DataFrame:
        seen: dict[str, Any] = {}
        for rr in self._results:
            obj = getattr(rr, attribute)
            seen.setdefault(obj.id, obj)
        return pd.DataFrame({id_name: list(seen), attribute: list(seen.values())}, columns=[id_name, attribute])

    @property
    def tasks(self) -> pd.DataFrame:
        """The tasks: columns task_id, task."""
        return self._unique("task", "task_id")

    @property
    def learners(self) -> pd.DataFrame:
        """The (untrained) learners: columns learner_id, learner."""
        return self._unique("learner", "learner_id")

    @property
    def resamplings(self) -> pd.DataFrame:
        """The resamplings: columns resampling_id, resampling (first instance per id)."""
        return self._unique("resampling", "resampling_id")

    def score(self, measures: str | Measure | Sequence[str | Measure] | None = None) -> pd.DataFrame:
        """One row per iteration: nr, task_id, learner_id, resampling_id, iteration, then one column per measure.

        ``measures`` defaults to ``classif.ce`` / ``regr.mse`` for each task's type.
        """
        frames = [rr.score(measures).assign(nr=nr) for nr, rr in enumerate(self._results)]
        if not frames:
            return pd.DataFrame(columns=["nr", "task_id", "learner_id", "resampling_id", "iteration"])
        frame = pd.concat(frames, ignore_index=True)
        return frame[["nr", *[c for c in frame.columns if c != "nr"]]]

    def aggregate(self, measures: str | Measure | Sequence[str | Measure] | None = None) -> pd.DataFrame:
        """One row per resample result: nr, task_id, learner_id, resampling_id, iters, then the
        mean score of each measure over the iterations.

        Examples
        --------
        >>> import jupytorch as jt
        >>> bmr = jt.benchmark(jt.benchmark_grid(jt.tsk("mtcars"), jt.lrn("regr.featureless"), jt.rsmp("cv", folds=3)))
        >>> bmr.aggregate(["regr.mse", "regr.mae"]).shape
        (1, 7)
        """
        rows = []
        for nr, rr in enumerate(self._results):
            resolved = as_measures(measures, rr.task.task_type)
            values = rr.aggregate(resolved)
            assert isinstance(values, dict)  # a list of measures gives a dict
            rows.append(
                {"nr": nr, "task_id": rr.task.id, "learner_id": rr.learner.id, "resampling_id": rr.resampling.id, "iters": rr.iters, **values}
            )
        frame = pd.DataFrame(rows)
        if frame.empty:
            return pd.DataFrame(columns=["nr", "task_id", "learner_id", "resampling_id", "iters"])
        return frame

    def combine(self, other: BenchmarkResult | ResampleResult) -> BenchmarkResult:
        """Return a new BenchmarkResult with the resample results of both (``bmr1 + bmr2``)."""
        extra = [other] if isinstance(other, ResampleResult) else other.resample_results if isinstance(other, BenchmarkResult) else None
        if extra is None:
            raise InvalidParameterError(f"BenchmarkResult.combine() takes a BenchmarkResult or ResampleResult, got {type(other).__name__}.")
        combined = self._results + list(extra)
        triples = [f"{rr.task.id}/{rr.learner.id}/{rr.resampling.id}" for rr in combined]
        check_unique(triples, "resample results (task/learner/resampling)", "give the learners distinct ids before combining.")
        return BenchmarkResult(combined)

    def __add__(self, other: Any) -> BenchmarkResult:
        if not isinstance(other, (BenchmarkResult, ResampleResult)):
            return NotImplemented
        return self.combine(other)

    def __len__(self) -> int:
        return len(self._results)

    # -- display -------------------------------------------------------------------------------
    def _table(self) -> pd.DataFrame:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return self.aggregate()
        except Exception:  # noqa: BLE001 - a printer never raises
            return pd.DataFrame(
                [{"nr": nr, "task_id": rr.task.id, "learner_id": rr.learner.id, "resampling_id": rr.resampling.id, "iters": rr.iters}
                 for nr, rr in enumerate(self._results)]
            )  # fmt: skip

    def _head(self) -> str:
        n_tasks = len({rr.task.id for rr in self._results})
        n_learners = len({rr.learner.id for rr in self._results})
        return (
            f"<BenchmarkResult> of {self.n_resample_results} resample results "
            f"({n_tasks} task{'s' * (n_tasks != 1)}, {n_learners} learner{'s' * (n_learners != 1)})"
        )

    def __repr__(self) -> str:
        table = self._table()
        return self._head() + ("\n" + table.to_string(index=False) if len(table) else "")

    def _repr_html_(self) -> str:
        table = self._table()
        body = table.to_html(index=False, border=0, escape=True, float_format=lambda v: f"{v:.4g}" if np.isfinite(v) else str(v))
        return f"<div class='jt-benchmark-result'><b>{html.escape(self._head())}</b>{body}</div>"
