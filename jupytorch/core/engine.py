"""The execution engine of ``resample``, ``benchmark`` and tuning: run iterations, seeded, through joblib.

One iteration (:func:`run_iteration`) trains a fresh copy of a learner on some rows of a task
and predicts others, and hands back an :class:`Outcome` (never raising: finished iterations must
survive a failing one). :func:`run_all` runs many through joblib (``n_jobs``; any backend the user
picks with ``joblib.parallel_config``), so learners and tasks must be picklable; it stops at the
first error, at Ctrl-C and when a progress view asks to stop, and returns a :class:`Run`. A worker
process that dies (out of memory, a crash in compiled code, ``os._exit``) raises no Python error
in it: :func:`worker_died` turns the backend's error into a :class:`WorkerDiedError` that names
the iterations that were running.
Seeds for the iterations come from :func:`iteration_seeds`, so that the same seed gives the same bits.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import re
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from jupytorch.core import progress
from jupytorch.core.exceptions import InvalidParameterError, WorkerDiedError
from jupytorch.core.prediction import Prediction

if TYPE_CHECKING:
    from jupytorch.core.learner import Learner
    from jupytorch.core.resampling import Resampling
    from jupytorch.core.task import Task

__all__ = [
    "Outcome",
    "Run",
    "add_error_notes",
    "check_instantiated",
    "iteration_seeds",
    "prepare_resampling",
    "preserved_globals",
    "run_all",
    "run_iteration",
    "seed_globals",
    "worker_died",
]


@dataclasses.dataclass
class Outcome:
    """What one iteration sends back: its prediction, log and timings (and the model if stored)."""

    key: int
    iteration: int
    prediction: Prediction | None = None
    log: list[dict[str, str]] = dataclasses.field(default_factory=list)
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    learner: Learner | None = None
    internal_valid_scores: dict[str, float] | None = None
    internal_tuned_values: dict[str, Any] | None = None
    seed: int | None = None
    error: BaseException | None = None
    traceback: str = ""
    interrupted: bool = False  # training was stopped early (Stop, Ctrl-C): not a finished iteration


# -- one iteration (runs in a joblib worker) ------------------------------------------------------
@contextlib.contextmanager
def preserved_globals() -> Iterator[None]:
    """Restore Python's, numpy's and (when loaded) torch's global generators on leaving the block."""
    torch = sys.modules.get("torch")
    saved = (random.getstate(), np.random.get_state(), torch.random.get_rng_state() if torch else None)
    try:
        yield
    finally:
        random.setstate(saved[0])
        np.random.set_state(saved[1])
        if torch is not None:
            torch.random.set_rng_state(saved[2])


def seed_globals(seed: int) -> None:
    """Seed Python's, numpy's and (when loaded) torch's global generators."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch = sys.modules.get("torch")
    if torch is not None:  # the CPU generator only: torch.manual_seed also queues every accelerator's
        torch.default_generator.manual_seed(seed)  # seeding; torch learners seed their device themselves


def _seed_learner(learner: Learner, seed: int) -> None:
    """Give parameters tagged ``seed`` that the user left unset the iteration's seed."""
    ps = learner.param_set
    values = ps.values
    for pid in ps.ids(tags=["seed"]):
        if pid not in values:
            with contextlib.suppress(InvalidParameterError):
                ps.set_values(**{pid: seed % 2**31})


def _was_interrupted(learner: Learner) -> bool:
    """Whether the training of ``learner`` (or of a learner inside its graph) was stopped early."""
    model = learner.state.get("model") if learner.state else None
    if getattr(model, "interrupted", False):
        return True
    states = model.values() if isinstance(model, dict) else ()
    return any(getattr(getattr(state, "model", None), "interrupted", False) for state in states)


