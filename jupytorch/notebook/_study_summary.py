"""An Optuna study as plain data for :class:`~jupytorch.notebook.TuningDashboard` (no widget library here).

:func:`resolve_study` accepts an ``optuna.Study``, anything with a ``.study`` attribute (a tuning
instance), or a storage URL with a study name. :func:`summarize` turns a study into JSON-ready
dicts: one row per trial (state, values, parameters, duration, user attributes, intermediate
values), the parameters with their kind, the Pareto-optimal trials and the best trial; jupytorch's
own trial record shows as its readable parts (internally tuned values, the last error).
:func:`source_labels` names a tuning instance's study after its learner, task and measures.
:func:`param_importance` wraps Optuna's importance evaluator (fANOVA by default).
"""

from __future__ import annotations

import math
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError

__all__ = ["param_importance", "resolve_study", "source_labels", "summarize"]

MAX_STEPS = 200  # intermediate values kept per trial (evenly thinned beyond)
RECORD = "jupytorch"  # the user attribute holding jupytorch's trial record (jupytorch.tuning.instance)


def resolve_study(obj: Any, study_name: str | None = None) -> Any:
    """The ``optuna.Study`` behind ``obj``: a study, an object with ``.study``, or a storage URL + ``study_name``.

    Examples
    --------
    >>> import optuna
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> study = optuna.create_study(study_name="demo")
    >>> resolve_study(study) is study
    True
    """
    import optuna

    if isinstance(obj, optuna.Study):
        return obj
    inner = getattr(obj, "study", None)
    if isinstance(inner, optuna.Study):
        return inner
    if isinstance(obj, (str, optuna.storages.BaseStorage)):
        if study_name is None:
            names = [s.study_name for s in optuna.get_all_study_summaries(obj)]
            if len(names) != 1:
                raise InvalidParameterError(
                    f"TuningDashboard: storage {obj!r} holds {len(names)} studies {names[:8]}; name one with study_name=."
                )
            study_name = names[0]
        return optuna.load_study(study_name=study_name, storage=obj)
    raise InvalidParameterError(
        f"TuningDashboard: cannot show a {type(obj).__name__}; give an optuna.Study, a tuning instance (with .study) "
        "or a storage URL and study_name."
    )


def source_labels(obj: Any, learner_name: str | None = None) -> dict[str, Any]:
    """The title and objective names of a tuning instance's study; {} for anything else.

    Parameters
    ----------
    obj : object
        A tuning instance (with ``task``, ``learner`` and ``measures``), or anything else.
    learner_name : str, optional
        The name the user gave the learner (a ``%%learner`` NAME); default the learner's id.

    Examples
    --------
    >>> import jupytorch as jt
    >>> ti = jt.tune(jt.tnr("random_search", seed=1), jt.tsk("mtcars"), jt.lrn("regr.rpart", cp=jt.to_tune(0.01, 0.1)),
    ...              jt.rsmp("holdout"), jt.msr("regr.rmse"), term_evals=1, seed=1)
    >>> source_labels(ti)
    {'title': 'Tuning regr.rpart on mtcars', 'metric_names': ['regr.rmse']}
    """
    task, learner, measures = (getattr(obj, name, None) for name in ("task", "learner", "measures"))
    if task is None or learner is None or not measures:
        return {}
    return {"title": f"Tuning {learner_name or learner.id} on {task.id}", "metric_names": [str(m.id) for m in measures]}


def _user_attrs(trial: Any) -> dict[str, Any]:
    """A trial's user attributes; jupytorch's record as its parts worth a column (scores and runtime
    are columns already): the internally tuned values and the last error.
    """
    attrs: dict[str, Any] = {}
    for name, value in trial.user_attrs.items():
        if name == RECORD and isinstance(value, dict):
            attrs.update({str(k): _jsonable(v) for k, v in (value.get("internal") or {}).items()})
            if value.get("errors"):
                attrs["error"] = _jsonable(value["errors"][-1])
        else:
            attrs[name] = _jsonable(value)
    return attrs


