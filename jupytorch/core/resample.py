"""``resample()``: train and test a learner on every split of a resampling, and its result.

Each iteration trains a fresh copy of the learner on ``train_set(i)`` and predicts
``test_set(i)``. Iterations run through joblib (``n_jobs``), so any joblib backend the user
chooses with ``joblib.parallel_config`` (processes, threads, Dask, Ray) runs them; learners and
tasks must therefore be picklable. A failing iteration loses nothing else: with
``learner.encapsulate("try", fallback=...)`` its error is recorded and the fallback predicts;
otherwise the error is raised with a note naming the iteration and carries the finished
iterations as ``error.partial_result``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from jupytorch.core import progress
from jupytorch.core.exceptions import InvalidParameterError, JupytorchWarning, TaskError
from jupytorch.core.measure import Measure, as_measures
from jupytorch.core.prediction import Prediction
from jupytorch.core.summary import SummaryRepr

__all__ = ["resample", "ResampleResult"]


@dataclasses.dataclass
class Outcome:
    """What one iteration sends back: its prediction, log and timings (and the model if stored)."""

    key: int
    iteration: int
    prediction: Prediction | None = None
    log: list[dict[str, str]] = dataclasses.field(default_factory=list)
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    learner: Any = None
    internal_valid_scores: dict[str, float] | None = None
    internal_tuned_values: dict[str, Any] | None = None
    seed: int | None = None
    error: BaseException | None = None
    traceback: str = ""


# -- one iteration (runs in a joblib worker) ------------------------------------------------------
@contextlib.contextmanager
def _seeded(seed: int | None) -> Iterator[None]:
    """Seed Python's, numpy's and (when loaded) torch's global generators; restore them after."""
    if seed is None:
        yield
        return
    torch = sys.modules.get("torch")
    saved = (random.getstate(), np.random.get_state(), torch.random.get_rng_state() if torch else None)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    if torch is not None:
        torch.manual_seed(seed)
    try:
        yield
    finally:
        random.setstate(saved[0])
        np.random.set_state(saved[1])
        if torch is not None:
            torch.random.set_rng_state(saved[2])


def _seed_learner(learner: Any, seed: int) -> None:
    """Give parameters tagged ``seed`` that the user left unset the iteration's seed."""
    ps = learner.param_set
    values = ps.values
    for pid in ps.ids(tags=["seed"]):
        if pid not in values:
            with contextlib.suppress(InvalidParameterError):
                ps.set_values(**{pid: seed % 2**31})


def run_iteration(task: Any, learner: Any, train: np.ndarray, test: np.ndarray, iteration: int, seed: int | None, store_model: bool, key: int = 0) -> Outcome:
    """Train a copy of ``learner`` on the rows ``train`` of ``task`` and predict ``test``.

    A learner with ``validate="test"`` gets the test rows as its internal validation task (as in
    mlr3). Errors are returned in the Outcome (never raised) so that finished iterations survive.
    """
    learner = learner.clone()
    outcome = Outcome(key=key, iteration=iteration, seed=seed)
    extra_log: list[dict[str, str]] = []
    with _seeded(seed):
        if seed is not None:
            _seed_learner(learner, seed)
        try:
            learner.train(_with_test_validation(task, test) if getattr(learner, "validate", None) == "test" else task, train)
            outcome.prediction = learner.predict(task, test)
        except Exception as error:  # noqa: BLE001 - recorded or handed back to the caller
            if learner.encapsulation != "try":
                outcome.error, outcome.traceback = error, traceback.format_exc()
                return outcome
            msg = f"{type(error).__name__}: {error}"
            failed_without_fallback = bool((learner.state or {}).get("failed")) and learner.fallback is None
            if not failed_without_fallback and all(entry.get("msg") != msg for entry in learner.log):
                stage = "predict" if learner.state is not None else "train"
                extra_log.append({"stage": stage, "class": "error", "msg": msg})
            if not failed_without_fallback:
                outcome.prediction = _fallback_prediction(learner, task, train, test, extra_log)
    outcome.log = learner.log + extra_log
    outcome.timings = dict(learner.timings)
    outcome.internal_valid_scores = _learner_values(learner, "internal_valid_scores")
    outcome.internal_tuned_values = _learner_values(learner, "internal_tuned_values")
    if store_model:
        outcome.learner = learner
    return outcome


def _with_test_validation(task: Any, test: np.ndarray) -> Any:
    """A copy of ``task`` whose internal validation task holds the test rows (``validate="test"``)."""
    valid = task.clone()
    valid.internal_valid_task = None
    valid.filter(test)
    out = task.clone()
    out.internal_valid_task = valid
    return out


