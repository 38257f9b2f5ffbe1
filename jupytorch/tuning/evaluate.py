"""Evaluating configurations: one trial is one resampling of the learner with the trial's values.

The resampling iterations run through the resample engine of ``jupytorch.core.resample``
(``run_iteration``: a fresh copy of the learner per iteration, seeded, errors handed back instead
of raised). All iterations of a batch of trials go to joblib together, so ``n_jobs`` workers stay
busy. With a pruner, trials run here in this process, one after the other, and every epoch's
validation score is reported to the Optuna trial; a pruned trial stops at once.
"""

from __future__ import annotations

import dataclasses
import time
import traceback
from collections.abc import Sequence
from typing import Any

from jupytorch.core import progress
from jupytorch.core.engine import worker_died
from jupytorch.core.paramset import SEP
from jupytorch.core.resample import (
    Outcome,
    ResampleResult,
    iteration_seeds,
    run_iteration,
)
from jupytorch.tuning.space import aggregate_internal

__all__ = ["INTERRUPTED_NOTE", "PruningReporter", "TrialResult", "evaluate_batch"]

INTERRUPTED_NOTE = "interrupted by the user (Ctrl-C or Stop), not scored"


@dataclasses.dataclass
class TrialResult:
    """What evaluating one configuration gives: scores, or why there are none."""

    state: str  # "COMPLETE", "PRUNED", "FAIL" or "INTERRUPTED" (Ctrl-C or Stop in its training; told as FAIL)
    scores: dict[str, float] = dataclasses.field(default_factory=dict)
    internal_tuned_values: dict[str, Any] = dataclasses.field(default_factory=dict)
    runtime: float = 0.0
    errors: list[str] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    last_epoch: int | None = None

    def record(self) -> dict[str, Any]:
        """The JSON-able record kept with the Optuna trial as one user attribute (read back by the archive)."""
        return {
            "scores": self.scores, "internal": self.internal_tuned_values, "runtime": self.runtime,
            "errors": self.errors, "warnings": self.warnings, "last_epoch": self.last_epoch,
            "interrupted": self.state == "INTERRUPTED",
        }


class PruningReporter:
    """A progress listener that reports each epoch's validation score to an Optuna trial.

    When the trial's pruner says so, it raises ``optuna.TrialPruned`` inside training, which ends
    the trial. ``minimize`` is the study's direction; a validation score of the other direction is
    reported negated, so that the pruner compares like with like.

    Examples
    --------
    >>> import optuna
    >>> study = optuna.create_study(pruner=optuna.pruners.NopPruner())
    >>> reporter = PruningReporter(study.ask(), minimize=True)
    >>> reporter.on_event({"level": "epoch", "stage": "end", "info": {"epoch": 1, "valid": {"regr.mse": 2.0}}})
    >>> reporter.last_epoch
    1
    """

    def __init__(self, trial: Any, minimize: bool):
        self.trial = trial
        self.minimize = minimize
        self.step = 0
        self.last_epoch: int | None = None

    def on_event(self, event: dict[str, Any]) -> None:
        """Report at the end of every validated epoch; raise TrialPruned when the pruner says so."""
        if event.get("level") != "epoch" or event.get("stage") != "end":
            return
        info = event.get("info") or {}
        self.last_epoch = info.get("epoch", self.last_epoch)
        valid = info.get("valid") or {}
        if not valid:
            return
        key = next((k for k in valid if k != "loss"), "loss")
        value = float(valid[key])
        if _minimized(key) != self.minimize:
            value = -value
        self.step += 1
        self.trial.report(value, self.step)
        if self.trial.should_prune():
            import optuna

            raise optuna.TrialPruned(f"pruned at epoch {self.last_epoch} ({key} = {valid[key]:.4g})")


def _minimized(measure_id: str) -> bool:
    from jupytorch.core.registry import registry

    reg = registry("measure")
    if measure_id in reg:
        return reg.meta(measure_id).get("minimize") is not False
    return True  # losses


def _calls(setup: Any, number: int, config: dict[str, Any]) -> list[tuple[Any, ...]]:
    learner = setup.learner.clone()
    setup.space.assign(learner.param_set, {**config, **setup.space.internal_upper()})
    resampling = setup.resampling
    seeds = iteration_seeds(setup.seed, resampling.iters, 2, number)
    return [
        (setup.task, learner, resampling.train_set(i), resampling.test_set(i), i, seeds[i], False, number)
        for i in range(resampling.iters)
    ]


