"""``autoplot``: one call that draws the figure that fits a result, prediction, task or learner.

Which figures exist for which object (the first type is the default):

=================== ================================================ ==========================
object              types                                            measure
=================== ================================================ ==========================
BenchmarkResult     boxplot, bar, roc*, prc*                         boxplot, bar
ResampleResult      boxplot, histogram, prediction, roc*, prc*       boxplot, histogram
PredictionClassif   confusion, roc, prc                              -
PredictionRegr      xy, residual, histogram                          -
Task                target                                           -
Learner (trained)   history                                          history (selects)
DataFrame (history) history                                          history (selects)
LRFindResult        lr_find                                          -
TuningInstance      history, parallel, importance, slice,            objective (selects)
                    intermediate, pareto (several measures)
=================== ================================================ ==========================

``*`` classification only. Each figure comes from a pure extractor ``_get_<plot>_info(obj)``
(a NamedTuple; no plotting library needed) and a ``_build_<plot>_figure(info)`` that draws it
with plotly, which is imported only then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from jupytorch.core.exceptions import InvalidParameterError, did_you_mean

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

__all__ = ["autoplot", "plot_types"]

_builtin_type = type  # ``type`` is a parameter name of autoplot (as in mlr3viz)


class _Plot(NamedTuple):
    extract: Callable[[Any, Any], Any]  # (obj, measure) -> info
    build: Callable[[Any], Figure]
    uses_measure: bool


def _kind_of(obj: Any) -> str | None:
    """The name autoplot knows ``obj`` by, or None when it cannot plot it."""
    import pandas as pd

    from jupytorch.core.benchmark import BenchmarkResult
    from jupytorch.core.learner import Learner
    from jupytorch.core.prediction import PredictionClassif, PredictionRegr
    from jupytorch.core.resample import ResampleResult
    from jupytorch.core.task import Task

    for cls in (BenchmarkResult, ResampleResult, PredictionClassif, PredictionRegr, Task, Learner):
        if isinstance(obj, cls):
            return cls.__name__
    if type(obj).__name__ == "TuningInstance" and type(obj).__module__ == "jupytorch.tuning.instance":
        return "TuningInstance"
    if isinstance(obj, pd.DataFrame):
        return "DataFrame"
    if type(obj).__name__ == "LRFindResult" and hasattr(obj, "suggestions"):  # no torch import for the check
        return "LRFindResult"
    return None


def _plots(kind: str, obj: Any) -> dict[str, _Plot]:
    """The plot types of ``obj`` (its kind and, for results, its task type), default first."""
    from jupytorch.viz import _classif, _history, _regr, _scores, _task

    def no_measure(extract: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
        return lambda x, _measure: extract(x)

    def regr(plot: str) -> Callable[[Any, Any], Any]:
        return lambda x, _measure: _regr._get_regr_info(x, plot)

    prediction_plots = {
        "PredictionClassif": {
            "confusion": _Plot(no_measure(_classif._get_confusion_info), _classif._build_confusion_figure, False),
            "roc": _Plot(no_measure(_classif._get_roc_info), _classif._build_roc_figure, False),
            "prc": _Plot(no_measure(_classif._get_prc_info), _classif._build_prc_figure, False),
        },
        "PredictionRegr": {
            "xy": _Plot(regr("xy"), _regr._build_xy_figure, False),
            "residual": _Plot(regr("residual"), _regr._build_residual_figure, False),
            "histogram": _Plot(regr("histogram"), _regr._build_residual_histogram_figure, False),
        },
    }
    if kind in prediction_plots:
        return prediction_plots[kind]
    if kind == "ResampleResult":
        prediction_kind = "PredictionClassif" if obj.task_type == "classif" else "PredictionRegr"
        default = next(iter(prediction_plots[prediction_kind].values()))
        plots = {
            "boxplot": _Plot(_scores._get_resample_scores_info, _scores._build_score_boxplot_figure, True),
            "histogram": _Plot(_scores._get_resample_scores_info, _scores._build_score_histogram_figure, True),
            "prediction": _Plot(lambda rr, m: default.extract(rr.prediction(), m), default.build, False),
        }
        if obj.task_type == "classif":
            for name in ("roc", "prc"):
                plot = prediction_plots["PredictionClassif"][name]
                plots[name] = _Plot(lambda rr, m, p=plot: p.extract(rr.prediction(), m), plot.build, False)
        return plots
    if kind == "BenchmarkResult":
        plots = {
            "boxplot": _Plot(_scores._get_benchmark_scores_info, _scores._build_score_boxplot_figure, True),
            "bar": _Plot(_scores._get_benchmark_aggregate_info, _scores._build_score_bar_figure, True),
        }
        if any(rr.task.task_type == "classif" for rr in obj.resample_results):
            for name in ("roc", "prc"):
                plots[name] = _Plot(
                    lambda b, _m, k=name: _classif._get_benchmark_curves_info(b, k), _classif._build_benchmark_curves_figure, False
                )
        return plots
    if kind == "LRFindResult":
        from jupytorch.viz import _lr_find

        return {"lr_find": _Plot(_lr_find._get_lr_find_info, _lr_find._build_lr_find_figure, False)}
    if kind == "TuningInstance":
        from jupytorch.viz import _tuning

        names = list(_tuning.TUNING_PLOTS) + (["pareto"] if obj.multi_objective else [])
        return {
            name: _Plot(lambda ti, m, n=name: _tuning._get_tuning_info(ti, m, n), _tuning._build_tuning_figure, name in _tuning.WITH_MEASURE)
            for name in names
        }
    if kind == "Task":
        return {"target": _Plot(no_measure(_task._get_target_info), _task._build_target_figure, False)}
    return {"history": _Plot(_history._get_history_info, _history._build_history_figure, True)}  # Learner, DataFrame


def _unsupported(obj: Any) -> InvalidParameterError:
    return InvalidParameterError(
        f"autoplot() cannot plot a {type(obj).__name__}. It plots a BenchmarkResult, a ResampleResult, a "
        "PredictionClassif, a PredictionRegr, a Task, a trained torch learner (its training history), an lr_find() result or a history "
        "PredictionClassif, a PredictionRegr, a Task, a TuningInstance, a trained torch learner (its training history) or a history "
        "DataFrame (columns epoch, train_loss, train.<measure>, valid.<measure>)."
    )


def plot_types(obj: Any) -> list[str]:
    """The figure types ``autoplot`` offers for ``obj``; the first is the default.

    Examples
    --------
    >>> from jupytorch.core.prediction import PredictionRegr
    >>> plot_types(PredictionRegr([0, 1], truth=[1.0, 2.0], response=[1.5, 2.0]))
    ['xy', 'residual', 'histogram']
    """
    kind = _kind_of(obj)
    if kind is None:
        raise _unsupported(obj)
    return list(_plots(kind, obj))


def _autoplot_info(obj: Any, type: str | None = None, measure: Any = None) -> tuple[Any, Callable[[Any], Figure]]:
    """Pick the plot of ``obj`` and extract its info; returns (info, build). No plotly needed."""
    kind = _kind_of(obj)
    if kind is None:
        raise _unsupported(obj)
    plots = _plots(kind, obj)
    name = type if type is not None else next(iter(plots))
    what = f"autoplot({_builtin_type(obj).__name__})"
    if not isinstance(name, str) or name not in plots:
        listing = ", ".join(f"{t!r}" + (" (default)" if i == 0 else "") for i, t in enumerate(plots))
        raise InvalidParameterError(
            f"{what}: unknown type {name!r}; valid types are {listing}.{did_you_mean(str(name), plots)}"
        )
    plot = plots[name]
    if measure is not None and not plot.uses_measure:
        users = [t for t, p in plots.items() if p.uses_measure]
        hint = f" (it applies to type {' / '.join(repr(t) for t in users)})" if users else ""
        raise InvalidParameterError(f"{what}: type {name!r} takes no measure{hint}; got measure={_id_of(measure)!r}.")
    return plot.extract(obj, measure), plot.build


def _id_of(measure: Any) -> Any:
    return getattr(measure, "id", measure)


def autoplot(obj: Any, type: str | None = None, measure: Any = None, **kwargs: Any) -> Figure:
    """Plot a result, prediction, task or training history as a plotly figure.

    Parameters
    ----------
    obj : BenchmarkResult, ResampleResult, PredictionClassif, PredictionRegr, Task, Learner or DataFrame
        What to plot. A Learner must be trained and hold a training history (torch learners with
        the ``history`` callback, also inside a GraphLearner); a DataFrame must be such a history.
    type : str, optional
        The kind of figure; default: the first of the object's types.

        - BenchmarkResult: ``"boxplot"`` (iteration scores per learner, one panel per task),
          ``"bar"`` (aggregated score with ±1 sd error bars), ``"roc"``, ``"prc"`` (binary
          classification: one curve per learner from its test predictions of all iterations).
        - ResampleResult: ``"boxplot"``, ``"histogram"`` (iteration scores), ``"prediction"`` (the
          default figure of the stacked test predictions), ``"roc"``, ``"prc"`` (classification).
        - PredictionClassif: ``"confusion"`` (counts, rows: response, columns: truth), ``"roc"``,
          ``"prc"`` (need probabilities; multiclass: one curve per class against the rest).
        - PredictionRegr: ``"xy"`` (truth against response with the identity line),
          ``"residual"`` (truth - response against response), ``"histogram"`` (of the residuals).
        - Task: ``"target"`` (class counts, or a histogram of a numeric target).
        - Learner, DataFrame: ``"history"`` (train and valid curves, one panel per measure).
        - TuningInstance: ``"history"`` (objective per trial, best so far), ``"parallel"``
          (parallel coordinates), ``"importance"`` (parameter importances), ``"slice"``,
          ``"intermediate"`` (per-epoch scores of pruning), ``"pareto"`` (several measures);
          drawn by ``optuna.visualization``.
    measure : Measure or str, optional
        For score plots: the measure (default ``classif.ce`` / ``regr.mse``). For histories: the
        measure(s) to show (default: all recorded).
    **kwargs
        Layout settings passed to ``Figure.update_layout`` (``title``, ``width``, ``height``,
        ``template``...).

    Returns
    -------
    plotly.graph_objects.Figure
        Shown by Jupyter as an interactive figure; ``fig.write_html(path)`` or
        ``fig.write_image(path)`` (with kaleido) saves it.

    Raises
    ------
    InvalidParameterError
        For an object autoplot cannot plot, an unknown type (the message lists the valid ones), a
        measure given to a figure that takes none, or data the figure needs but the object lacks
        (probabilities for ROC curves, a history in the learner).

    Examples
    --------
    >>> import jupytorch as jt
    >>> design = jt.benchmark_grid(jt.tsk("mtcars"), [jt.lrn("regr.featureless"), jt.lrn("regr.rpart")],
    ...                            jt.rsmp("cv", folds=3))
    >>> fig = jt.autoplot(jt.benchmark(design, seed=1), measure="regr.rmse")
    >>> [trace.type for trace in fig.data]
    ['box', 'box']
    >>> from jupytorch.core.prediction import PredictionClassif
    >>> pred = PredictionClassif([0, 1, 2, 3], truth=["a", "b", "a", "b"], class_names=["a", "b"],
    ...                          prob=[[0.9, 0.1], [0.4, 0.6], [0.6, 0.4], [0.2, 0.8]])
    >>> jt.autoplot(pred, type="roc").data[0].name
    'a (AUC = 1.000)'
    """
    info, build = _autoplot_info(obj, type, measure)
    figure = build(info)
    if kwargs:
        _update_layout(figure, kwargs)
    return figure


def _update_layout(figure: Figure, kwargs: dict[str, Any]) -> None:
    try:
        figure.update_layout(**kwargs)
    except ValueError as error:
        known = [p for p in dir(figure.layout) if not p.startswith("_")]
        bad = [k for k in kwargs if k.split("_")[0] not in known]
        hint = did_you_mean(bad[0], known) if bad else ""
        raise InvalidParameterError(
            f"autoplot(): the keyword argument(s) {bad or list(kwargs)} are not valid plotly layout settings "
            f"(keyword arguments go to Figure.update_layout, e.g. title='...', width=800).{hint}"
        ) from error
