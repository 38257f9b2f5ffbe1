"""jupytorch.viz: plotly figures for results, predictions, tasks and training histories.

The public entry point is :func:`jupytorch.autoplot` (``jupytorch.viz.autoplot``). Each figure is
made in two steps: a pure ``_get_<plot>_info(obj) -> NamedTuple`` that extracts the numbers (no
plotting library needed) and a ``_build_<plot>_figure(info)`` that draws them with plotly, which
is imported only there.
"""
