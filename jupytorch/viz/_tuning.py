"""Figures of a tuning run (``autoplot(ti)``), drawn by ``optuna.visualization`` from the study.

Types: ``history`` (objective value per trial with the best so far), ``parallel`` (parallel
coordinates of the parameters), ``importance`` (parameter importances), ``slice`` (objective
against each parameter), ``intermediate`` (per-epoch validation scores reported for pruning) and,
with several measures, ``pareto`` (the Pareto front).
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

from jupytorch.core.exceptions import InvalidParameterError

__all__ = ["TUNING_PLOTS", "TuningPlotInfo", "_get_tuning_info"]


class TuningPlotInfo(NamedTuple):
    """What a tuning figure needs: the study, which objective, and its name."""

    study: Any
    plot: str
    objective: int
    name: str
    multi: bool


def _get_tuning_info(ti: Any, measure: Any, plot: str) -> TuningPlotInfo:
    ids = [m.id for m in ti.measures]
    index = 0
    if measure is not None:
        key = getattr(measure, "id", measure)
        if key not in ids:
            from jupytorch.core.exceptions import did_you_mean

            raise InvalidParameterError(f"autoplot(TuningInstance): measure {key!r} was not tuned; tuned: {ids}.{did_you_mean(str(key), ids)}")
        index = ids.index(key)
    done = [t for t in ti.study.get_trials(deepcopy=False) if t.state.name == "COMPLETE"]
    if not done:
        raise InvalidParameterError("autoplot(TuningInstance): no trial has completed yet, so there is nothing to plot.")
    if plot == "importance" and (len(done) < 2 or not ti.space.ids):
        raise InvalidParameterError("autoplot(TuningInstance, type='importance') needs at least 2 completed trials and tuned parameters.")
    return TuningPlotInfo(ti.study, plot, index, ids[index], len(ids) > 1)


def _build_tuning_figure(info: TuningPlotInfo) -> Any:
    import optuna.visualization as vis

    target = (lambda t: t.values[info.objective]) if info.multi else None
    name = info.name
    if info.plot == "history":
        figure = vis.plot_optimization_history(info.study, target=target, target_name=name)
    elif info.plot == "parallel":
        figure = vis.plot_parallel_coordinate(info.study, target=target, target_name=name)
    elif info.plot == "importance":
        with warnings.catch_warnings():  # notes on the target's direction and on small studies
            warnings.simplefilter("ignore", UserWarning)
            figure = vis.plot_param_importances(info.study, target=target, target_name=name)
    elif info.plot == "slice":
        figure = vis.plot_slice(info.study, target=target, target_name=name)
    elif info.plot == "intermediate":
        figure = vis.plot_intermediate_values(info.study)
    else:  # pareto
        figure = vis.plot_pareto_front(info.study)
    return figure


TUNING_PLOTS = ("history", "parallel", "importance", "slice", "intermediate")
WITH_MEASURE = ("history", "parallel", "importance", "slice")  # figures of one objective, chosen by ``measure``