def _summarise(setup: Any, learner: Any, outcomes: Sequence[Outcome], runtime: float) -> TrialResult:
    import optuna

    result = TrialResult("COMPLETE", runtime=runtime)
    for outcome in outcomes:
        result.warnings += [e["msg"] for e in outcome.log if e.get("class") == "warning"]
        result.errors += [e["msg"] for e in outcome.log if e.get("class") == "error"]
        if outcome.error is not None:
            result.state = "PRUNED" if isinstance(outcome.error, optuna.TrialPruned) else "FAIL"
            result.errors.append(f"{type(outcome.error).__name__}: {outcome.error}")
        elif outcome.interrupted:  # half-trained: its scores say nothing about the configuration
            result.state = "INTERRUPTED"
            result.errors.append(f"{INTERRUPTED_NOTE} (training of resampling iteration {outcome.iteration})")
    if result.state != "COMPLETE":
        return result
    rr = ResampleResult(setup.task, learner, setup.resampling, list(outcomes))
    try:
        scores = rr.aggregate(list(setup.measures))
    except Exception as error:  # noqa: BLE001 - a measure that cannot score fails the trial, not the tuning
        result.state = "FAIL"
        result.errors.append(f"{type(error).__name__}: {error}")
        return result
    result.scores = {k: float(v) for k, v in scores.items()}  # type: ignore[union-attr]
    result.internal_tuned_values = _internal_values(setup, rr.internal_tuned_values)
    return result


def _internal_values(setup: Any, per_fold: list[dict[str, Any] | None]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pid, token in setup.space.internal.items():
        values = []
        for fold in per_fold:
            for key, value in (fold or {}).items():
                if key == pid or pid.endswith(SEP + key) or key.endswith(SEP + pid):
                    values.append(value)
        aggregated = aggregate_internal(values, token)
        if aggregated is not None:
            out[pid] = aggregated
    return out


def evaluate_batch(setup: Any, batch: Sequence[tuple[Any, dict[str, Any]]], n_jobs: int | None, pruning: bool) -> list[TrialResult]:
    """Evaluate ``(trial, config)`` pairs; return one TrialResult per pair, in order.

    ``setup`` carries task, learner, resampling (instantiated), measures, space and seed.
    KeyboardInterrupt propagates (the caller fails the batch's trials and stops).
    """
    if pruning or n_jobs in (None, 1) or len(batch) * setup.resampling.iters == 1:
        return [_evaluate_here(setup, trial, config, pruning) for trial, config in batch]
    from joblib import Parallel, delayed, effective_n_jobs

    calls = {trial.number: _calls(setup, trial.number, config) for trial, config in batch}
    start = time.perf_counter()
    flat = [call for group in calls.values() for call in group]
    try:
        outcomes = Parallel(n_jobs=n_jobs)(delayed(run_iteration)(*call) for call in flat)
    except Exception as error:  # a worker process died: the batch's results are lost, tuning goes on
        died = worker_died(error, flat, [], effective_n_jobs(n_jobs))
        if died is None:
            raise
        note = f"{type(died).__name__}: {died} (trials {[t.number for t, _ in batch]} ran together; none has a result)"
        return [TrialResult("FAIL", errors=[note]) for _ in batch]
    runtime = (time.perf_counter() - start) / max(len(batch), 1)
    by_trial: dict[int, list[Outcome]] = {}
    for outcome in outcomes:
        by_trial.setdefault(outcome.key, []).append(outcome)
    return [_summarise(setup, calls[t.number][0][1], by_trial.get(t.number, []), runtime) for t, _ in batch]


def _evaluate_here(setup: Any, trial: Any, config: dict[str, Any], pruning: bool) -> TrialResult:
    calls = _calls(setup, trial.number, config)
    reporter = PruningReporter(trial, setup.minimize[0]) if pruning else None
    outcomes: list[Outcome] = []
    start = time.perf_counter()
    try:
        for call in calls:
            if reporter is not None:
                with progress.listen(reporter):
                    outcome = run_iteration(*call)
            else:
                outcome = run_iteration(*call)
            outcomes.append(outcome)
            if outcome.error is not None or outcome.interrupted:  # Ctrl-C or Stop: no further iteration
                break
    except Exception as error:  # noqa: BLE001 - never lose the tuning for one trial
        outcomes.append(Outcome(key=trial.number, iteration=len(outcomes), error=error, traceback=traceback.format_exc()))
    result = _summarise(setup, calls[0][1], outcomes, time.perf_counter() - start)
    if reporter is not None:
        result.last_epoch = reporter.last_epoch
    return result
