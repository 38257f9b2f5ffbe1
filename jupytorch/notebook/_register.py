"""Public names of the notebook layer (strings only: no widget library is imported here)."""

from __future__ import annotations

EXPORTS = {
    "GraphView": "jupytorch.notebook._graph_view:GraphView",
    "TrainingMonitor": "jupytorch.notebook._training_monitor:TrainingMonitor",
}


def register() -> None:
    """Add nothing: the notebook layer has no registry entries."""