def _fallback_prediction(learner: Any, task: Any, train: np.ndarray, test: np.ndarray, log: list[dict[str, str]]) -> Prediction | None:
    fallback = learner.fallback
    if fallback is None:
        return None
    try:
        fallback = fallback.clone()
        if learner.predict_type in fallback.predict_types:
            fallback.predict_type = learner.predict_type
        return fallback.train(task, train).predict(task, test)
    except Exception as error:  # noqa: BLE001 - recorded
        log.append({"stage": "fallback", "class": "error", "msg": f"{type(error).__name__}: {error}"})
        return None


def _learner_values(learner: Any, name: str) -> dict[str, Any] | None:
    """``learner.<name>`` (or ``learner.state[name]``) as a dict, or None."""
    try:
        values = getattr(learner, name, None)
    except Exception:  # noqa: BLE001 - a property of a failed learner may raise
        values = None
    if values is None:
        values = (learner.state or {}).get(name)
    return dict(values) if values else None


# -- running many iterations ------------------------------------------------------------------------
def iteration_seeds(seed: int | None, n: int, *path: int) -> list[int | None]:
    """Independent seeds for ``n`` iterations derived from ``seed`` (all None when it is None)."""
    if seed is None:
        return [None] * n
    children = np.random.SeedSequence([int(seed), *path]).spawn(n)
    return [int(child.generate_state(1)[0]) for child in children]


@dataclasses.dataclass
class Run:
    """What :func:`run_all` hands back."""

    finished: list[Outcome]
    error: BaseException | None = None
    failed: Outcome | None = None
    stopped: bool = False


def run_all(calls: list[tuple[Any, ...]], n_jobs: int | None, on_outcome: Callable[[Outcome], None]) -> Run:
    """Run ``run_iteration(*call)`` for every call through joblib.

    Stops at the first error (returned with the outcome that carried it, never raised), at
    Ctrl-C (returned as the error) and when a progress view asks to stop; with a streaming
    backend, iterations not yet started are then cancelled. The finished outcomes are kept.
    """
    from joblib import Parallel, delayed

    try:
        parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    except ValueError:  # a backend that cannot stream results returns them all at the end
        parallel = Parallel(n_jobs=n_jobs)
    run = Run([])
    results = parallel(delayed(run_iteration)(*call) for call in calls)
    try:
        for outcome in results:
            if outcome.error is not None:
                run.error, run.failed = outcome.error, outcome
                break
            run.finished.append(outcome)
            on_outcome(outcome)
            if progress.should_stop():
                run.stopped = True
                break
    except KeyboardInterrupt as error:
        run.error = error
    except Exception as error:  # noqa: BLE001 - pickling or worker failures; handed back
        error.add_note(
            f"This happened while running iterations with joblib (n_jobs={n_jobs!r}); learners and tasks must be "
            "picklable to run in other processes."
        )
        run.error = error
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # joblib's note that it cancelled the remaining tasks
                close()
    return run


def add_error_notes(error: BaseException, outcome: Outcome | None, where: str) -> None:
    """Say where ``error`` happened; add the worker's traceback when it was lost in transit."""
    if outcome is not None and error.__traceback__ is None and outcome.traceback:
        error.add_note("Traceback in the worker:\n" + outcome.traceback.rstrip())
    error.add_note(where)


def check_instantiated(resampling: Any, task: Any) -> None:
    """Raise unless ``resampling`` is instantiated on a task like ``task`` (same id, rows)."""
    if resampling.task_id != task.id or resampling.task_nrow != task.nrow:
        raise InvalidParameterError(
            f"Resampling {resampling.id!r} is instantiated on task {resampling.task_id!r} ({resampling.task_nrow} rows), "
            f"not on task {task.id!r} ({task.nrow} rows). Pass an uninstantiated resampling (e.g. rsmp('cv')) or "
            "instantiate it on this task."
        )
    rows = task.row_ids
    for i in range(resampling.iters):
        used = np.concatenate([resampling.train_set(i), resampling.test_set(i)])
        if not np.isin(used, rows).all():
            raise InvalidParameterError(
                f"Resampling {resampling.id!r} uses row ids that task {task.id!r} does not have (iteration {i})."
            )


def _check_args(task: Any, learner: Any, resampling: Any) -> None:
    from jupytorch.core.learner import Learner
    from jupytorch.core.resampling import Resampling
    from jupytorch.core.task import Task

    if not isinstance(task, Task):
        raise TaskError(f"resample() needs a Task, got {type(task).__name__}.")
    if not isinstance(learner, Learner):
        raise InvalidParameterError(f"resample() needs a Learner (e.g. lrn('regr.rpart')), got {type(learner).__name__}.")
    if not isinstance(resampling, Resampling):
        raise InvalidParameterError(f"resample() needs a Resampling (e.g. rsmp('cv', folds=3)), got {type(resampling).__name__}.")
    if learner.task_type != task.task_type:
        raise TaskError(f"Learner {learner.id!r} is for {learner.task_type!r} tasks, but task {task.id!r} is a {task.task_type!r} task.")