def _number(value: Any) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value[:50]]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in list(value.items())[:50]}
    number = _number(value)
    return number if number is not None else str(value)[:200]


def _thin(items: list[tuple[int, float]]) -> list[list[float]]:
    if len(items) > MAX_STEPS:
        keep = sorted({round(i * (len(items) - 1) / (MAX_STEPS - 1)) for i in range(MAX_STEPS)})
        items = [items[i] for i in keep]
    return [[int(step), v] for step, value in items if (v := _number(value)) is not None]


def _trial_row(trial: Any) -> dict[str, Any]:
    duration = None
    if trial.datetime_start is not None and trial.datetime_complete is not None:
        duration = (trial.datetime_complete - trial.datetime_start).total_seconds()
    values = None if trial.values is None else [_number(v) for v in trial.values]
    return {
        "number": int(trial.number),
        "state": trial.state.name.lower(),
        "values": values,
        "params": {name: _jsonable(v) for name, v in trial.params.items()},
        "duration_s": duration,
        "start": None if trial.datetime_start is None else trial.datetime_start.isoformat(timespec="seconds"),
        "user_attrs": _user_attrs(trial),
        "intermediate": _thin(sorted(trial.intermediate_values.items())),
    }


def _param_kinds(trials: list[Any]) -> dict[str, dict[str, Any]]:
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    kinds: dict[str, dict[str, Any]] = {}
    for trial in trials:
        for name, dist in trial.distributions.items():
            if name in kinds:
                continue
            if isinstance(dist, CategoricalDistribution):
                kinds[name] = {"kind": "categorical", "choices": [_jsonable(c) for c in dist.choices]}
            elif isinstance(dist, (FloatDistribution, IntDistribution)):
                kinds[name] = {"kind": "int" if isinstance(dist, IntDistribution) else "float",
                               "log": bool(dist.log), "low": dist.low, "high": dist.high}
    return kinds


def summarize(study: Any) -> dict[str, Any]:
    """The study as the dashboard's traits: trials, params, directions, best and Pareto trials.

    Examples
    --------
    >>> import optuna
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: (t.suggest_float("x", -1, 1)) ** 2, n_trials=5)
    >>> s = summarize(study)
    >>> len(s["trials"]), s["directions"], s["params"]["x"]["kind"], s["best"]["number"] == study.best_trial.number
    (5, ['minimize'], 'float', True)
    """
    import optuna

    trials = study.get_trials(deepcopy=False)
    directions = [d.name.lower() for d in study.directions]
    complete = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    best: dict[str, Any] = {}
    pareto: list[int] = []
    if complete:
        if len(directions) == 1:
            bt = study.best_trial
            best = {"number": bt.number, "values": [_number(v) for v in bt.values], "params": _jsonable(bt.params)}
        else:
            pareto = [t.number for t in study.best_trials]
    return {
        "title": f"Study {study.study_name}",
        "directions": directions,
        "metric_names": list(getattr(study, "metric_names", None) or [f"value {i}" if len(directions) > 1 else "value"
                                                                        for i in range(len(directions))]),
        "trials": [_trial_row(t) for t in trials],
        "params": _param_kinds(trials),
        "best": best,
        "pareto": pareto,
    }


def param_importance(study: Any) -> dict[str, float]:
    """Importance of each parameter for the (first) objective, from Optuna's evaluator; {} when it cannot tell.

    Examples
    --------
    >>> import optuna
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) * 10 + t.suggest_float("y", 0, 1) * 0.01, n_trials=20)
    >>> imp = param_importance(study)
    >>> max(imp, key=imp.get)
    'x'
    """
    import optuna

    complete = [t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE]
    if len(complete) < 2 or not complete[0].params:
        return {}
    target = (lambda t: t.values[0]) if len(study.directions) > 1 else None
    try:
        importance = optuna.importance.get_param_importances(study, target=target)
    except Exception:  # noqa: BLE001 - too few distinct trials, a single-valued parameter, ...
        return {}
    return {str(k): float(v) for k, v in importance.items()}
