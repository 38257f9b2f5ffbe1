"""Confusion matrix, ROC and precision-recall figures of classification predictions."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.prediction import PredictionClassif
from jupytorch.viz import _classif


def test_confusion_rows_are_response_and_columns_truth():
    p = PredictionClassif(range(5), truth=["a", "a", "b", "c", "c"], class_names=["a", "b", "c"],
                          response=["a", "b", "b", "a", "c"])
    info = _classif._get_confusion_info(p)
    assert info.class_names == ("a", "b", "c")
    # rows: predicted a, b, c; columns: truth a, b, c
    assert info.counts.tolist() == [[1, 0, 1], [1, 1, 0], [0, 0, 1]]
    assert info.n == 5 and info.accuracy == pytest.approx(3 / 5)
    np.testing.assert_array_equal(info.counts, p.confusion.to_numpy())


def test_confusion_figure_is_a_heatmap_with_counts():
    p = PredictionClassif(range(3), truth=["a", "b", "b"], class_names=["a", "b"], response=["a", "a", "b"])
    figure = _classif._build_confusion_figure(_classif._get_confusion_info(p))
    (heatmap,) = figure.data
    assert heatmap.type == "heatmap"
    assert list(heatmap.x) == ["a", "b"] and list(heatmap.y) == ["a", "b"]
    assert np.asarray(heatmap.z).tolist() == [[1, 1], [0, 1]]
    assert figure.layout.xaxis.title.text == "truth" and figure.layout.yaxis.title.text == "response"


def test_binary_roc_agrees_with_sklearn(binary_prediction):
    info = _classif._get_roc_info(binary_prediction)
    assert info.kind == "roc" and not info.multiclass
    (curve,) = info.curves
    assert curve.label == "yes"  # the positive class is the first class name
    is_yes = (binary_prediction.truth == "yes").to_numpy().astype(int)
    score = binary_prediction.prob["yes"].to_numpy()
    fpr, tpr, thresholds = roc_curve(is_yes, score, drop_intermediate=False)
    np.testing.assert_allclose(curve.x, fpr)
    np.testing.assert_allclose(curve.y, tpr)
    np.testing.assert_allclose(curve.thresholds, thresholds)
    assert curve.area == pytest.approx(roc_auc_score(is_yes, score))
    assert curve.area == pytest.approx(binary_prediction.score("classif.auc"))
    assert curve.prevalence == pytest.approx(is_yes.mean())


def test_multiclass_roc_is_one_vs_rest_and_agrees_with_sklearn(multiclass_prediction):
    info = _classif._get_roc_info(multiclass_prediction)
    assert info.multiclass
    assert [c.label for c in info.curves] == ["setosa", "versicolor", "virginica"]
    codes = multiclass_prediction.truth.cat.codes.to_numpy()
    expected = roc_auc_score(codes, multiclass_prediction.prob.to_numpy(), multi_class="ovr", average=None)
    np.testing.assert_allclose([c.area for c in info.curves], expected)


def test_multiclass_roc_leaves_out_classes_missing_from_the_truth():
    p = PredictionClassif(range(4), truth=["a", "b", "a", "b"], class_names=["a", "b", "c"],
                          prob=[[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.5, 0.2, 0.3], [0.3, 0.3, 0.4]])
    assert [c.label for c in _classif._get_roc_info(p).curves] == ["a", "b"]


def test_prc_agrees_with_sklearn(binary_prediction):
    (curve,) = _classif._get_prc_info(binary_prediction).curves
    is_yes = (binary_prediction.truth == "yes").to_numpy().astype(int)
    score = binary_prediction.prob["yes"].to_numpy()
    precision, recall, _ = precision_recall_curve(is_yes, score, drop_intermediate=False)
    np.testing.assert_allclose(curve.x, recall)
    np.testing.assert_allclose(curve.y, precision)
    assert curve.area == pytest.approx(average_precision_score(is_yes, score))


def test_roc_figure_has_a_curve_per_class_and_the_chance_line(binary_prediction, multiclass_prediction):
    figure = _classif._build_roc_figure(_classif._get_roc_info(binary_prediction))
    assert [t.type for t in figure.data] == ["scatter", "scatter"]
    area = _classif._get_roc_info(binary_prediction).curves[0].area
    assert figure.data[0].name == f"yes (AUC = {area:.3f})"
    assert figure.data[1].name == "chance"
    figure = _classif._build_roc_figure(_classif._get_roc_info(multiclass_prediction))
    assert len(figure.data) == 4 and figure.data[0].name.startswith("setosa vs rest (AUC = ")
    # sklearn's first ROC threshold is infinite: the hover shows none rather than breaking the JSON
    assert figure.data[0].customdata[0] is None
    figure.to_json()


def test_prc_figure_shows_the_prevalence_for_binary(binary_prediction):
    info = _classif._get_prc_info(binary_prediction)
    figure = _classif._build_prc_figure(info)
    assert len(figure.data) == 2
    assert list(figure.data[1].y) == [info.curves[0].prevalence] * 2
    assert figure.data[0].name.startswith("yes (AP = ")


def test_curves_need_probabilities():
    p = PredictionClassif(range(2), truth=["a", "b"], class_names=["a", "b"], response=["a", "a"])
    with pytest.raises(InvalidParameterError, match="needs predicted probabilities.*predict_type='prob'"):
        _classif._get_roc_info(p)
    with pytest.raises(InvalidParameterError, match="type='prc'"):
        _classif._get_prc_info(p)


def test_binary_curves_need_both_classes_in_the_truth():
    p = PredictionClassif(range(3), truth=["a", "a", "a"], class_names=["a", "b"], prob=[[0.9, 0.1], [0.4, 0.6], [0.5, 0.5]])
    with pytest.raises(InvalidParameterError, match="all of the 3 observations are of the positive class 'a'"):
        _classif._get_roc_info(p)


def test_plots_need_the_truth():
    p = PredictionClassif(range(2), truth=None, class_names=["a", "b"], response=["a", "b"])
    with pytest.raises(InvalidParameterError, match="2 of 2 observations have no true target value"):
        _classif._get_confusion_info(p)


def test_benchmark_curves_one_per_learner_and_task(bmr_classif):
    info = _classif._get_benchmark_curves_info(bmr_classif, "roc")
    assert info.task_ids == ("breast_cancer", "iris2")
    assert info.labels == ("classif.featureless", "classif.rpart")
    assert len(info.curves) == 4
    for rr, (task_id, label, curve) in zip(bmr_classif.resample_results, info.curves):
        assert (task_id, label) == (rr.task.id, rr.learner.id)
        assert curve.area == pytest.approx(rr.prediction().score("classif.auc"))
    figure = _classif._build_benchmark_curves_figure(info)
    assert len(figure.data) == 4 + 2  # four curves, a chance line per task panel
    assert sum(bool(t.showlegend is not False) for t in figure.data if t.name == "chance") == 1


def test_benchmark_curves_need_binary_tasks(rr_classif):
    from jupytorch.core.benchmark_result import BenchmarkResult

    with pytest.raises(InvalidParameterError, match="needs binary classification tasks, but task 'iris' has 3 classes"):
        _classif._get_benchmark_curves_info(BenchmarkResult([rr_classif]), "prc")
