"""Public names of the viz layer (strings only: plotly is imported when a figure is built)."""

from __future__ import annotations

EXPORTS = {"autoplot": "jupytorch.viz.autoplot:autoplot"}


def register() -> None:
    """The viz layer adds no registry entries."""
