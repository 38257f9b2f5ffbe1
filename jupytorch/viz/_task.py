"""The figure of a task: the distribution of its target (class counts, or a histogram)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from jupytorch.viz._common import color, graph_objects

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from jupytorch.core.task import Task

__all__ = ["TargetInfo", "_get_target_info", "_build_target_figure"]


class TargetInfo(NamedTuple):
    """A task's target: ``class_names`` and ``counts`` for classification, ``values`` for regression."""

    task_id: str
    task_type: str
    target: str
    class_names: tuple[str, ...]
    counts: np.ndarray
    values: np.ndarray


def _get_target_info(task: Task) -> TargetInfo:
    """Extract the target of the task's active rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from jupytorch.core.task import TaskClassif
    >>> task = TaskClassif("toy", pd.DataFrame({"x": [1, 2, 3], "y": ["a", "b", "a"]}), target="y")
    >>> _get_target_info(task).counts.tolist()
    [2, 1]
    """
    target = task.target_names[0]
    truth = task.truth()
    if task.task_type == "classif":
        names = tuple(task.class_names)  # type: ignore[attr-defined]
        counts = truth.astype(str).value_counts().reindex(list(names), fill_value=0).to_numpy(dtype=np.int64)
        return TargetInfo(task.id, task.task_type, target, names, counts, np.array([]))
    return TargetInfo(task.id, task.task_type, target, (), np.array([], dtype=np.int64), truth.to_numpy(dtype=float))


def _build_target_figure(info: TargetInfo) -> Figure:
    """Bars of the class counts (classification) or a histogram of the target (regression)."""
    go = graph_objects()
    if info.task_type == "classif":
        trace = go.Bar(
            x=list(info.class_names), y=info.counts, marker={"color": color(0)}, name=info.target,
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
        x_type = "category"
    else:
        trace = go.Histogram(x=info.values, marker={"color": color(0)}, name=info.target)
        x_type = "-"
    figure = go.Figure(trace)
    figure.update_xaxes(title_text=info.target, type=x_type)
    figure.update_yaxes(title_text="count")
    figure.update_layout(title={"text": f"Target of task {info.task_id}"}, showlegend=False, bargap=0.05)
    return figure
