"""autoplot(): dispatch on the object, types, errors, layout keywords, escaping and lazy plotly."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.prediction import PredictionClassif
from jupytorch.viz.autoplot import _autoplot_info, plot_types


def test_autoplot_is_a_public_name():
    from jupytorch.viz.autoplot import autoplot

    assert jt.autoplot is autoplot
    assert "autoplot" in jt.__all__


def test_types_per_object(bmr_regr, bmr_classif, rr_regr, rr_classif, binary_prediction, regr_prediction, history):
    assert plot_types(bmr_regr) == ["boxplot", "bar"]
    assert plot_types(bmr_classif) == ["boxplot", "bar", "roc", "prc"]
    assert plot_types(rr_regr) == ["boxplot", "histogram", "prediction"]
    assert plot_types(rr_classif) == ["boxplot", "histogram", "prediction", "roc", "prc"]
    assert plot_types(binary_prediction) == ["confusion", "roc", "prc"]
    assert plot_types(regr_prediction) == ["xy", "residual", "histogram"]
    assert plot_types(jt.tsk("iris")) == ["target"]
    assert plot_types(history) == ["history"]
    assert plot_types(jt.lrn("regr.rpart")) == ["history"]


@pytest.mark.parametrize(
    ("fixture", "type_", "traces"),
    [
        ("bmr_classif", None, ["box"] * 4),
        ("bmr_classif", "bar", ["bar"] * 4),
        ("bmr_classif", "roc", ["scatter"] * 6),
        ("rr_classif", None, ["box"]),
        ("rr_classif", "histogram", ["histogram"]),
        ("rr_classif", "prediction", ["heatmap"]),
        ("rr_classif", "roc", ["scatter"] * 4),
        ("rr_regr", "prediction", ["scatter", "scatter"]),
        ("binary_prediction", None, ["heatmap"]),
        ("binary_prediction", "prc", ["scatter", "scatter"]),
        ("multiclass_prediction", "roc", ["scatter"] * 4),
        ("regr_prediction", None, ["scatter", "scatter"]),
        ("regr_prediction", "residual", ["scatter"]),
        ("regr_prediction", "histogram", ["histogram"]),
        ("history", None, ["scatter"] * 3),
    ],
)
def test_figure_traces(request, fixture, type_, traces):
    figure = jt.autoplot(request.getfixturevalue(fixture), type=type_)
    assert [t.type for t in figure.data] == traces


def test_task_and_learner_figures(history_learner):
    assert [t.type for t in jt.autoplot(jt.tsk("iris")).data] == ["bar"]
    learner = history_learner().train(jt.tsk("mtcars"))
    figure = jt.autoplot(learner, measure="regr.mae")
    assert [t.name for t in figure.data] == ["valid"]


def test_resample_prediction_plots_the_stacked_predictions(rr_classif):
    info, _ = _autoplot_info(rr_classif, "prediction")
    assert info.n == rr_classif.task.nrow  # every row is in one test set of the cv
    assert info.counts.tolist() == rr_classif.prediction().confusion.to_numpy().tolist()
    roc, _ = _autoplot_info(rr_classif, "roc")
    assert roc.multiclass and len(roc.curves) == 3


def test_unsupported_objects_are_named():
    with pytest.raises(InvalidParameterError, match="autoplot\\(\\) cannot plot a list. It plots a BenchmarkResult"):
        jt.autoplot([1, 2])
    with pytest.raises(InvalidParameterError, match="cannot plot a dict"):
        plot_types({})


def test_unknown_type_lists_the_valid_ones(binary_prediction, bmr_regr):
    message = (
        r"autoplot\(PredictionClassif\): unknown type 'rco'; valid types are 'confusion' \(default\), 'roc', 'prc'\. "
        r"Did you mean 'roc'"
    )
    with pytest.raises(InvalidParameterError, match=message):
        jt.autoplot(binary_prediction, type="rco")
    with pytest.raises(InvalidParameterError, match=r"autoplot\(BenchmarkResult\): unknown type 'roc'; valid types are 'boxplot'"):
        jt.autoplot(bmr_regr, type="roc")  # regression: no ROC curves


def test_measure_only_where_it_applies(binary_prediction, rr_regr):
    with pytest.raises(InvalidParameterError, match="type 'confusion' takes no measure; got measure='classif.acc'"):
        jt.autoplot(binary_prediction, measure=jt.msr("classif.acc"))
    with pytest.raises(InvalidParameterError, match=r"type 'prediction' takes no measure \(it applies to type 'boxplot' / 'histogram'\)"):
        jt.autoplot(rr_regr, type="prediction", measure="regr.mae")


def test_measure_sets_the_scores(bmr_regr):
    figure = jt.autoplot(bmr_regr, measure="regr.mae")
    expected = bmr_regr.score("regr.mae")
    assert list(figure.data[0].y) == pytest.approx(expected["regr.mae"].iloc[:3].tolist())
    assert figure.layout.yaxis.title.text == "regr.mae (lower is better)"


def test_keywords_update_the_layout(regr_prediction):
    figure = jt.autoplot(regr_prediction, title="mine", width=640)
    assert figure.layout.title.text == "mine" and figure.layout.width == 640
    with pytest.raises(InvalidParameterError, match=r"\['widht'\] are not valid plotly layout settings.*Did you mean 'width'"):
        jt.autoplot(regr_prediction, widht=640)


def test_user_strings_are_data_not_markup():
    label = "<img src=x onerror=alert(1)>"
    p = PredictionClassif(range(4), truth=[label, "b", label, "b"], class_names=[label, "b"],
                          prob=[[0.9, 0.1], [0.3, 0.7], [0.6, 0.4], [0.2, 0.8]])
    for type_ in ("confusion", "roc"):
        figure = jt.autoplot(p, type=type_)
        spec = json.loads(figure.to_json())
        assert label in json.dumps(spec["data"], ensure_ascii=False)  # carried as data
        html = figure.to_html(include_plotlyjs=False, full_html=False)
        assert "<img" not in html  # the exported page holds it only escaped


def test_history_dataframe_without_epochs_is_refused():
    with pytest.raises(InvalidParameterError, match="needs an 'epoch' column"):
        jt.autoplot(pd.DataFrame({"a": [1]}))


def test_extractors_do_not_import_plotly():
    code = (
        "import sys, jupytorch as jt\n"
        "from jupytorch.core.prediction import PredictionRegr\n"
        "from jupytorch.viz.autoplot import _autoplot_info\n"
        "assert 'plotly' not in sys.modules\n"
        "_autoplot_info(PredictionRegr([0, 1], truth=[1.0, 2.0], response=[1.5, 2.0]), 'residual')\n"
        "assert not [m for m in sys.modules if m.startswith('plotly')], 'plotly imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
