"""autoplot of an lr_find() result: loss on a log learning-rate axis, suggestions marked."""

from __future__ import annotations

import numpy as np

import jupytorch as jt
from jupytorch.nn.lr_find import LRFindResult
from jupytorch.viz.autoplot import plot_types


def result() -> LRFindResult:
    lr = np.logspace(-5, 0, 40)
    smoothed = 2 - np.tanh(np.log10(lr) + 3) + (lr > 0.2) * 10
    return LRFindResult(lr, smoothed + 0.05, smoothed, {"steep": 1e-3, "valley": 5e-3}, "<b>cnn</b>")


def test_the_figure_marks_the_suggestions_on_a_log_axis():
    r = result()
    assert plot_types(r) == ["lr_find"]
    figure = jt.autoplot(r)
    assert figure.layout.xaxis.type == "log"
    names = [t.name for t in figure.data]
    assert names == ["loss", "smoothed loss", "steep 0.001", "valley 0.005"]
    marker = figure.data[2]
    assert marker.x[0] == 1e-3 and np.isclose(marker.y[0], np.interp(-3, np.log10(r.lr), r.smoothed))
    assert "<b>cnn</b>" in figure.layout.title.text
    # the y range leaves out the diverged tail
    assert figure.layout.yaxis.range[1] < r.smoothed.max()


def test_the_labels_sit_above_the_curve_and_point_away_from_each_other():
    r = result()
    positions = {t.name.split()[0]: t.textposition for t in jt.autoplot(r).data[2:]}
    assert positions == {"steep": "top left", "valley": "top right"}  # steep 1e-3 < valley 5e-3
    r.suggestions.update(steep=1e-2)
    positions = {t.name.split()[0]: t.textposition for t in jt.autoplot(r).data[2:]}
    assert positions == {"steep": "top right", "valley": "top left"}