def run_iteration(task: Task, learner: Learner, train: np.ndarray, test: np.ndarray, iteration: int, seed: int | None,
                  store_model: bool, key: int = 0, restore_globals: bool = True) -> Outcome:
    """Train a copy of ``learner`` on the rows ``train`` of ``task`` and predict ``test``.

    A learner with ``validate="test"`` gets the test rows as its internal validation task (as in
    mlr3). Errors are returned in the Outcome (never raised) so that finished iterations survive.
    The global generators are seeded with ``seed`` and, unless ``restore_globals=False`` (the
    caller restores them once around many iterations), restored afterwards.
    """
    learner = learner.clone()
    outcome = Outcome(key=key, iteration=iteration, seed=seed)
    extra_log: list[dict[str, str]] = []
    restoring = preserved_globals() if restore_globals and seed is not None else contextlib.nullcontext()
    with restoring:
        if seed is not None:
            seed_globals(seed)
            _seed_learner(learner, seed)
        try:
            learner.train(_with_test_validation(task, test) if getattr(learner, "validate", None) == "test" else task, train)
            outcome.prediction = learner.predict(task, test)
        except Exception as error:  # noqa: BLE001 - recorded or handed back to the caller
            if learner.encapsulation != "try":
                outcome.error, outcome.traceback = error, traceback.format_exc()
                return outcome
            # an encapsulated learner logged its error and answered with its fallback where it had one
            # (Learner.encapsulate is the one fallback path); what reaches here has no prediction
            msg = f"{type(error).__name__}: {error}"
            failed = bool((learner.state or {}).get("failed"))
            if not failed and all(entry.get("msg") != msg for entry in learner.log):
                extra_log.append({"stage": "predict" if learner.state is not None else "train", "class": "error",
                                  "msg": msg})
    outcome.log = learner.log + extra_log
    outcome.interrupted = _was_interrupted(learner)
    outcome.timings = dict(learner.timings)
    outcome.internal_valid_scores = _learner_values(learner, "internal_valid_scores")
    outcome.internal_tuned_values = _learner_values(learner, "internal_tuned_values")
    if store_model:
        outcome.learner = learner
    return outcome


def _with_test_validation(task: Task, test: np.ndarray) -> Task:
    """A copy of ``task`` whose internal validation task holds the test rows (``validate="test"``)."""
    valid = task.clone()
    valid.internal_valid_task = None
    valid.filter(test)
    out = task.clone()
    out.internal_valid_task = valid
    return out


def _learner_values(learner: Learner, name: str) -> dict[str, Any] | None:
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
    from joblib import Parallel, delayed, effective_n_jobs

    run = Run([])
    if effective_n_jobs(n_jobs) == 1:  # one at a time in this process: no dispatch costs per iteration
        results: Any = _in_this_process(calls)
    else:
        try:
            parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered", batch_size=1)
        except ValueError:  # a backend that cannot stream results returns them all at the end
            parallel = Parallel(n_jobs=n_jobs, batch_size=1)
        results = parallel(delayed(run_iteration_in_worker)(*call) for call in calls)
    try:
        for outcome in results:
            if outcome.error is not None:
                run.error, run.failed = outcome.error, outcome
                break
            if outcome.interrupted and progress.should_stop():  # stopped half-way: not a finished iteration
                run.stopped = True
                break
            run.finished.append(outcome)
            on_outcome(outcome)
            if progress.should_stop():
                run.stopped = True
                break
    except KeyboardInterrupt as error:
        run.error = error
    except Exception as error:  # noqa: BLE001 - pickling or worker failures; handed back
        died = worker_died(error, calls, run.finished, effective_n_jobs(n_jobs))
        if died is None:
            error.add_note(
                f"This happened while running iterations with joblib (n_jobs={n_jobs!r}); learners and tasks must be "
                "picklable to run in other processes."
            )
        run.error = died or error
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # joblib's note that it cancelled the remaining tasks
                close()
    return run


def run_iteration_in_worker(*call: Any) -> Outcome:
    """:func:`run_iteration` in a worker process, with the learner's own joblib calls kept in that worker.

    joblib's Dask backend makes every nested ``Parallel`` in a worker submit its tasks to the
    cluster again, so a random forest's trees became hundreds of tiny cluster tasks that queued
    behind the iterations (2 workers ran a cv-5 benchmark no faster than 1). A learner's own
    parallelism (``num_threads``) runs in threads of the worker that runs its iteration, as it
    does under loky.
    """
    from joblib import parallel_config

    with parallel_config(backend="threading"):
        return run_iteration(*call)


def _in_this_process(calls: list[tuple[Any, ...]]) -> Iterator[Outcome]:
    """The outcomes one by one; the global generators are saved once and restored when done or closed.

    Saving and restoring numpy's state costs about 70 µs, as much as a featureless fit: once per
    run, not once per iteration.
    """
    iterate: Callable[..., Outcome] = run_iteration  # the calls are positional tuples of any length
    with preserved_globals():
        for call in calls:
            yield iterate(*call, restore_globals=False)


# how a worker process that died is reported: by joblib's loky backend (the default of n_jobs), and by
# Dask (a task whose workers kept dying; a result lost with the worker that held it or its data)
_LOKY_DEATH = "TerminatedWorkerError"
_DASK_DEATHS = ("KilledWorker", "FutureCancelledError")


