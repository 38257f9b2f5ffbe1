"""The figure of a learning-rate range test (``jt.lr_find``): loss over a log learning-rate axis, suggestions marked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from jupytorch.viz._common import color, graph_objects

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

__all__ = ["LRFindInfo", "_get_lr_find_info", "_build_lr_find_figure"]


class LRFindInfo(NamedTuple):
    """What the range-test figure draws."""

    lr: np.ndarray
    loss: np.ndarray
    smoothed: np.ndarray
    suggestions: dict[str, float | None]
    title: str


def _get_lr_find_info(result: Any, measure: Any = None) -> LRFindInfo:
    """The curve and suggestions of an :class:`~jupytorch.nn.lr_find.LRFindResult` (no plotly needed).

    Examples
    --------
    >>> from jupytorch.nn.lr_find import LRFindResult
    >>> r = LRFindResult(np.array([1e-3, 1e-2, 1e-1]), np.array([1.0, 0.5, 2.0]), np.array([1.0, 0.7, 1.2]),
    ...                  {"steep": 1e-2, "valley": None}, "classif.mlp")
    >>> info = _get_lr_find_info(r)
    >>> info.title, info.suggestions
    ('Learning-rate range test of classif.mlp', {'steep': 0.01})
    """
    suggestions = {k: float(v) for k, v in result.suggestions.items() if v is not None}
    return LRFindInfo(np.asarray(result.lr), np.asarray(result.loss), np.asarray(result.smoothed), suggestions,
                      f"Learning-rate range test of {result.learner_id}")


def _build_lr_find_figure(info: LRFindInfo) -> Figure:
    """Raw loss (faint), smoothed loss, and a marker with its value for each suggested rate."""
    go = graph_objects()
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=info.lr, y=info.loss, mode="lines", name="loss", opacity=0.35,
                                line={"color": color(0), "width": 1},
                                hovertemplate="lr %{x:.3g}<br>loss %{y:.4g}<extra></extra>"))
    figure.add_trace(go.Scatter(x=info.lr, y=info.smoothed, mode="lines", name="smoothed loss",
                                line={"color": color(0), "width": 2.2},
                                hovertemplate="lr %{x:.3g}<br>smoothed %{y:.4g}<extra></extra>"))
    # labels above the curve, pointing away from each other: the smaller rate's to the left
    order = sorted(info.suggestions.values())
    for k, (name, lr) in enumerate(info.suggestions.items()):
        y = float(np.interp(np.log10(lr), np.log10(info.lr), info.smoothed))
        side = "top left" if lr == order[0] and len(order) > 1 else "top right"
        figure.add_trace(go.Scatter(x=[lr], y=[y], mode="markers+text", name=f"{name} {lr:.2g}",
                                    text=[f"{name} {lr:.2g}"], textposition=side,
                                    marker={"size": 11, "color": color(k + 1), "symbol": "circle"},
                                    hovertemplate=f"{name}: lr %{{x:.3g}}<extra></extra>"))
    finite = info.smoothed[np.isfinite(info.smoothed)]
    if finite.size:
        low, start = float(finite.min()), float(finite[: max(1, len(finite) // 10)].mean())
        top = max(start, low) * 1.6 if start > 0 else None
        if top is not None:
            figure.update_yaxes(range=[low - 0.05 * abs(low), top])
    figure.update_xaxes(type="log", title_text="learning rate (log scale)")
    figure.update_yaxes(title_text="training loss")
    figure.update_layout(title={"text": info.title})
    return figure
