"""Box plots, histograms and bar charts of resampling and benchmark scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import jupytorch as jt
from jupytorch.core.benchmark_result import BenchmarkResult
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.viz import _scores


def test_resample_scores_match_rr_score(rr_regr):
    info = _scores._get_resample_scores_info(rr_regr, "regr.mae")
    assert info.measure_id == "regr.mae" and info.minimize is True
    assert info.task_ids == ("mtcars",) and info.labels == ("regr.rpart",)
    expected = rr_regr.score("regr.mae")
    assert info.scores["iteration"].tolist() == expected["iteration"].tolist()
    np.testing.assert_allclose(info.scores["score"], expected["regr.mae"])


def test_default_measure_is_the_task_types(rr_classif, rr_regr):
    assert _scores._get_resample_scores_info(rr_classif).measure_id == "classif.ce"
    assert _scores._get_resample_scores_info(rr_regr).measure_id == "regr.mse"


def test_benchmark_scores_cover_every_learner_and_task(bmr_classif):
    info = _scores._get_benchmark_scores_info(bmr_classif, jt.msr("classif.acc"))
    assert info.task_ids == ("breast_cancer", "iris2")
    assert info.labels == ("classif.featureless", "classif.rpart")
    assert info.minimize is False
    expected = bmr_classif.score("classif.acc")
    np.testing.assert_allclose(info.scores["score"], expected["classif.acc"])
    assert info.scores.groupby(["task_id", "label"]).size().tolist() == [3, 3, 3, 3]


def test_aggregate_info_is_the_mean_with_sd(bmr_regr):
    info = _scores._get_benchmark_aggregate_info(bmr_regr, "regr.rmse")
    expected = bmr_regr.aggregate("regr.rmse")
    np.testing.assert_allclose(info.table["value"], expected["regr.rmse"])
    scores = bmr_regr.score("regr.rmse")
    sd = scores.groupby("learner_id", sort=False)["regr.rmse"].std(ddof=1)
    np.testing.assert_allclose(info.table["sd"], sd.to_numpy())
    assert info.table["n"].tolist() == [3, 3]


def test_learners_with_several_resamplings_are_labelled_with_it():
    task = jt.tsk("mtcars")
    design = jt.benchmark_grid(task, jt.lrn("regr.featureless"), [jt.rsmp("cv", folds=3), jt.rsmp("holdout")])
    info = _scores._get_benchmark_scores_info(jt.benchmark(design, seed=1))
    assert info.labels == ("regr.featureless (cv)", "regr.featureless (holdout)")


def test_measure_must_fit_the_task_and_be_single(rr_regr):
    with pytest.raises(InvalidParameterError, match="Measure 'classif.ce' is for classification"):
        _scores._get_resample_scores_info(rr_regr, "classif.ce")
    with pytest.raises(InvalidParameterError, match="one measure at a time, got 2"):
        _scores._get_resample_scores_info(rr_regr, ["regr.mse", "regr.mae"])


def test_mixed_task_types_need_a_measure_that_scores_any(bmr_regr, rr_classif):
    mixed = BenchmarkResult([*bmr_regr.resample_results, rr_classif])
    with pytest.raises(InvalidParameterError, match="several types \\['classif', 'regr'\\]"):
        _scores._get_benchmark_scores_info(mixed)
    with pytest.raises(InvalidParameterError, match="measure 'regr.mse' does not fit task\\(s\\) \\['iris'\\]"):
        _scores._get_benchmark_scores_info(mixed, "regr.mse")
    info = _scores._get_benchmark_scores_info(mixed, "time_train")
    assert info.task_ids == ("mtcars", "iris")


def test_failed_iterations_are_left_out_of_the_boxes(rr_regr):
    info = _scores._get_resample_scores_info(rr_regr)
    scores = info.scores.copy()
    scores.loc[0, "score"] = np.nan
    figure = _scores._build_score_boxplot_figure(info._replace(scores=scores))
    assert len(figure.data[0].y) == 2


def test_boxplot_figure_one_box_per_learner_and_a_panel_per_task(bmr_classif):
    info = _scores._get_benchmark_scores_info(bmr_classif)
    figure = _scores._build_score_boxplot_figure(info)
    assert [t.type for t in figure.data] == ["box"] * 4
    assert [t.name for t in figure.data] == ["classif.featureless", "classif.rpart"] * 2
    assert [t.xaxis for t in figure.data] == ["x", "x", "x2", "x2"]
    assert [t.showlegend for t in figure.data] == [True, True, False, False]
    assert [a.text for a in figure.layout.annotations] == ["breast_cancer", "iris2"]
    assert figure.data[0].marker.color == figure.data[2].marker.color  # a learner keeps its colour
    assert figure.layout.yaxis.title.text == "classif.ce (lower is better)"


def test_single_task_boxplot_has_no_panels(bmr_regr):
    figure = _scores._build_score_boxplot_figure(_scores._get_benchmark_scores_info(bmr_regr))
    assert len(figure.data) == 2 and not figure.layout.annotations
    assert figure.layout.showlegend is False


def test_bar_figure_has_error_bars(bmr_regr):
    info = _scores._get_benchmark_aggregate_info(bmr_regr)
    figure = _scores._build_score_bar_figure(info)
    assert [t.type for t in figure.data] == ["bar", "bar"]
    assert figure.data[1].y[0] == pytest.approx(info.table["value"].iloc[1])
    assert list(figure.data[1].error_y.array) == pytest.approx([info.table["sd"].iloc[1]])


def test_histogram_figure_of_a_resample_result(rr_regr):
    info = _scores._get_resample_scores_info(rr_regr)
    figure = _scores._build_score_histogram_figure(info)
    assert [t.type for t in figure.data] == ["histogram"]
    np.testing.assert_allclose(figure.data[0].x, info.scores["score"])
    assert isinstance(info.scores, pd.DataFrame)
