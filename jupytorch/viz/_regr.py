"""Figures of regression predictions: truth against response, residuals, and the residual histogram.

As in mlr3viz, the residual is ``truth - response`` and the response is on the x axis of the
scatter plots.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from jupytorch.viz._common import check_truth, color, graph_objects

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from jupytorch.core.prediction import PredictionRegr

__all__ = [
    "RegrInfo",
    "_get_regr_info",
    "_build_xy_figure",
    "_build_residual_figure",
    "_build_residual_histogram_figure",
]


class RegrInfo(NamedTuple):
    """The numbers behind the regression plots, one entry per observation."""

    row_ids: np.ndarray
    truth: np.ndarray
    response: np.ndarray
    residual: np.ndarray  # truth - response
    rmse: float
    rsq: float


def _get_regr_info(prediction: PredictionRegr, plot: str = "xy") -> RegrInfo:
    """Extract truth, response and residuals; ``plot`` names the plot for errors.

    Examples
    --------
    >>> from jupytorch.core.prediction import PredictionRegr
    >>> info = _get_regr_info(PredictionRegr([0, 1], truth=[1.0, 2.0], response=[1.5, 2.0]))
    >>> info.residual.tolist()
    [-0.5, 0.0]
    """
    check_truth(prediction, f"autoplot(PredictionRegr, type={plot!r})")
    truth = prediction._truth.astype(float)
    response = prediction._response.astype(float)
    residual = truth - response
    rmse = float(np.sqrt(np.mean(residual**2)))
    spread = float(np.sum((truth - truth.mean()) ** 2))
    rsq = 1.0 - float(np.sum(residual**2)) / spread if spread > 0 else float("nan")
    return RegrInfo(prediction.row_ids.copy(), truth, response, residual, rmse, rsq)


def _summary(info: RegrInfo) -> str:
    rsq = "" if np.isnan(info.rsq) else f", R² {info.rsq:.3f}"
    return f"n = {len(info.truth)}, RMSE {info.rmse:.4g}{rsq}"


def _build_xy_figure(info: RegrInfo) -> Figure:
    """Truth (y) against response (x) with the identity line: points on it are predicted exactly."""
    go = graph_objects()
    both = np.concatenate([info.truth, info.response])
    lo, hi = (float(both.min()), float(both.max())) if both.size else (0.0, 1.0)
    figure = go.Figure(
        [
            go.Scatter(
                x=[lo, hi], y=[lo, hi], mode="lines", name="truth = response",
                line={"dash": "dash", "color": "grey"}, hoverinfo="skip",
            ),
            go.Scatter(
                x=info.response, y=info.truth, mode="markers", name="observations",
                marker={"color": color(0), "opacity": 0.7}, customdata=info.row_ids,
                hovertemplate="row %{customdata}<br>response: %{x:.4g}<br>truth: %{y:.4g}<extra></extra>",
            ),
        ]
    )
    figure.update_xaxes(title_text="response")
    figure.update_yaxes(title_text="truth")
    figure.update_layout(title={"text": f"Truth vs response ({_summary(info)})"})
    return figure


def _build_residual_figure(info: RegrInfo) -> Figure:
    """Residuals (truth - response) against the response, with the zero line."""
    go = graph_objects()
    figure = go.Figure(
        go.Scatter(
            x=info.response, y=info.residual, mode="markers", name="observations",
            marker={"color": color(0), "opacity": 0.7}, customdata=info.row_ids,
            hovertemplate="row %{customdata}<br>response: %{x:.4g}<br>residual: %{y:.4g}<extra></extra>",
        )
    )
    figure.add_hline(y=0, line_dash="dash", line_color="grey")
    figure.update_xaxes(title_text="response")
    figure.update_yaxes(title_text="residual (truth - response)")
    figure.update_layout(title={"text": f"Residuals ({_summary(info)})"}, showlegend=False)
    return figure


def _build_residual_histogram_figure(info: RegrInfo) -> Figure:
    """A histogram of the residuals (truth - response)."""
    go = graph_objects()
    figure = go.Figure(go.Histogram(x=info.residual, name="residuals", marker={"color": color(0)}))
    figure.add_vline(x=0, line_dash="dash", line_color="grey")
    figure.update_xaxes(title_text="residual (truth - response)")
    figure.update_yaxes(title_text="count")
    figure.update_layout(title={"text": f"Residual distribution ({_summary(info)})"}, showlegend=False, bargap=0.05)
    return figure
