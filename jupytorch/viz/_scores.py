"""Figures of resampling scores: box plots, histograms and bar charts of per-iteration scores.

A ResampleResult gives one box (or histogram) of its iteration scores; a BenchmarkResult gives
one box (or bar) per learner, in one panel per task when it holds several tasks. Learners that
appear with several resamplings are labelled ``learner_id (resampling_id)``. Iterations that
failed without a fallback score NaN and are left out (the hover text shows how many remain).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.viz._common import axis_name, color, facet_cell, facet_figure, graph_objects, resolve_measure

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from jupytorch.core.benchmark import BenchmarkResult
    from jupytorch.core.measure import Measure
    from jupytorch.core.resample import ResampleResult

__all__ = [
    "ScoresInfo",
    "AggregateInfo",
    "_get_resample_scores_info",
    "_get_benchmark_scores_info",
    "_get_benchmark_aggregate_info",
    "_build_score_boxplot_figure",
    "_build_score_histogram_figure",
    "_build_score_bar_figure",
]

SCORE_COLUMNS = ["task_id", "label", "learner_id", "resampling_id", "iteration", "score"]


class ScoresInfo(NamedTuple):
    """Per-iteration scores of one measure.

    ``scores`` has the columns task_id, label, learner_id, resampling_id, iteration, score;
    ``task_ids`` and ``labels`` list the panels and boxes in order of first appearance.
    """

    measure_id: str
    minimize: bool | None
    task_ids: tuple[str, ...]
    labels: tuple[str, ...]
    scores: pd.DataFrame
    source: str  # "ResampleResult" or "BenchmarkResult"


class AggregateInfo(NamedTuple):
    """Aggregated scores: one row per task and learner with the aggregate (the mean by default),
    the standard deviation over iterations and the number of scored iterations.
    """

    measure_id: str
    minimize: bool | None
    task_ids: tuple[str, ...]
    labels: tuple[str, ...]
    table: pd.DataFrame  # task_id, label, learner_id, resampling_id, value, sd, n


def _task_type_of(results: list[Any], what: str, measure: Any) -> str | None:
    types = sorted({rr.task.task_type for rr in results})
    if len(types) == 1:
        return types[0]
    if measure is None:
        raise InvalidParameterError(
            f"{what}: the tasks are of several types {types}; there is no common default measure. Plot the tasks of "
            "each type separately, or name a measure that scores any task, e.g. measure='time_train'."
        )
    return None


def _score_frame(results: list[Any], measure: Measure, label_resampling: bool) -> pd.DataFrame:
    frames = []
    for rr in results:
        frame = rr.score(measure)
        label = f"{rr.learner.id} ({rr.resampling.id})" if label_resampling else rr.learner.id
        frames.append(
            pd.DataFrame(
                {
                    "task_id": frame["task_id"].astype(str),
                    "label": label,
                    "learner_id": frame["learner_id"].astype(str),
                    "resampling_id": frame["resampling_id"].astype(str),
                    "iteration": frame["iteration"].astype(np.int64),
                    "score": frame[measure.id].astype(float),
                },
                columns=SCORE_COLUMNS,
            )
        )
    if not frames:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _scores_info(results: list[Any], measure: Any, source: str) -> tuple[ScoresInfo, Measure]:
    what = f"autoplot({source})"
    if not results:
        raise InvalidParameterError(f"{what}: the result holds no resample results.")
    resolved = resolve_measure(measure, _task_type_of(results, what, measure), what)
    if resolved.task_type is not None:
        wrong = sorted({rr.task.id for rr in results if rr.task.task_type != resolved.task_type})
        if wrong:
            raise InvalidParameterError(f"{what}: measure {resolved.id!r} does not fit task(s) {wrong}.")
    label_resampling = len({rr.resampling.id for rr in results}) > 1
    scores = _score_frame(results, resolved, label_resampling)
    info = ScoresInfo(
        measure_id=resolved.id,
        minimize=resolved.minimize,
        task_ids=tuple(dict.fromkeys(scores["task_id"])),
        labels=tuple(dict.fromkeys(scores["label"])),
        scores=scores,
        source=source,
    )
    return info, resolved


def _get_resample_scores_info(rr: ResampleResult, measure: Any = None) -> ScoresInfo:
    """Extract the per-iteration scores of ``measure`` (default: ``classif.ce`` / ``regr.mse``).

    Examples
    --------
    >>> import jupytorch as jt
    >>> rr = jt.resample(jt.tsk("mtcars"), jt.lrn("regr.featureless"), jt.rsmp("cv", folds=3), seed=1)
    >>> len(_get_resample_scores_info(rr, "regr.mae").scores)
    3
    """
    return _scores_info([rr], measure, "ResampleResult")[0]


def _get_benchmark_scores_info(bmr: BenchmarkResult, measure: Any = None) -> ScoresInfo:
    """Extract the per-iteration scores of every learner on every task.

    Examples
    --------
    >>> import jupytorch as jt
    >>> design = jt.benchmark_grid(jt.tsk("mtcars"), [jt.lrn("regr.featureless"), jt.lrn("regr.rpart")],
    ...                            jt.rsmp("cv", folds=3))
    >>> _get_benchmark_scores_info(jt.benchmark(design, seed=1)).labels
    ('regr.featureless', 'regr.rpart')
    """
    return _scores_info(bmr.resample_results, measure, "BenchmarkResult")[0]


def _get_benchmark_aggregate_info(bmr: BenchmarkResult, measure: Any = None) -> AggregateInfo:
    """Extract the aggregated score of every learner on every task, with the spread over iterations.

    The aggregate is the measure's own (``Measure.aggregate``, the mean by default) over the
    iterations that have a score; ``sd`` is their standard deviation (NaN for one iteration).
    """
    info, resolved = _scores_info(bmr.resample_results, measure, "BenchmarkResult")
    rows = []
    for (task_id, label), group in info.scores.groupby(["task_id", "label"], sort=False):
        values = group["score"].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        rows.append(
            {
                "task_id": task_id,
                "label": label,
                "learner_id": group["learner_id"].iloc[0],
                "resampling_id": group["resampling_id"].iloc[0],
                "value": resolved.aggregate(values) if values.size else float("nan"),
                "sd": float(np.std(values, ddof=1)) if values.size > 1 else float("nan"),
                "n": int(values.size),
            }
        )
    table = pd.DataFrame(rows, columns=["task_id", "label", "learner_id", "resampling_id", "value", "sd", "n"])
    return AggregateInfo(info.measure_id, info.minimize, info.task_ids, info.labels, table)


def _title(source: str, measure_id: str, task_ids: tuple[str, ...], scores: pd.DataFrame) -> str:
    if source == "ResampleResult" and len(scores):
        row = scores.iloc[0]
        return f"{measure_id} of {row['learner_id']} on {row['task_id']} ({row['resampling_id']}, {len(scores)} iterations)"
    if len(task_ids) == 1:
        return f"{measure_id} on task {task_ids[0]}"
    return f"{measure_id} on {len(task_ids)} tasks"


def _task_panels(task_ids: tuple[str, ...], labels: tuple[str, ...], table: pd.DataFrame,
                 trace: Callable[[pd.DataFrame, str, int, bool], Any], y_title: str, x_title: str | None = None) -> Figure:
    """One panel per task, in it one trace per label that has rows in ``table`` (which has the columns
    ``task_id`` and ``label``); ``trace(rows, label, i, first)`` makes the trace of the ``i``-th label,
    ``first`` is True in the first panel. ``y_title`` names the y axes of the first column, ``x_title``
    every x axis.
    """
    figure = facet_figure(list(task_ids))
    n = len(task_ids)
    for t, task_id in enumerate(task_ids):
        row, col = facet_cell(t, n)
        in_task = table[table["task_id"] == task_id]
        for i, label in enumerate(labels):
            group = in_task[in_task["label"] == label]
            if not group.empty:
                figure.add_trace(trace(group, label, i, t == 0), row=row, col=col)
        if x_title is not None:
            figure.update_xaxes(title_text=x_title, row=row, col=col)
        figure.update_yaxes(title_text=y_title if col == 1 else None, row=row, col=col)
    return figure


def _build_score_boxplot_figure(info: ScoresInfo) -> Figure:
    """Box plots of the iteration scores with every iteration drawn as a point; one panel per task."""
    go = graph_objects()
    n = len(info.task_ids)
    figure = _task_panels(
        info.task_ids, info.labels, info.scores[info.scores["score"].notna()],
        lambda group, label, i, first: go.Box(
            y=group["score"].to_numpy(), name=label, legendgroup=label, showlegend=first and n > 1,
            marker={"color": color(i)}, boxpoints="all", jitter=0.3, pointpos=0,
            customdata=group["iteration"].to_numpy(),
            hovertemplate="iteration %{customdata}<br>score: %{y:.4g}<extra>%{fullData.name}</extra>",
        ),
        y_title=axis_name(info.measure_id, info.minimize),
    )
    figure.update_xaxes(type="category")
    figure.update_layout(title={"text": _title(info.source, info.measure_id, info.task_ids, info.scores)}, showlegend=n > 1)
    return figure


def _build_score_histogram_figure(info: ScoresInfo) -> Figure:
    """Histograms of the iteration scores, one colour per learner, overlaid, one panel per task."""
    go = graph_objects()
    several = len(info.labels) > 1
    figure = _task_panels(
        info.task_ids, info.labels, info.scores[info.scores["score"].notna()],
        lambda group, label, i, first: go.Histogram(
            x=group["score"].to_numpy(), name=label, legendgroup=label, showlegend=first and several,
            marker={"color": color(i)}, opacity=0.75 if several else 1.0,
        ),
        y_title="iterations",
        x_title=axis_name(info.measure_id, info.minimize),
    )
    figure.update_layout(
        title={"text": _title(info.source, info.measure_id, info.task_ids, info.scores)},
        barmode="overlay",
        bargap=0.05,
        showlegend=several,
    )
    return figure


def _bar(go: Any, group: pd.DataFrame, label: str, i: int, showlegend: bool) -> Any:
    sd = group["sd"].to_numpy(dtype=float)
    return go.Bar(
        x=[label], y=group["value"].to_numpy(), name=label, legendgroup=label, showlegend=showlegend,
        marker={"color": color(i)},
        error_y={"type": "data", "array": np.nan_to_num(sd, nan=0.0), "visible": bool(np.isfinite(sd).any())},
        customdata=np.column_stack([sd, group["n"].to_numpy()]),
        hovertemplate="aggregate: %{y:.4g}<br>sd: %{customdata[0]:.4g}<br>iterations: %{customdata[1]}"
        "<extra>%{x}</extra>",
    )


def _build_score_bar_figure(info: AggregateInfo) -> Figure:
    """Bars of the aggregated score per learner with error bars of one standard deviation."""
    go = graph_objects()
    n = len(info.task_ids)
    figure = _task_panels(info.task_ids, info.labels, info.table,
                          lambda group, label, i, first: _bar(go, group, label, i, first and n > 1),
                          y_title=axis_name(info.measure_id, info.minimize))
    figure.update_xaxes(type="category")
    title = _title("BenchmarkResult", info.measure_id, info.task_ids, pd.DataFrame())
    figure.update_layout(title={"text": f"{title}: aggregate ± 1 sd over iterations"}, showlegend=n > 1)
    return figure
