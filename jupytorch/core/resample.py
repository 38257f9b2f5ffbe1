"""``resample()``: train and test a learner on every split of a resampling.

Each iteration trains a fresh copy of the learner on ``train_set(i)`` and predicts
``test_set(i)``, run by the engine of :mod:`jupytorch.core.engine` (joblib, ``n_jobs``); the
result is a :class:`~jupytorch.core.resample_result.ResampleResult`. A failing iteration loses
nothing else: with ``learner.encapsulate("try", fallback=...)`` its error is recorded and the
fallback predicts; otherwise the error is raised with a note naming the iteration and carries the
finished iterations as ``error.partial_result``.

The engine's names (``run_iteration``, ``run_all``, ``Run``, ``Outcome``, ``iteration_seeds``...)
and ``ResampleResult`` are importable from here too.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, cast

from jupytorch.core import progress
from jupytorch.core.engine import (
    Outcome,
    Run,
    add_error_notes,
    check_instantiated,
    iteration_seeds,
    prepare_resampling,
    preserved_globals,
    run_all,
    run_iteration,
    seed_globals,
)
from jupytorch.core.exceptions import InvalidParameterError, JupytorchWarning, TaskError
from jupytorch.core.resample_result import ResampleResult

if TYPE_CHECKING:
    from jupytorch.core.learner import Learner
    from jupytorch.core.resampling import Resampling
    from jupytorch.core.task import Task

__all__ = [  # resample and its result, and the engine re-exported for code that imports it from here
    "Outcome",
    "ResampleResult",
    "Run",
    "add_error_notes",
    "check_instantiated",
    "iteration_seeds",
    "prepare_resampling",
    "resample",
    "run_all",
    "run_iteration",
    "preserved_globals",
    "seed_globals",
]


def _check_args(task: Task, learner: Learner, resampling: Resampling) -> None:
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


def resample(task: Task, learner: Learner, resampling: Resampling, store_models: bool = False, n_jobs: int | None = None,
             seed: int | None = None) -> ResampleResult:
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


def _resample(task: Task, learner: Learner, resampling: Resampling, store_models: bool, n_jobs: int | None, seed: int | None) -> ResampleResult:
    resampling = prepare_resampling(resampling, task, seed)
    template = learner.clone().reset()
    iters = cast(int, resampling.iters)  # instantiated: never None
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
    result.stopped = run.stopped
    if run.stopped and not progress.stop_is_shown():
        warnings.warn(
            f"resample() of learner {learner.id!r} on task {task.id!r} was stopped after {len(run.finished)} of {iters} "
            "iterations (Ctrl-C or Stop); the result holds the finished ones (rr.stopped is True).",
            JupytorchWarning,
            stacklevel=3,
        )
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