def prepare_resampling(resampling: Any, task: Any, seed: int | None) -> Any:
    """Return ``resampling`` checked against ``task`` if instantiated, else an instantiated clone."""
    if resampling.is_instantiated:
        check_instantiated(resampling, task)
        return resampling
    resampling = resampling.clone()
    if seed is not None and "seed" in resampling.param_set and resampling.param_set.values.get("seed") is None:
        resampling.param_set.set_values(seed=iteration_seeds(seed, 1, 0)[0])
    return resampling.instantiate(task)


def resample(task: Any, learner: Any, resampling: Any, store_models: bool = False, n_jobs: int | None = None, seed: int | None = None) -> ResampleResult:
    """Train and test ``learner`` on every split of ``resampling``.

    Parameters
    ----------
    task : Task
    learner : Learner
        Not changed: every iteration trains its own copy.
    resampling : Resampling
        Instantiated on a copy when it is not yet; an instantiated one must belong to ``task``.
    store_models : bool
        Keep the trained learners (``rr.learners``).
    n_jobs : int, optional
        Iterations run in parallel through joblib; None uses the active ``joblib.parallel_config``
        (one at a time by default).
    seed : int, optional
        Makes the run reproducible: seeds the splits (when the resampling has no seed) and each
        iteration (global random generators, and learner parameters tagged ``seed`` left unset).

    Returns
    -------
    ResampleResult
        With fewer iterations than the resampling when a progress view asked to stop.

    Raises
    ------
    Exception
        The first error of an iteration (unless the learner is encapsulated), with a note naming
        the iteration and ``error.partial_result``, a ResampleResult of the finished iterations.
        Ctrl-C (``KeyboardInterrupt``) carries ``partial_result`` as well.

    Notes
    -----
    A learner with ``validate="test"`` validates on the test set of each iteration.

    Examples
    --------
    >>> import jupytorch as jt
    >>> rr = jt.resample(jt.tsk("mtcars"), jt.lrn("regr.rpart"), jt.rsmp("cv", folds=3), seed=1)
    >>> rr.iters
    3
    >>> rmse = rr.aggregate(jt.msr("regr.rmse"))
    """
    _check_args(task, learner, resampling)
    with progress.auto_view():  # outermost only: inside a benchmark the benchmark's view shows this
        return _resample(task, learner, resampling, store_models, n_jobs, seed)


def _resample(task: Any, learner: Any, resampling: Any, store_models: bool, n_jobs: int | None, seed: int | None) -> ResampleResult:
    resampling = prepare_resampling(resampling, task, seed)
    template = learner.clone().reset()
    iters = resampling.iters
    seeds = iteration_seeds(seed, iters, 1)
    calls = [(task, template, resampling.train_set(i), resampling.test_set(i), i, seeds[i], store_models) for i in range(iters)]
    info = {"task_id": task.id, "learner_id": learner.id, "resampling_id": resampling.id}
    progress.emit("resample", "begin", total=iters, completed=0, **info)
    done = [0]

    def advance(outcome: Outcome) -> None:
        done[0] += 1
        progress.emit("resample", "advance", total=iters, completed=done[0], iteration=outcome.iteration, **info)

    run = Run([])
    try:
        run = run_all(calls, n_jobs, advance)
    finally:
        extra: dict[str, Any] = {"stopped": True} if run.stopped else {}
        if run.error is not None:
            extra["error"] = f"{type(run.error).__name__}: {run.error}"
        progress.emit("resample", "end", total=iters, completed=done[0], **info, **extra)
    result = ResampleResult(task, template, resampling, run.finished)
    if run.error is not None:
        where = "" if run.failed is None else f" in iteration {run.failed.iteration}"
        add_error_notes(
            run.error,
            run.failed,
            f"This happened{where} of resample() with learner {learner.id!r} on task {task.id!r} (resampling "
            f"{resampling.id!r}); the {len(run.finished)} finished iterations are in error.partial_result.",
        )
        run.error.partial_result = result  # type: ignore[attr-defined]
        raise run.error
    result.warn_failures()
    return result


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

    def __init__(self, task: Any, learner: Any, resampling: Any, outcomes: list[Outcome]):
        self.task = task
        self.learner = learner
        self.resampling = resampling
        self._outcomes = sorted(outcomes, key=lambda o: o.iteration)

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
    def learners(self) -> list[Any]:
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

    def _scoring_learner(self, outcome: Outcome) -> Any:
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

    def score(self, measures: Any = None) -> pd.DataFrame:
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

    def aggregate(self, measures: Any = None) -> float | dict[str, float]:
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

    def warn_failures(self) -> None:
        """Warn when iterations have no prediction (a learner failed and had no fallback)."""
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
