"""The tuning part of a ``%%learner NAME --task T --tune N`` cell, callable without IPython.

``run_tuning_cell`` tunes the cell's learner (its ``to_tune()`` tokens) with ``--tuner`` (default
``tpe``), ``--resample`` (default ``holdout``) and ``--measure`` (default ``classif.ce`` /
``regr.mse``), then binds ``NAME_ti`` (the TuningInstance) and ``NAME`` (the learner with the best
configuration, trained on the whole task). Specs are a key followed by ``key=value`` pairs:
``--tuner "tpe seed=1"``, ``--resample "cv folds=3"``.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import MutableMapping
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError, JupytorchError

__all__ = ["TuningCellResult", "parse_spec", "run_tuning_cell"]


def parse_spec(spec: str, option: str) -> tuple[str, dict[str, Any]]:
    """Split ``"cv folds=3"`` into ``("cv", {"folds": 3})``; values are Python literals or strings.

    Examples
    --------
    >>> parse_spec("tpe seed=1 n_startup_trials=5", "--tuner")
    ('tpe', {'seed': 1, 'n_startup_trials': 5})
    """
    key, *pairs = spec.split()
    kwargs: dict[str, Any] = {}
    for pair in pairs:
        name, eq, raw = pair.partition("=")
        if not eq or not name:
            raise InvalidParameterError(f"{option} {spec!r}: after the key come key=value pairs, e.g. \"cv folds=3\" (got {pair!r}).")
        try:
            kwargs[name] = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            kwargs[name] = raw
    return key, kwargs


@dataclasses.dataclass
class TuningCellResult:
    """What :func:`run_tuning_cell` did: the tuning instance, the tuned learner and the names bound."""

    tuning_instance: Any
    learner: Any
    bound: dict[str, Any]

    def summary(self) -> str:
        """One line for the cell's output."""
        ti = self.tuning_instance
        states = ti.archive["state"].value_counts().to_dict()
        done = ", ".join(f"{n} {s.lower()}" for s, n in states.items())
        names = ", ".join(f"{k} ({type(v).__name__})" for k, v in self.bound.items())
        return f"Tuned {len(ti.archive)} trials ({done}). Bound {names}."


def run_tuning_cell(name: str, learner: Any, task: Any, namespace: MutableMapping[str, Any], *, n_evals: int,
                    tuner: str = "tpe", resample: str = "holdout", measure: str | None = None,
                    seed: int | None = None, pruner: Any = None, storage: Any = None,
                    study_name: str | None = None) -> TuningCellResult:
    """Tune ``learner`` on ``task`` for ``n_evals`` trials; bind ``NAME_ti`` and the tuned ``NAME``.

    Parameters
    ----------
    name : str
        The cell's NAME.
    learner, task
        The learner the cell built (with ``to_tune()`` tokens) and the resolved ``--task``.
    namespace : dict
        Where the names are bound (a notebook's ``user_ns``).
    n_evals : int
        ``--tune N``: the number of trials.
    tuner, resample : str
        Specs: ``"tpe seed=1"``, ``"cv folds=3"``.
    measure : str, optional
        ``--measure``: a measure key (``"regr.rmse"``); default the task type's.
    seed, pruner, storage, study_name
        As for :func:`jupytorch.tune`.

    Examples
    --------
    >>> import jupytorch as jt
    >>> ns = {}
    >>> learner = jt.lrn("regr.rpart", maxdepth=jt.to_tune(1, 4))
    >>> result = run_tuning_cell("tree", learner, jt.tsk("mtcars"), ns, n_evals=3, tuner="random_search seed=1",
    ...                          measure="regr.rmse", seed=1)
    >>> sorted(ns), ns["tree"].is_trained
    (['tree', 'tree_ti'], True)
    """
    from jupytorch.core.sugar import msr, rsmp
    from jupytorch.tuning.tune import tune
    from jupytorch.tuning.tuners import tnr

    if not learner.param_set.tune_tokens():
        raise InvalidParameterError(
            f"--tune {n_evals}: learner {learner.id!r} has no to_tune() tokens; mark what to tune in the cell, e.g. "
            "lrn(\"classif.mlp\", opt__lr=to_tune(1e-4, 1e-1, logscale=True))."
        )
    if not isinstance(n_evals, int) or n_evals < 1:
        raise InvalidParameterError(f"--tune takes a positive number of trials, got {n_evals!r}.")
    built = {}
    for option, spec, factory in (("--tuner", tuner, tnr), ("--resample", resample, rsmp)):
        key, kwargs = parse_spec(spec, option)
        try:
            built[option] = factory(key, **kwargs)
        except JupytorchError as error:
            raise InvalidParameterError(f"{option}: {error}") from None
    try:
        measures = msr(measure) if measure is not None else None
    except JupytorchError as error:
        raise InvalidParameterError(f"--measure: {error}") from None
    ti = tune(built["--tuner"], task, learner, built["--resample"], measures, term_evals=n_evals, seed=seed,
              pruner=pruner, storage=storage, study_name=study_name)
    tuned = ti.tuned_learner()
    tuned.train(task)
    namespace[name] = tuned
    namespace[f"{name}_ti"] = ti
    return TuningCellResult(ti, tuned, {name: tuned, f"{name}_ti": ti})
