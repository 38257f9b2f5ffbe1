"""Benchmarks: several learners resampled on several tasks, compared on the same splits.

``benchmark_grid`` builds the design (one row per task x learner x resampling) and instantiates
each resampling once per task, so that every learner sees exactly the same splits; ``benchmark``
runs all iterations of all rows through joblib at once and returns a ``BenchmarkResult``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pandas as pd

from jupytorch.core import progress
from jupytorch.core.benchmark_result import BenchmarkResult, check_unique
from jupytorch.core.exceptions import InvalidParameterError, TaskError
from jupytorch.core.resample import (
    Outcome,
    ResampleResult,
    Run,
    add_error_notes,
    check_instantiated,
    iteration_seeds,
    run_all,
)

if TYPE_CHECKING:
    from typing import TypeAlias

    from jupytorch.core.learner import Learner
    from jupytorch.core.resampling import Resampling
    from jupytorch.core.task import Task

    Row: TypeAlias = tuple[Task, Learner, Resampling]  # one row of a design

__all__ = ["benchmark_grid", "benchmark", "BenchmarkResult"]  # BenchmarkResult: re-exported from core/benchmark_result.py

DESIGN_COLUMNS = ["task", "learner", "resampling"]
_T = TypeVar("_T")


def _as_list(x: _T | Iterable[_T], cls: type[_T], what: str) -> list[_T]:
    items = [x] if isinstance(x, cls) else list(x) if isinstance(x, Iterable) and not isinstance(x, (str, bytes)) else [x]
    if not items:
        raise InvalidParameterError(f"benchmark_grid(): {what} is empty.")
    for item in items:
        if not isinstance(item, cls):
            raise InvalidParameterError(f"benchmark_grid(): {what} must hold {cls.__name__} objects, got {type(item).__name__}.")
    return items


def benchmark_grid(tasks: Task | Iterable[Task], learners: Learner | Iterable[Learner],
                   resamplings: Resampling | Iterable[Resampling], paired: bool = False, seed: int | None = None) -> pd.DataFrame:
    """Build a benchmark design: every task with every learner and every resampling.

    Parameters
    ----------
    tasks, learners, resamplings : one object or a list of them
    paired : bool
        False: each resampling is instantiated once per task (on a copy), so all learners see the
        same splits. True: ``resamplings`` are already instantiated, one per task, in the order of
        ``tasks``.
    seed : int, optional
        Draws the splits of resamplings without a ``seed`` of their own reproducibly. Splits drawn
        without any seed are drawn again from ``benchmark(design, seed=...)``'s seed, so that a
        seeded benchmark gives the same splits (and results) every time.

    Returns
    -------
    pandas.DataFrame
        Columns ``task``, ``learner``, ``resampling`` holding the objects.

    Notes
    -----
    Learner ids must be distinct (a benchmark compares learners by id): give two configurations
    of one learner their own ids, ``lrn("regr.rpart", maxdepth=2, id="rpart.d2")``. The same holds
    for task and resampling ids.

    Examples
    --------
    >>> import jupytorch as jt
    >>> design = jt.benchmark_grid(jt.tsk("mtcars"), [jt.lrn("regr.featureless"), jt.lrn("regr.rpart")],
    ...                            jt.rsmp("cv", folds=3))
    >>> len(design)
    2
    """
    from jupytorch.core.learner import Learner
    from jupytorch.core.resampling import Resampling
    from jupytorch.core.task import Task

    tasks = _as_list(tasks, Task, "tasks")
    learners = _as_list(learners, Learner, "learners")
    resamplings = _as_list(resamplings, Resampling, "resamplings")
    check_unique([t.id for t in tasks], "tasks", "give each task its own id.")
    check_unique(
        [lr.id for lr in learners],
        "learners",
        "give each configuration its own id, e.g. lrn('regr.rpart', maxdepth=2, id='rpart.d2').",
    )
    for task in tasks:
        for learner in learners:
            if learner.task_type != task.task_type:
                raise TaskError(
                    f"benchmark_grid(): learner {learner.id!r} is for {learner.task_type!r} tasks, but task {task.id!r} "
                    f"is a {task.task_type!r} task; benchmark them separately."
                )
    if paired:
        if len(resamplings) != len(tasks):
            raise InvalidParameterError(
                f"benchmark_grid(paired=True) needs one instantiated resampling per task: got {len(tasks)} tasks and "
                f"{len(resamplings)} resamplings."
            )
        pairs = []
        for task, resampling in zip(tasks, resamplings):
            if not resampling.is_instantiated:
                raise InvalidParameterError(
                    f"benchmark_grid(paired=True): resampling {resampling.id!r} for task {task.id!r} is not instantiated; "
                    "instantiate it on the task or use paired=False."
                )
            check_instantiated(resampling, task)
            pairs.append((task, resampling))
    else:
        check_unique([r.id for r in resamplings], "resamplings", "give them ids, e.g. rsmp('cv', folds=5, id='cv5').")
        pairs = []
        split_seeds = iter(iteration_seeds(seed, len(tasks) * len(resamplings), 3))
        for task in tasks:
            for resampling in resamplings:
                if resampling.is_instantiated:
                    if resampling.task_id != task.id or resampling.task_nrow != task.nrow:
                        raise InvalidParameterError(
                            f"benchmark_grid(): resampling {resampling.id!r} is instantiated on task {resampling.task_id!r}, "
                            f"not on task {task.id!r}; pass uninstantiated resamplings, or one per task with paired=True."
                        )
                    check_instantiated(resampling, task)
                    pairs.append((task, resampling))
                else:
                    pairs.append((task, _draw_splits(resampling.clone(), task, next(split_seeds), seed is None)))
    rows = [{"task": task, "learner": learner, "resampling": resampling} for task, resampling in pairs for learner in learners]
    return pd.DataFrame(rows, columns=DESIGN_COLUMNS)


def _draw_splits(resampling: Resampling, task: Task, seed: int | None, redraw_with_benchmark_seed: bool) -> Resampling:
    """Instantiate ``resampling`` on ``task``; ``seed`` draws the splits unless it has a seed of its own."""
    resampling._fallback_seed = seed
    own_seed = resampling.param_set.values.get("seed") is not None
    resampling._redraw_with_benchmark_seed = redraw_with_benchmark_seed and not own_seed  # type: ignore[attr-defined]  # read with getattr
    return resampling.instantiate(task)


def _seeded_splits(rows: list[Row], seed: int | None) -> list[Row]:
    """Give every (task, resampling) pair of the design one set of splits, drawn from ``seed``.

    Learners of one task and resampling always share the splits. Resamplings that are not
    instantiated yet, and those that ``benchmark_grid`` drew without any seed, get splits derived
    from ``seed`` (redrawn in place, so the design shows what ran); those seeded by the user keep theirs.
    """
    pairs: dict[tuple[int, int], tuple[Task, Resampling]] = {}
    for task, _, resampling in rows:
        pairs.setdefault((id(task), id(resampling)), (task, resampling))
    seeds = iteration_seeds(seed, len(pairs), 4)
    drawn: dict[tuple[int, int], Resampling] = {}
    for (key, (task, resampling)), split_seed in zip(pairs.items(), seeds):
        if not resampling.is_instantiated:
            drawn[key] = _draw_splits(resampling.clone(), task, split_seed, True)
        elif seed is not None and getattr(resampling, "_redraw_with_benchmark_seed", False):
            drawn[key] = _draw_splits(resampling, task, split_seed, True)
        else:
            drawn[key] = resampling
    return [(task, learner, drawn[(id(task), id(resampling))]) for task, learner, resampling in rows]


def _check_design(design: pd.DataFrame) -> list[Row]:
    from jupytorch.core.learner import Learner
    from jupytorch.core.resampling import Resampling
    from jupytorch.core.task import Task

    if not isinstance(design, pd.DataFrame) or any(c not in design.columns for c in DESIGN_COLUMNS):
        raise InvalidParameterError(
            "benchmark() needs a design DataFrame with columns task, learner, resampling; build it with jt.benchmark_grid()."
        )
    if len(design) == 0:
        raise InvalidParameterError("benchmark(): the design has no rows.")
    rows = []
    for i, (task, learner, resampling) in enumerate(zip(design["task"], design["learner"], design["resampling"])):
        if not (isinstance(task, Task) and isinstance(learner, Learner) and isinstance(resampling, Resampling)):
            raise InvalidParameterError(f"benchmark(): design row {i} does not hold a Task, a Learner and a Resampling.")
        if learner.task_type != task.task_type:
            raise TaskError(f"benchmark(): design row {i}: learner {learner.id!r} does not fit {task.task_type!r} task {task.id!r}.")
        if resampling.is_instantiated:
            check_instantiated(resampling, task)
        rows.append((task, learner, resampling))
    triples = [f"{t.id}/{lr.id}/{r.id}" for t, lr, r in rows]
    check_unique(
        triples,
        "rows (task/learner/resampling)",
        "give learners (or resamplings) distinct ids, e.g. lrn('regr.rpart', maxdepth=2, id='rpart.d2').",
    )
    return rows


def benchmark(design: pd.DataFrame, store_models: bool = False, n_jobs: int | None = None, seed: int | None = None) -> BenchmarkResult:
    """Run every row of a benchmark design (see :func:`benchmark_grid`).

    All iterations of all rows go to joblib together, so ``n_jobs`` (or the active
    ``joblib.parallel_config``) parallelises across learners, tasks and folds at once.

    Parameters
    ----------
    design : pandas.DataFrame
        Columns ``task``, ``learner``, ``resampling``.
    store_models : bool
        Keep the trained learners in the resample results.
    n_jobs : int, optional
        Parallel workers (joblib).
    seed : int, optional
        Seeds every iteration reproducibly (see :func:`resample`).

    Returns
    -------
    BenchmarkResult

    Examples
    --------
    >>> import jupytorch as jt
    >>> design = jt.benchmark_grid(jt.tsk("mtcars"), [jt.lrn("regr.featureless"), jt.lrn("regr.rpart")],
    ...                            jt.rsmp("cv", folds=3))
    >>> bmr = jt.benchmark(design, seed=1)
    >>> list(bmr.aggregate(jt.msr("regr.mse")).columns)
    ['nr', 'task_id', 'learner_id', 'resampling_id', 'iters', 'regr.mse']
    """
    rows = _seeded_splits(_check_design(design), seed)
    with progress.auto_view():  # one view for the whole benchmark (its resamplings and trainings nest in it)
        return _benchmark(rows, store_models, n_jobs, seed)


def _benchmark(rows: list[Row], store_models: bool, n_jobs: int | None, seed: int | None) -> BenchmarkResult:
    templates = [learner.clone().reset() for _, learner, _ in rows]
    calls: list[list[tuple[Any, ...]]] = []
    for k, (task, _, resampling) in enumerate(rows):
        iters = cast(int, resampling.iters)  # instantiated: never None
        seeds = iteration_seeds(seed, iters, 2, k)
        calls.append(
            [(task, templates[k], resampling.train_set(i), resampling.test_set(i), i, seeds[i], store_models, k) for i in range(iters)]
        )
    from joblib import effective_n_jobs

    # one experiment after another when nothing runs in parallel (so progress nests: benchmark >
    # resample > train); otherwise all iterations of all experiments go to joblib at once
    sequential = effective_n_jobs(n_jobs) == 1
    batches = [[k] for k in range(len(rows))] if sequential else [list(range(len(rows)))]
    view = _BenchmarkProgress(rows, templates)
    finished: list[Outcome] = []
    run = Run([])
    try:
        for batch in batches:
            if sequential:
                view.begin_experiment(batch[0])
            run = run_all([call for k in batch for call in calls[k]], n_jobs, view.advance)
            finished += run.finished
            if run.error is not None or run.stopped:
                break
    finally:
        view.end(run)
    error, failed = run.error, run.failed
    by_key: dict[int, list[Outcome]] = {}
    for outcome in finished:
        by_key.setdefault(outcome.key, []).append(outcome)
    results = [ResampleResult(task, templates[k], resampling, by_key[k]) for k, (task, _, resampling) in enumerate(rows) if k in by_key]
    result = BenchmarkResult(results)
    result.stopped = run.stopped  # Ctrl-C or Stop ended the run: the finished iterations are kept
    if error is not None:
        where = ""
        if failed is not None:
            task, _, resampling = rows[failed.key]
            where = (
                f" in iteration {failed.iteration} of learner {templates[failed.key].id!r} on task {task.id!r} "
                f"(resampling {resampling.id!r})"
            )
        add_error_notes(
            error,
            failed,
            f"This happened{where} during benchmark(); the {len(finished)} finished iterations are in error.partial_result.",
        )
        error.partial_result = result  # type: ignore[attr-defined]
        raise error
    for rr in results:
        rr.warn_failures()
    return result


class _BenchmarkProgress:
    """Progress events of a benchmark: ``benchmark`` counts experiments, ``resample`` their iterations."""

    def __init__(self, rows: list[Row], templates: list[Learner]):
        self.rows = rows
        self.templates = templates
        self.counts = [0] * len(rows)
        self.started: set[int] = set()
        self.ended: set[int] = set()
        self.scores: list[list[float]] = [[] for _ in rows]  # default-measure score of each finished iteration
        progress.emit("benchmark", "begin", total=len(rows), completed=0, n_iterations=sum(r[2].iters for r in rows))

    def _info(self, k: int) -> dict[str, Any]:
        task, _, resampling = self.rows[k]
        return {"task_id": task.id, "learner_id": self.templates[k].id, "resampling_id": resampling.id, "experiment": k}

    def begin_experiment(self, k: int) -> None:
        self.started.add(k)
        progress.emit("resample", "begin", total=self.rows[k][2].iters, completed=0, **self._info(k))

    def advance(self, outcome: Outcome) -> None:
        k = outcome.key
        if k not in self.started:
            self.begin_experiment(k)
        self.counts[k] += 1
        total = self.rows[k][2].iters
        score = self._score(k, outcome)
        progress.emit("resample", "advance", total=total, completed=self.counts[k], iteration=outcome.iteration,
                      **self._info(k), **score)
        if self.counts[k] == total:
            self.ended.add(k)
            progress.emit("resample", "end", total=total, completed=total, **self._info(k), **score)
            progress.emit("benchmark", "advance", total=len(self.rows), completed=len(self.ended), **self._info(k))

    def _score(self, k: int, outcome: Outcome) -> dict[str, Any]:
        """``{"score": {measure id: mean over the finished iterations}}`` for progress views (the task type's default measure)."""
        if outcome.prediction is None or not progress.has_listeners():
            return {}
        try:
            from jupytorch.core.measure import as_measures

            measure = as_measures(None, task_type=outcome.prediction.task_type)[0]
            self.scores[k].append(measure.score(outcome.prediction))
        except Exception:  # noqa: BLE001 - a view's extra must never break the benchmark
            return {}
        return {"score": {measure.id: sum(self.scores[k]) / len(self.scores[k])}}

    def end(self, run: Run) -> None:
        extra: dict[str, Any] = {"stopped": True} if run.stopped else {}
        if run.error is not None:
            extra["error"] = f"{type(run.error).__name__}: {run.error}"
        for k in sorted(self.started - self.ended):
            progress.emit("resample", "end", total=self.rows[k][2].iters, completed=self.counts[k], **self._info(k), **extra)
        progress.emit("benchmark", "end", total=len(self.rows), completed=len(self.ended), **extra)
