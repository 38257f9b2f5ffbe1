"""The notebook face of jupytorch: anywidget widgets and the progress-event bridge.

``GraphView`` (a graph spec as a laid-out DAG) and ``TrainingMonitor`` (live training progress with
a Stop button) have their front ends in ``js/`` (TypeScript), bundled into ``static/``.
``progress_bridge`` connects ``jupytorch.core.progress`` events to the monitor. Nothing here is
imported by ``import jupytorch``; names are reached through the package's lazy exports.
"""
