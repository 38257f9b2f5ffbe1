"""Truth-vs-response, residual and residual-histogram figures of regression predictions."""

from __future__ import annotations

import numpy as np
import pytest

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.prediction import PredictionRegr
from jupytorch.viz import _regr


def test_regr_info_holds_residuals_truth_minus_response(regr_prediction):
    info = _regr._get_regr_info(regr_prediction)
    assert info.row_ids.tolist() == [10, 11, 12, 13]
    assert info.residual.tolist() == [-0.5, 0.0, 1.0, -1.0]
    assert info.rmse == pytest.approx(regr_prediction.score("regr.rmse"))
    assert info.rsq == pytest.approx(regr_prediction.score("regr.rsq"))


def test_constant_truth_has_no_r_squared():
    info = _regr._get_regr_info(PredictionRegr([0, 1], truth=[2.0, 2.0], response=[1.0, 3.0]))
    assert np.isnan(info.rsq) and info.rmse == pytest.approx(1.0)


def test_xy_figure_plots_truth_against_response_with_the_identity_line(regr_prediction):
    figure = _regr._build_xy_figure(_regr._get_regr_info(regr_prediction))
    line, points = figure.data
    assert line.type == points.type == "scatter"
    assert list(line.x) == list(line.y) == [1.0, 6.0]  # spans truth and response
    assert list(points.x) == [1.5, 2.0, 2.0, 6.0] and list(points.y) == [1.0, 2.0, 3.0, 5.0]
    assert list(points.customdata) == [10, 11, 12, 13]
    assert figure.layout.xaxis.title.text == "response" and figure.layout.yaxis.title.text == "truth"


def test_residual_and_histogram_figures(regr_prediction):
    info = _regr._get_regr_info(regr_prediction)
    residual = _regr._build_residual_figure(info)
    assert [t.type for t in residual.data] == ["scatter"]
    assert list(residual.data[0].y) == [-0.5, 0.0, 1.0, -1.0]
    assert residual.layout.shapes[0].y0 == 0  # the zero line
    histogram = _regr._build_residual_histogram_figure(info)
    assert [t.type for t in histogram.data] == ["histogram"]
    assert list(histogram.data[0].x) == [-0.5, 0.0, 1.0, -1.0]


def test_regr_plots_need_the_truth():
    p = PredictionRegr([0, 1], truth=None, response=[1.0, 2.0])
    with pytest.raises(InvalidParameterError, match=r"type='residual'.*no true target value"):
        _regr._get_regr_info(p, "residual")
