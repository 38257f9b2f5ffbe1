"""``TuningInstance``: a tuning problem, its ``optuna.Study``, and the archive of its trials.

The study is the single record of what was tried: the archive is read from its trials (also those
of earlier runs, resumed from a storage, and of other workers), so nothing is kept only in memory.
Each trial keeps jupytorch's record in one user attribute, ``jupytorch``: a dict with ``scores``,
``internal`` (internally tuned values), ``runtime``, ``errors``, ``warnings`` and ``last_epoch``
(one write per trial, which matters on shared database storages).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.summary import SummaryRepr
from jupytorch.tuning.space import sibling

__all__ = ["TuningInstance"]

RECORD = "jupytorch"  # the trial's user attribute holding jupytorch's record
STATES = ("COMPLETE", "PRUNED", "FAIL", "INTERRUPTED", "RUNNING", "WAITING")


class TuningInstance(SummaryRepr):
    """What :func:`jupytorch.tune` returns: the problem, the study and the results.

    Parameters
    ----------
    task, learner, resampling, measures
        What is tuned (``resampling`` instantiated: every trial uses the same splits).
    space : SearchSpace
    tuner, terminator
    study : optuna.Study
    seed : int, optional

    Attributes
    ----------
    stopped : bool
        True when a Ctrl-C (or a progress view's Stop) ended the run before its terminator did;
        the finished trials are kept and the interrupted one has the state ``INTERRUPTED`` in
        :attr:`archive` (in the study: FAIL, with ``interrupted`` in its record).

    Examples
    --------
    >>> import jupytorch as jt
    >>> learner = jt.lrn("regr.rpart", cp=jt.to_tune(0.001, 0.1, logscale=True))
    >>> ti = jt.tune(jt.tnr("random_search", seed=1), jt.tsk("mtcars"), learner, jt.rsmp("holdout"),
    ...              jt.msr("regr.rmse"), term_evals=3, seed=1)
    >>> len(ti.archive), sorted(ti.result_learner_param_vals)
    (3, ['cp'])
    """

    _html_class = "jt-tuning-instance"

    def __init__(self, task: Any, learner: Any, resampling: Any, measures: list[Any], space: Any, tuner: Any,
                 terminator: Any, study: Any, seed: int | None = None):
        self.task = task
        self.learner = learner
        self.resampling = resampling
        self.measures = list(measures)
        self.space = space
        self.tuner = tuner
        self.terminator = terminator
        self.study = study
        self.seed = seed
        self.stopped = False

    # -- reading the study --------------------------------------------------------------------------
    @property
    def minimize(self) -> list[bool]:
        """Per measure, whether lower is better."""
        return [bool(m.minimize) for m in self.measures]

    @property
    def multi_objective(self) -> bool:
        """Whether several measures are optimized (the result is then the Pareto front)."""
        return len(self.measures) > 1

    def n_trials_started(self) -> int:
        """Trials in the study in any state (those running in other workers included)."""
        return self.study._storage.get_n_trials(self.study._study_id)  # a count query, not every trial

    def completed_values(self) -> list[float]:
        """The first measure's value of every completed trial, in trial order."""
        return [t.values[0] for t in self.study.get_trials(deepcopy=False) if t.state.name == "COMPLETE" and t.values]

    def config_of(self, trial: Any) -> dict[str, Any]:
        """The parameter values of a (frozen) trial, labels mapped back to levels."""
        return self.space.decode(trial.params)

    @property
    def archive(self) -> pd.DataFrame:
        """One row per trial: number, state, parameter values, measures, internal tuned values,
        runtime, errors, warnings, last epoch (pruned trials), start and end times.
        """
        rows = []
        for t in self.study.get_trials(deepcopy=False):
            attrs = t.user_attrs.get(RECORD) or {}
            state = "INTERRUPTED" if attrs.get("interrupted") and t.state.name == "FAIL" else t.state.name
            row: dict[str, Any] = {"number": t.number, "state": state}
            row.update(self.config_of(t))
            scores = attrs.get("scores") or {}
            for m in self.measures:
                row[m.id] = scores.get(m.id, math.nan)
            row["internal_tuned_values"] = attrs.get("internal") or None
            row["runtime"] = attrs.get("runtime", math.nan)
            row["errors"] = len(attrs.get("errors") or [])
            row["error"] = (attrs.get("errors") or [None])[-1]
            row["warnings"] = len(attrs.get("warnings") or [])
            row["last_epoch"] = attrs.get("last_epoch")
            row["start"] = t.datetime_start
            row["end"] = t.datetime_complete
            rows.append(row)
        columns = ["number", "state", *self.space.ids, *[m.id for m in self.measures], "internal_tuned_values",
                   "runtime", "errors", "error", "warnings", "last_epoch", "start", "end"]
        return pd.DataFrame(rows, columns=columns)

    def _best_trials(self) -> list[Any]:
        done = [t for t in self.study.get_trials(deepcopy=False) if t.state.name == "COMPLETE"]
        if not done:
            return []
        if self.multi_objective:
            return list(self.study.best_trials)
        return [self.study.best_trial]

    def best(self, n: int = 1) -> pd.DataFrame:
        """The ``n`` best completed trials (by the first measure) as archive rows.

        Examples
        --------
        >>> import jupytorch as jt
        >>> ti = jt.tune(jt.tnr("grid_search", resolution=3), jt.tsk("mtcars"),
        ...              jt.lrn("regr.rpart", maxdepth=jt.to_tune(1, 3)), jt.rsmp("holdout"), jt.msr("regr.rmse"), seed=1)
        >>> len(ti.best(2))
        2
        """
        archive = self.archive
        done = archive[archive["state"] == "COMPLETE"]
        key = self.measures[0].id
        return done.sort_values(key, ascending=self.minimize[0]).head(n)

    @property
    def result(self) -> pd.DataFrame:
        """The best trial (one row), or with several measures the Pareto front (one row per trial)."""
        numbers = [t.number for t in self._best_trials()]
        archive = self.archive
        return archive[archive["number"].isin(numbers)].reset_index(drop=True)

    def _result_trial(self) -> Any:
        best = self._best_trials()
        if not best:
            raise InvalidParameterError(
                "No trial completed, so there is no result; see ti.archive['error'] for what went wrong."
            )
        return best[0]

    @property
    def result_learner_param_vals(self) -> dict[str, Any]:
        """The learner's values with the best configuration: ``learner.param_set.set_values(**...)``.

        Tokens are replaced by the best trial's values; internally tuned parameters (``epochs``)
        by the aggregated value of its folds, and early stopping is turned off (``patience=0``)
        since the number of epochs is now known. With several measures, the first Pareto-optimal
        trial is used.
        """
        trial = self._result_trial()
        values = {pid: v for pid, v in self.learner.param_set.values.items() if pid not in self.space.ids and pid not in self.space.internal}
        values.update(self.config_of(trial))
        internal = (trial.user_attrs.get(RECORD) or {}).get("internal") or {}
        for pid in self.space.internal:
            values[pid] = internal.get(pid, self.space.internal_upper()[pid])
            patience = sibling(pid, "patience")
            if patience in self.learner.param_set:
                values[patience] = 0
        return values

    def tuned_learner(self) -> Any:
        """A copy of the learner with :attr:`result_learner_param_vals` set, ready to train on all data.

        When the learner validated on the test set (``"test"``) for internal tuning, validation is
        turned off: the tuned epochs are known, and outside resampling there is no test set.
        """
        learner = self.learner.clone().reset()
        self.space.assign(learner.param_set, self.result_learner_param_vals)
        if self.space.internal and getattr(learner, "validate", None) == "test":
            from jupytorch.nn.validate import set_validate

            set_validate(learner, None)  # there is no test set outside resampling; epochs are known now
            for pid in self.space.internal:
                measures_valid = sibling(pid, "measures_valid")
                if measures_valid in learner.param_set:
                    learner.param_set.unset(measures_valid)
        return learner

    # -- display --------------------------------------------------------------------------------------
    def _summary_lines(self) -> list[str]:
        archive = self.archive
        counts = archive["state"].value_counts().to_dict()
        states = ", ".join(f"{counts[s]} {s.lower()}" for s in STATES if s in counts) or "none yet"
        lines = [
            f"* Task: {self.task.id}, learner: {self.learner.id}, resampling: {self.resampling.id}",
            f"* Tuner: {self.tuner.id}; measures: {', '.join(m.id for m in self.measures)}",
            f"* Trials: {len(archive)} ({states}); study {self.study.study_name!r}",
        ]
        if self.stopped:
            lines.append("* Stopped by the user (Ctrl-C or Stop) before the terminator: the finished trials are kept")
        try:
            best = self._result_trial()
            config = ", ".join(f"{k}={v!r}" for k, v in self.config_of(best).items())
            value = ", ".join(f"{m.id}={x:.4g}" for m, x in zip(self.measures, best.values))
            lines.append(f"* Best: {value} with {config}")
        except InvalidParameterError:
            pass
        return lines
