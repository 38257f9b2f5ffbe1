"""``tune()``: search a learner's ``to_tune()`` parameters with a tuner, on an ``optuna.Study``.

The loop asks the study for ``tuner.batch_size`` trials, samples their configurations from the
search space, evaluates them (``jupytorch.tuning.evaluate``) and tells the study the scores. A
trial that raises is told as FAIL with its error and tuning goes on. A first Ctrl-C (or a progress
view's Stop) ends tuning cleanly: every finished trial is kept, the interrupted one is told as
FAIL with ``interrupted`` in its record (the archive shows it as INTERRUPTED), and
``ti.stopped`` is True. A second Ctrl-C raises ``KeyboardInterrupt`` with ``partial_result``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import warnings
from collections.abc import Iterator
from typing import Any

from jupytorch.core import progress
from jupytorch.core.exceptions import InvalidParameterError, JupytorchWarning
from jupytorch.core.measure import as_measures
from jupytorch.core.resample import _check_args, prepare_resampling
from jupytorch.tuning.evaluate import INTERRUPTED_NOTE, evaluate_batch
from jupytorch.tuning.instance import RECORD, TuningInstance
from jupytorch.tuning.space import SearchSpace, sibling
from jupytorch.tuning.terminators import as_terminator
from jupytorch.tuning.tuners import Tuner

__all__ = ["check_validation", "make_pruner", "run_tuning", "tune"]

_PRUNERS = {"median": "MedianPruner", "successive_halving": "SuccessiveHalvingPruner", "hyperband": "HyperbandPruner",
            "percentile": "PercentilePruner", "none": "NopPruner"}


@dataclasses.dataclass
class Setup:
    """What every trial needs (handed to the evaluation, possibly in other processes)."""

    task: Any
    learner: Any
    resampling: Any
    measures: list[Any]
    space: Any
    seed: int | None

    @property
    def minimize(self) -> list[bool]:
        return [bool(m.minimize) for m in self.measures]


def make_pruner(pruner: Any) -> Any:
    """An Optuna pruner from a name (``"median"``, ``"successive_halving"``, ``"hyperband"``) or a pruner object.

    Examples
    --------
    >>> type(make_pruner("median")).__name__
    'MedianPruner'
    """
    import optuna

    if pruner is None:
        return optuna.pruners.NopPruner()
    if isinstance(pruner, optuna.pruners.BasePruner):
        return pruner
    if isinstance(pruner, str) and pruner in _PRUNERS:
        return getattr(optuna.pruners, _PRUNERS[pruner])()
    from jupytorch.core.exceptions import did_you_mean

    raise InvalidParameterError(
        f"pruner must be one of {list(_PRUNERS)} or an optuna.pruners object, got {pruner!r}."
        + (did_you_mean(pruner, _PRUNERS) if isinstance(pruner, str) else "")
    )


def check_validation(learner: Any, space: SearchSpace, measures: list[Any], pruning: bool) -> None:
    """Raise before any training when internal tuning, ``internal_valid_score`` or pruning lacks validation."""
    needs = []
    if space.internal:
        needs.append(f"internal tuning of {list(space.internal)}")
    if any(m.id == "internal_valid_score" for m in measures):
        needs.append("msr('internal_valid_score')")
    if pruning:
        needs.append("pruning")
    if needs and getattr(learner, "validate", None) is None:
        raise InvalidParameterError(
            f"Learner {learner.id!r} does not validate while training, which {' and '.join(needs)} needs. Add this line "
            f"before tuning:\n    jt.set_validate(learner, \"test\")"
        )
    values = learner.param_set.values
    for pid in space.internal:
        patience = sibling(pid, "patience")
        if patience in learner.param_set and not values.get(patience):
            raise InvalidParameterError(
                f"Learner {learner.id!r}: internal tuning of {pid!r} needs early stopping; set it with "
                f"learner.param_set.set_values({patience}=5)."
            )
        measures_valid = sibling(pid, "measures_valid")
        if measures_valid in learner.param_set and not values.get(measures_valid):
            raise InvalidParameterError(
                f"Learner {learner.id!r}: internal tuning of {pid!r} needs a validation measure; set it with "
                f"learner.param_set.set_values({measures_valid}=jt.msr(...))."
            )


def _as_measures(measure: Any, measures: Any, task: Any) -> list[Any]:
    given = measures if measures is not None else measure
    resolved = list(as_measures(given, task.task_type))
    for m in resolved:
        if m.minimize is None:
            raise InvalidParameterError(
                f"Measure {m.id!r} does not say whether lower is better; say it with msr({m.id!r}, minimize=True) "
                "(or minimize=False)."
            )
    return resolved


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence Optuna's notes that heartbeats are experimental and meant for Study.optimize (we drive them)."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used")
        yield


def _sqlite_wal(url: str) -> None:
    """Put a SQLite file in write-ahead-log mode, so that workers read while another writes."""
    import sqlite3

    path = url[len("sqlite:///"):].split("?", 1)[0]
    if not path or path == ":memory:":
        return
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error:  # a file SQLite cannot open now: Optuna reports it with its own message
        pass


def _make_study(storage: Any, study_name: str | None, minimize: list[bool], sampler: Any, pruner: Any, heartbeat_interval: int | None) -> Any:
    import optuna

    if isinstance(storage, str) and storage.startswith("sqlite:///"):
        _sqlite_wal(storage)
    if isinstance(storage, str) and "://" in storage and heartbeat_interval:
        with _quiet():
            storage = optuna.storages.RDBStorage(storage, heartbeat_interval=heartbeat_interval,
                                                 grace_period=2 * heartbeat_interval)
    directions: list[Any] = ["minimize" if m else "maximize" for m in minimize]
    study = optuna.create_study(storage=storage, study_name=study_name, directions=directions, sampler=sampler,
                                pruner=pruner, load_if_exists=study_name is not None)
    if [d.name.lower() for d in study.directions] != directions:
        raise InvalidParameterError(
            f"Study {study.study_name!r} optimizes {[d.name.lower() for d in study.directions]}, but the measures ask for "
            f"{directions}; use another study_name."
        )
    return study


def tune(
    tuner: Tuner,
    task: Any,
    learner: Any,
    resampling: Any,
    measure: Any = None,
    *,
    measures: Any = None,
    term_evals: int | None = None,
    term_time: float | None = None,
    terminator: Any = None,
    storage: Any = None,
    study_name: str | None = None,
    pruner: Any = None,
    n_jobs: int | None = 1,
    seed: int | None = None,
    heartbeat_interval: int | None = 60,
    run: bool = True,
) -> TuningInstance:
    """Tune ``learner``'s ``to_tune()`` parameters on ``task``; return the TuningInstance.

    Parameters
    ----------
    tuner : Tuner
        ``tnr("random_search" | "grid_search" | "tpe" | "mbo" | "cmaes" | "internal")``.
    task, learner, resampling
        Every trial resamples a copy of ``learner`` with the trial's values on the same splits.
    measure, measures : Measure or list of Measure
        What is optimized; several make a multi-objective study whose result is the Pareto front.
        Default: ``classif.ce`` / ``regr.mse``.
    term_evals, term_time, terminator
        When to stop: after ``term_evals`` trials in the study, after ``term_time`` seconds, or a
        ``trm(...)`` (combined: the first that says stop).
    storage : str or optuna storage, optional
        Where the study lives (``"sqlite:///tune.db"``, ``"postgresql://..."``, a
        ``JournalStorage``); in memory by default. With a storage, the learner, task, resampling and
        measures are stored with the study so that ``jupytorch tune-worker`` can join it.
    study_name : str, optional
        Resumes the study of that name in ``storage`` when it exists.
    pruner : str or optuna pruner, optional
        ``"median"``, ``"successive_halving"``, ``"hyperband"`` or an ``optuna.pruners`` object:
        every epoch's validation score is reported and bad trials stop early (PRUNED).
    n_jobs : int, optional
        Resampling iterations of a batch of trials run in parallel through joblib.
    seed : int, optional
        Seeds the splits, the sampler (unless the tuner has a seed) and every iteration.
    heartbeat_interval : int, optional
        Seconds between heartbeats on database storages: trials of killed processes become FAIL.
    run : bool, default True
        False checks the problem and creates the instance (and, with a ``storage``, the study with
        the problem and its budget stored for ``jupytorch tune-worker`` processes) without running
        a trial, like mlr3tuning's ``ti()``; ``jt.tune_worker`` or the command then does the work.

    Examples
    --------
    >>> import jupytorch as jt
    >>> learner = jt.lrn("regr.rpart", maxdepth=jt.to_tune(1, 4))
    >>> ti = jt.tune(jt.tnr("random_search", seed=2), jt.tsk("mtcars"), learner, jt.rsmp("cv", folds=3),
    ...              jt.msr("regr.mae"), term_evals=4, seed=1)
    >>> ti.archive["state"].tolist()
    ['COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE']
    """
    if not isinstance(tuner, Tuner):
        raise InvalidParameterError(f"tune() needs a tuner such as tnr('tpe'), got {tuner!r}.")
    _check_args(task, learner, resampling)
    ti = make_instance(tuner, task, learner, resampling, _as_measures(measure, measures, task),
                       as_terminator(terminator, term_evals, term_time, tuner.default_terminator()),
                       storage, study_name, pruner, seed, heartbeat_interval)
    if storage is not None:
        from jupytorch.tuning.worker import store_definition

        store_definition(ti, pruning=pruner is not None, heartbeat_interval=heartbeat_interval)
    if not run:
        return ti
    return run_tuning(ti, n_jobs=n_jobs, pruning=pruner is not None)


def make_instance(tuner: Tuner, task: Any, learner: Any, resampling: Any, measures: list[Any], terminator: Any,
                  storage: Any, study_name: str | None, pruner: Any, seed: int | None,
                  heartbeat_interval: int | None = 60) -> TuningInstance:
    """Check the problem before any training and build its TuningInstance (and study)."""
    import optuna

    space = SearchSpace.from_learner(learner)
    tuner.check(space)
    if pruner is not None and len(measures) > 1:
        raise InvalidParameterError("Pruning works with one measure; Optuna cannot prune multi-objective studies.")
    check_validation(learner, space, measures, pruner is not None)
    resampling = prepare_resampling(resampling, task, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = tuner.sampler(space, seed)
    study = _make_study(storage, study_name, [bool(m.minimize) for m in measures], sampler, make_pruner(pruner), heartbeat_interval)
    template = learner.clone().reset()
    return TuningInstance(task, template, resampling, measures, space, tuner, terminator, study, seed)


def _grid_exhausted(study: Any) -> bool:
    import optuna

    sampler = study.sampler
    return isinstance(sampler, optuna.samplers.GridSampler) and sampler.is_exhausted(study)


def run_tuning(ti: TuningInstance, n_jobs: int | None = 1, pruning: bool = False) -> TuningInstance:
    """Run the ask-evaluate-tell loop on ``ti`` until its terminator (or the tuner) says stop."""
    setup = Setup(ti.task, ti.learner, ti.resampling, ti.measures, ti.space, ti.seed)
    study = ti.study
    ti.terminator.start()
    total = getattr(ti.terminator, "n_evals", None)
    info = {"task_id": ti.task.id, "learner_id": ti.learner.id, "tuner": ti.tuner.id}
    ti.stopped = False
    with progress.auto_view(subject=ti):  # in a notebook: the tuning dashboard
        progress.emit("tune", "begin", total=total, completed=ti.n_trials_started(), **info)
        stopped = False
        try:
            while not stopped and not ti.terminator.is_terminated(ti) and not _grid_exhausted(study):
                batch = []
                with _quiet():
                    _fail_stale(study)
                    for _ in range(ti.tuner.batch_size):
                        trial = study.ask()
                        batch.append((trial, ti.space.sample(trial)))
                        if total is not None and ti.n_trials_started() >= total:
                            break
                stopped = _run_batch(ti, setup, batch, n_jobs, pruning)
                best = _best_value(ti)
                progress.emit("tune", "advance", total=total, completed=ti.n_trials_started(), best=best, **info)
                stopped = stopped or progress.should_stop()
        except KeyboardInterrupt as error:  # the second Ctrl-C: what finished is in the study
            ti.stopped = True
            error.partial_result = ti  # type: ignore[attr-defined]
            raise
        finally:
            progress.emit("tune", "end", total=total, completed=ti.n_trials_started(), **info)
        ti.stopped = stopped
        if stopped and not progress.stop_is_shown():
            states = ti.archive["state"] if len(ti.archive) else None
            cut = 0 if states is None else int((states == "INTERRUPTED").sum())
            finished = (0 if states is None else len(states)) - cut
            warnings.warn(
                f"tune() of learner {ti.learner.id!r} on task {ti.task.id!r} was stopped (Ctrl-C or Stop) after "
                f"{finished} finished trial(s), which are kept"
                + ("; the trial it cut short is marked INTERRUPTED in ti.archive" if cut else "")
                + " (ti.stopped is True).",
                JupytorchWarning,
                stacklevel=3,
            )
    return ti


def _best_value(ti: TuningInstance) -> float | None:
    values = ti.completed_values()
    if not values:
        return None
    return min(values) if ti.minimize[0] else max(values)


def _run_batch(ti: TuningInstance, setup: Setup, batch: list[tuple[Any, dict[str, Any]]], n_jobs: int | None, pruning: bool) -> bool:
    """Evaluate and tell one batch; return True when tuning must stop (Ctrl-C or Stop).

    A first Ctrl-C is taken by the training it hits (which stops cleanly and makes its trial
    INTERRUPTED) or, outside a training, arrives here as ``KeyboardInterrupt``; either way the
    batch's unfinished trials are told as interrupted and tuning stops. A ``KeyboardInterrupt``
    after a first Ctrl-C is the second one: the trials are told, then it is raised.
    """
    from optuna.trial import TrialState

    study = ti.study
    told: set[int] = set()
    try:
        with _heartbeats(study, [t for t, _ in batch]):
            results = evaluate_batch(setup, batch, n_jobs, pruning)
        for (trial, _), result in zip(batch, results):
            trial.set_user_attr(RECORD, result.record())
            if result.state == "COMPLETE":
                study.tell(trial, [result.scores[m.id] for m in setup.measures])
            else:
                study.tell(trial, state=TrialState.PRUNED if result.state == "PRUNED" else TrialState.FAIL)
            told.add(trial.number)
        return any(result.state == "INTERRUPTED" for result in results)
    except KeyboardInterrupt:
        second = progress.should_stop()  # a first Ctrl-C (or Stop) was already taken
        for trial, _ in batch:
            if trial.number not in told:
                trial.set_user_attr(RECORD, {"errors": [f"KeyboardInterrupt: {INTERRUPTED_NOTE}"], "interrupted": True})
                study.tell(trial, state=TrialState.FAIL)
        if second:
            raise
        progress.interrupt()  # the next Ctrl-C is the second one
        return True


class _heartbeats:
    """Send heartbeats for ``trials`` while they run (database storages with heartbeats only)."""

    def __init__(self, study: Any, trials: list[Any]):
        self.study, self.trials = study, trials
        self.contexts: list[Any] = []

    def __enter__(self) -> _heartbeats:  # noqa: PYI034
        try:
            from optuna.storages._heartbeat import (
                get_heartbeat_thread,
                is_heartbeat_enabled,
            )
        except ImportError:  # a future Optuna moved it: run without heartbeats
            return self
        if is_heartbeat_enabled(self.study._storage):
            for trial in self.trials:
                # The thread's first beat is asynchronous: beat once now, so a process killed at any
                # later moment leaves a trial that fail_stale_trials can find.
                self.study._storage.record_heartbeat(trial._trial_id)
                context = get_heartbeat_thread(trial._trial_id, self.study._storage)
                context.__enter__()
                self.contexts.append(context)
        return self

    def __exit__(self, *exc: object) -> None:
        for context in self.contexts:
            context.__exit__(None, None, None)


def _fail_stale(study: Any) -> None:
    try:
        from optuna.storages._heartbeat import is_heartbeat_enabled
    except ImportError:
        return
    import optuna

    if is_heartbeat_enabled(study._storage):
        optuna.storages.fail_stale_trials(study)