def worker_died(error: BaseException, calls: list[tuple[Any, ...]], finished: list[Outcome],
                n_jobs: int) -> WorkerDiedError | None:
    """A :class:`WorkerDiedError` for ``error`` when it says that a worker process died, else None.

    loky starts iterations in the order of ``calls`` and keeps at most ``2 * n_jobs`` of them
    dispatched (joblib's ``pre_dispatch``), so the one that died is among the first ``2 * n_jobs``
    whose results had not arrived (a finished iteration's result can still be on its way when the
    death is reported); Dask keeps no such order, so there every unfinished iteration is named.
    One candidate left is named alone.

    Examples
    --------
    >>> class TerminatedWorkerError(Exception):
    ...     pass
    >>> class Named:
    ...     def __init__(self, id):
    ...         self.id = id
    >>> calls = [(Named("mtcars"), Named("regr.rpart"), None, None, i, None, False) for i in range(3)]
    >>> died = worker_died(TerminatedWorkerError("The exit codes of the workers are {SIGKILL(-9)}"), calls,
    ...                    [Outcome(key=0, iteration=0), Outcome(key=0, iteration=2)], n_jobs=2)
    >>> print(str(died).split(";")[0])
    A worker process died (SIGKILL(-9)) while running iteration 1 of learner 'regr.rpart' on task 'mtcars'
    """
    names = {cls.__name__ for cls in type(error).__mro__}
    dask = bool(names.intersection(_DASK_DEATHS))
    if not dask and _LOKY_DEATH not in names:
        return None
    done = {(outcome.key, outcome.iteration) for outcome in finished}
    running = [call for call in calls if ((call[7] if len(call) > 7 else 0), call[4]) not in done]
    if not dask:
        running = running[:2 * max(n_jobs, 1)]
    named = [f"iteration {call[4]} of learner {call[1].id!r} on task {call[0].id!r}" for call in running[:8]]
    where = " or ".join(named) + (f" or {len(running) - 8} more" if len(running) > 8 else "")
    if len(running) > 1:
        where = f"one of: {where}"
    codes = re.search(r"exit codes of the workers are \{(.*?)\}", str(error))
    lead = "A Dask worker died (or lost the data it held)" if dask else "A worker process died"
    lead += f" ({codes.group(1)})" if codes else f" ({type(error).__name__})" if dask else ""
    died = WorkerDiedError(
        f"{lead} while running {where or 'an iteration'}; a process that dies raises no Python error (the usual "
        "causes: it ran out of memory, compiled code crashed, or it was killed or called os._exit). To see the "
        "cause, run that iteration with n_jobs=1, or give each worker more memory (fewer n_jobs)."
    )
    died.__cause__ = error
    return died


def add_error_notes(error: BaseException, outcome: Outcome | None, where: str) -> None:
    """Say where ``error`` happened; add the worker's traceback when it was lost in transit."""
    if outcome is not None and error.__traceback__ is None and outcome.traceback:
        error.add_note("Traceback in the worker:\n" + outcome.traceback.rstrip())
    error.add_note(where)


def check_instantiated(resampling: Resampling, task: Task) -> None:
    """Raise unless ``resampling`` is instantiated on a task like ``task`` (same id, rows)."""
    if resampling.task_id != task.id or resampling.task_nrow != task.nrow:
        raise InvalidParameterError(
            f"Resampling {resampling.id!r} is instantiated on task {resampling.task_id!r} ({resampling.task_nrow} rows), "
            f"not on task {task.id!r} ({task.nrow} rows). Pass an uninstantiated resampling (e.g. rsmp('cv')) or "
            "instantiate it on this task."
        )
    rows = task.row_ids
    for i in range(cast(int, resampling.iters)):  # instantiated (same task id): never None
        used = np.concatenate([resampling.train_set(i), resampling.test_set(i)])
        if not np.isin(used, rows).all():
            raise InvalidParameterError(
                f"Resampling {resampling.id!r} uses row ids that task {task.id!r} does not have (iteration {i})."
            )


def prepare_resampling(resampling: Resampling, task: Task, seed: int | None) -> Resampling:
    """Return ``resampling`` checked against ``task`` if instantiated, else an instantiated clone."""
    if resampling.is_instantiated:
        check_instantiated(resampling, task)
        return resampling
    resampling = resampling.clone()
    if seed is not None and "seed" in resampling.param_set and resampling.param_set.values.get("seed") is None:
        resampling.param_set.set_values(seed=iteration_seeds(seed, 1, 0)[0])
    return resampling.instantiate(task)
