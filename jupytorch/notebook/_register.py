"""Public names of the notebook layer, and its hooks into core (strings only: no widget library is imported here)."""

from __future__ import annotations

EXPORTS = {
    "GraphView": "jupytorch.notebook._graph_view:GraphView",
    "LazyTensorPreview": "jupytorch.notebook._lazy_preview:LazyTensorPreview",
    "TrainingMonitor": "jupytorch.notebook._training_monitor:TrainingMonitor",
    "TuningDashboard": "jupytorch.notebook._tuning_dashboard:TuningDashboard",
    "learner_from_cell": "jupytorch.notebook.cell_body:learner_from_cell",
    "set_progress_view": "jupytorch.core.progress:set_progress_view",
}


def register() -> None:
    """Point core's automatic progress view and rich display at this layer (by name)."""
    from jupytorch.core import display, progress

    progress.set_view_factory("jupytorch.notebook.progress_bridge:auto_progress_view")
    display.set_display_hook("jupytorch.notebook.reprs:mimebundle")
