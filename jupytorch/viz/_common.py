"""Helpers shared by the figures: measure resolution, checks, and the lazily imported plotly parts.

Nothing here imports plotly at module import time; ``graph_objects()`` and ``subplots()`` do,
and only the ``_build_*_figure`` functions call them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from jupytorch.core.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from jupytorch.core.measure import Measure
    from jupytorch.core.prediction import Prediction

__all__ = [
    "resolve_measure",
    "check_truth",
    "graph_objects",
    "facet_figure",
    "facet_cell",
    "color",
    "axis_name",
]

#: At most this many facets side by side; more wrap into further rows.
FACET_COLUMNS = 3


def resolve_measure(measure: Any, task_type: str | None, what: str) -> Measure:
    """Return one Measure from ``measure`` (None: the default of ``task_type``, a key or a Measure).

    ``what`` names the object for errors (``"autoplot(BenchmarkResult)"``).
    """
    from jupytorch.core.measure import as_measures

    if isinstance(measure, (list, tuple)):
        if len(measure) != 1:
            raise InvalidParameterError(
                f"{what}: plots one measure at a time, got {len(measure)}; pass a single one, e.g. measure='regr.mse'."
            )
        measure = measure[0]
    return as_measures(measure, task_type=task_type)[0]


def check_truth(prediction: Prediction, what: str) -> None:
    """Raise when some observations of ``prediction`` have no true value (predictions of new data)."""
    truth = prediction._truth
    missing = int(np.sum(truth == None)) if truth.dtype == object else int(np.isnan(truth).sum())  # noqa: E711
    if missing:
        raise InvalidParameterError(
            f"{what}: {missing} of {len(prediction)} observations have no true target value (a prediction of new "
            "data?); this plot compares predictions with the truth."
        )
    if len(prediction) == 0:
        raise InvalidParameterError(f"{what}: the prediction has no observations.")


def graph_objects() -> Any:
    """``plotly.graph_objects``, imported on first use."""
    import plotly.graph_objects as go

    return go


def facet_figure(titles: list[str], shared_yaxes: bool = True, horizontal_spacing: float = 0.06) -> Figure:
    """An empty figure with one subplot per title (wrapped into rows of :data:`FACET_COLUMNS`)."""
    from plotly.subplots import make_subplots

    n = max(len(titles), 1)
    cols = min(n, FACET_COLUMNS)
    rows = math.ceil(n / cols)
    return make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=titles if len(titles) > 1 else None,
        shared_yaxes=shared_yaxes,
        horizontal_spacing=horizontal_spacing,
        vertical_spacing=0.12 if rows > 1 else 0.08,
    )


def facet_cell(index: int, n: int) -> tuple[int, int]:
    """The (row, col) of facet ``index`` (0-based) among ``n`` facets, both 1-based as plotly wants."""
    cols = min(max(n, 1), FACET_COLUMNS)
    return index // cols + 1, index % cols + 1


def color(index: int) -> str:
    """The ``index``-th colour of plotly's default qualitative palette (cycled)."""
    from plotly.colors import qualitative

    palette = qualitative.Plotly
    return palette[index % len(palette)]


def axis_name(measure_id: str, minimize: bool | None) -> str:
    """An axis title for a measure: its id and whether lower or higher is better."""
    if minimize is None:
        return measure_id
    return f"{measure_id} ({'lower' if minimize else 'higher'} is better)"
