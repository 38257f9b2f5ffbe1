"""The notebook face of jupytorch: magics, anywidget widgets, rich reprs and the progress-event bridge.

- ``magics`` (``%load_ext jupytorch``): ``%%learner`` and ``%jupytorch``, thin shorthands over the
  plain-Python twins in ``cell``;
- ``GraphView`` (the graph inspector) and ``TrainingMonitor`` (live training progress with a Stop
  button); their front ends are in ``js/`` (TypeScript), bundled into ``static/``;
- ``reprs``: Learners, Graphs and PipeOps shown as the graph inspector (reached from core by name);
- ``progress_bridge``: ``jupytorch.core.progress`` events drive the monitor; the automatic view;
- ``export``: run a notebook headlessly and write HTML whose widgets render without a kernel.

Nothing here is imported by ``import jupytorch``; names are reached through the package's lazy
exports and the string hooks set in ``_register.py``. User guide: ``docs/notebook.md``.
"""
