"""Figures of classification predictions: confusion matrix, ROC curves and precision-recall curves.

Binary predictions give one curve for the positive class (the first class name); multiclass
predictions with probabilities give one curve per class, that class against all others
(one-vs-rest). The curves and areas come from scikit-learn (``roc_curve``, ``roc_auc_score``,
``precision_recall_curve``, ``average_precision_score``), imported inside the extractors.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.viz._common import check_truth, color, graph_objects

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

    from jupytorch.core.prediction import PredictionClassif

__all__ = [
    "ConfusionInfo",
    "Curve",
    "CurvesInfo",
    "_get_confusion_info",
    "_build_confusion_figure",
    "_get_roc_info",
    "_build_roc_figure",
    "_get_prc_info",
    "_build_prc_figure",
]


class ConfusionInfo(NamedTuple):
    """A confusion matrix: ``counts[i, j]`` observations predicted as class i whose truth is class j."""

    class_names: tuple[str, ...]
    counts: np.ndarray
    n: int
    accuracy: float


class Curve(NamedTuple):
    """One ROC or precision-recall curve of ``label`` (the positive class) against the other classes.

    For ROC curves ``x`` is the false and ``y`` the true positive rate and ``area`` the AUC; for
    precision-recall curves ``x`` is the recall, ``y`` the precision and ``area`` the average
    precision. ``prevalence`` is the share of observations whose truth is ``label``.
    """

    label: str
    x: np.ndarray
    y: np.ndarray
    thresholds: np.ndarray
    area: float
    prevalence: float


class CurvesInfo(NamedTuple):
    """The ROC or precision-recall curves of one prediction."""

    kind: str  # "roc" or "prc"
    curves: tuple[Curve, ...]
    multiclass: bool
    n: int


def _get_confusion_info(prediction: PredictionClassif) -> ConfusionInfo:
    """Extract the confusion matrix (rows: predicted class, columns: true class, as in mlr3).

    Examples
    --------
    >>> from jupytorch.core.prediction import PredictionClassif
    >>> p = PredictionClassif([0, 1, 2], truth=["a", "b", "b"], class_names=["a", "b"], response=["a", "a", "b"])
    >>> _get_confusion_info(p).counts.tolist()
    [[1, 1], [0, 1]]
    """
    check_truth(prediction, "autoplot(PredictionClassif, type='confusion')")
    counts = prediction.confusion.to_numpy(dtype=np.int64)
    n = int(counts.sum())
    return ConfusionInfo(tuple(prediction.class_names), counts, n, float(np.trace(counts)) / n)


def _build_confusion_figure(info: ConfusionInfo) -> Figure:
    """A heatmap of the counts with the count written in each cell."""
    go = graph_objects()
    labels = list(info.class_names)
    share = info.counts / max(info.n, 1)
    figure = go.Figure(
        go.Heatmap(
            z=info.counts,
            x=labels,
            y=labels,
            text=info.counts,
            texttemplate="%{text}",
            customdata=share,
            colorscale="Blues",
            colorbar={"title": {"text": "count"}},
            hovertemplate="response: %{y}<br>truth: %{x}<br>count: %{z} (%{customdata:.1%})<extra></extra>",
        )
    )
    figure.update_xaxes(title_text="truth", type="category", side="bottom")
    figure.update_yaxes(title_text="response", type="category", autorange="reversed")
    figure.update_layout(title={"text": f"Confusion matrix (accuracy {info.accuracy:.3f}, n = {info.n})"})
    return figure


def _probabilities(prediction: PredictionClassif, kind: str) -> np.ndarray:
    if prediction._prob is None:
        raise InvalidParameterError(
            f"autoplot(PredictionClassif, type={kind!r}) needs predicted probabilities, but the prediction holds only "
            f"{prediction.predict_types}. Train with predict_type='prob', e.g. lrn('classif.rpart', predict_type='prob')."
        )
    return prediction._prob


def _one_vs_rest(prediction: PredictionClassif, kind: str) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(class, 0/1 truth, probability) for the positive class, or for every class when multiclass."""
    check_truth(prediction, f"autoplot(PredictionClassif, type={kind!r})")
    prob = _probabilities(prediction, kind)
    truth = prediction._truth
    names = prediction.class_names
    wanted = names[:1] if len(names) == 2 else names
    out = []
    for j, name in enumerate(wanted):
        is_class = (truth == name).astype(np.int64)
        if is_class.min() == is_class.max():
            if len(names) == 2:
                present = "all" if is_class[0] else "none"
                raise InvalidParameterError(
                    f"autoplot(PredictionClassif, type={kind!r}): {present} of the {len(truth)} observations are of the "
                    f"positive class {name!r}; a {kind.upper()} curve needs both classes in the truth."
                )
            continue  # a class missing from the truth (or the only one) has no one-vs-rest curve
        out.append((name, is_class, prob[:, j]))
    if not out:
        raise InvalidParameterError(
            f"autoplot(PredictionClassif, type={kind!r}): no class has both positive and negative observations in the truth."
        )
    return out


def _get_roc_info(prediction: PredictionClassif) -> CurvesInfo:
    """Extract ROC curves (one for the positive class, or one per class vs the rest) with their AUC.

    Examples
    --------
    >>> from jupytorch.core.prediction import PredictionClassif
    >>> p = PredictionClassif([0, 1, 2, 3], truth=["a", "b", "a", "b"], class_names=["a", "b"],
    ...                       prob=[[0.9, 0.1], [0.4, 0.6], [0.6, 0.4], [0.2, 0.8]])
    >>> _get_roc_info(p).curves[0].area
    1.0
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    curves = []
    for name, is_class, score in _one_vs_rest(prediction, "roc"):
        fpr, tpr, thresholds = roc_curve(is_class, score, drop_intermediate=False)
        area = float(roc_auc_score(is_class, score))
        curves.append(Curve(name, fpr, tpr, thresholds, area, float(is_class.mean())))
    return CurvesInfo("roc", tuple(curves), len(prediction.class_names) > 2, len(prediction))


def _get_prc_info(prediction: PredictionClassif) -> CurvesInfo:
    """Extract precision-recall curves (positive class, or one per class vs the rest) with average precision.

    Examples
    --------
    >>> from jupytorch.core.prediction import PredictionClassif
    >>> p = PredictionClassif([0, 1, 2, 3], truth=["a", "b", "a", "b"], class_names=["a", "b"],
    ...                       prob=[[0.9, 0.1], [0.4, 0.6], [0.6, 0.4], [0.2, 0.8]])
    >>> _get_prc_info(p).curves[0].area
    1.0
    """
    from sklearn.metrics import average_precision_score, precision_recall_curve

    curves = []
    for name, is_class, score in _one_vs_rest(prediction, "prc"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            precision, recall, thresholds = precision_recall_curve(is_class, score, drop_intermediate=False)
        area = float(average_precision_score(is_class, score))
        curves.append(Curve(name, recall, precision, thresholds, area, float(is_class.mean())))
    return CurvesInfo("prc", tuple(curves), len(prediction.class_names) > 2, len(prediction))


def _curve_name(curve: Curve, info: CurvesInfo) -> str:
    area = "AUC" if info.kind == "roc" else "AP"
    who = f"{curve.label} vs rest" if info.multiclass else curve.label
    return f"{who} ({area} = {curve.area:.3f})"


def _curve_traces(info: CurvesInfo, x_label: str, y_label: str) -> list[Any]:
    go = graph_objects()
    traces = []
    for i, curve in enumerate(info.curves):
        traces.append(
            go.Scatter(
                x=curve.x,
                y=curve.y,
                mode="lines",
                name=_curve_name(curve, info),
                line={"color": color(i), "shape": "hv" if info.kind == "prc" else "linear"},
                customdata=_hover_thresholds(curve),
                hovertemplate=f"{x_label}: %{{x:.3f}}<br>{y_label}: %{{y:.3f}}<br>threshold: %{{customdata:.3f}}",
            )
        )
    return traces


def _hover_thresholds(curve: Curve) -> list[float | None]:
    """One threshold per point (None where there is none: sklearn's infinite first ROC threshold, the last PR point)."""
    values = np.full(len(curve.x), np.nan)
    thresholds = np.asarray(curve.thresholds, dtype=float)[: len(curve.x)]
    values[: len(thresholds)] = thresholds
    return [float(v) if np.isfinite(v) else None for v in values]


def _square_axes(figure: Figure, x_label: str, y_label: str) -> None:
    figure.update_xaxes(title_text=x_label, range=[-0.01, 1.01], constrain="domain")
    figure.update_yaxes(title_text=y_label, range=[-0.01, 1.01], scaleanchor="x", scaleratio=1, constrain="domain")


def _build_roc_figure(info: CurvesInfo) -> Figure:
    """ROC curves with the chance diagonal; the legend shows each curve's AUC."""
    go = graph_objects()
    figure = go.Figure(_curve_traces(info, "FPR", "TPR"))
    figure.add_trace(
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance", line={"dash": "dash", "color": "grey"}, hoverinfo="skip")
    )
    _square_axes(figure, "False positive rate", "True positive rate")
    kind = "one-vs-rest " if info.multiclass else ""
    figure.update_layout(title={"text": f"ROC curve{'s' if len(info.curves) > 1 else ''} ({kind}n = {info.n})"})
    return figure


def _build_prc_figure(info: CurvesInfo) -> Figure:
    """Precision-recall curves; a binary prediction also shows the chance level (the prevalence)."""
    go = graph_objects()
    figure = go.Figure(_curve_traces(info, "recall", "precision"))
    if not info.multiclass:
        level = info.curves[0].prevalence
        figure.add_trace(
            go.Scatter(x=[0, 1], y=[level, level], mode="lines", name=f"chance ({level:.3f})",
                       line={"dash": "dash", "color": "grey"}, hoverinfo="skip")
        )
    _square_axes(figure, "Recall", "Precision")
    kind = "one-vs-rest " if info.multiclass else ""
    figure.update_layout(title={"text": f"Precision-recall curve{'s' if len(info.curves) > 1 else ''} ({kind}n = {info.n})"})
    return figure


# -- curves of several learners (BenchmarkResult) ----------------------------------------------------
class BenchmarkCurvesInfo(NamedTuple):
    """ROC or precision-recall curves of each learner's pooled test predictions, per task."""

    kind: str  # "roc" or "prc"
    task_ids: tuple[str, ...]
    labels: tuple[str, ...]
    curves: tuple[tuple[str, str, Curve], ...]  # (task_id, learner label, curve)


def _get_benchmark_curves_info(bmr: Any, kind: str) -> BenchmarkCurvesInfo:
    """Extract one curve per learner and task from the stacked predictions of all iterations.

    Needs binary classification tasks and learners that predicted probabilities.
    """
    results = bmr.resample_results
    if not results:
        raise InvalidParameterError(f"autoplot(BenchmarkResult, type={kind!r}): the result holds no resample results.")
    label_resampling = len({rr.resampling.id for rr in results}) > 1
    extract = _get_roc_info if kind == "roc" else _get_prc_info
    curves = []
    for rr in results:
        task = rr.task
        if task.task_type != "classif" or len(task.class_names) != 2:
            what = f"a {task.task_type} task" if task.task_type != "classif" else f"{len(task.class_names)} classes"
            raise InvalidParameterError(
                f"autoplot(BenchmarkResult, type={kind!r}) needs binary classification tasks, but task {task.id!r} has "
                f"{what}. For one-vs-rest curves of one learner use autoplot(rr.prediction(), type={kind!r})."
            )
        label = f"{rr.learner.id} ({rr.resampling.id})" if label_resampling else rr.learner.id
        try:
            info = extract(rr.prediction())
        except InvalidParameterError as error:
            error.add_note(f"This happened for learner {rr.learner.id!r} on task {task.id!r}.")
            raise
        curves.append((task.id, label, info.curves[0]))
    return BenchmarkCurvesInfo(
        kind,
        tuple(dict.fromkeys(c[0] for c in curves)),
        tuple(dict.fromkeys(c[1] for c in curves)),
        tuple(curves),
    )


def _build_benchmark_curves_figure(info: BenchmarkCurvesInfo) -> Figure:
    """One panel per task with a curve per learner (legend: learner and area) and the chance line."""
    from jupytorch.viz._common import facet_cell, facet_figure

    go = graph_objects()
    n = len(info.task_ids)
    figure = facet_figure(list(info.task_ids), shared_yaxes=False, horizontal_spacing=0.08)
    area = "AUC" if info.kind == "roc" else "AP"
    x_label, y_label = ("False positive rate", "True positive rate") if info.kind == "roc" else ("Recall", "Precision")
    for t, task_id in enumerate(info.task_ids):
        row, col = facet_cell(t, n)
        level = 0.0
        where = f" on {task_id}" if n > 1 else ""
        for task, label, curve in info.curves:
            if task != task_id:
                continue
            level = curve.prevalence
            figure.add_trace(
                go.Scatter(
                    x=curve.x, y=curve.y, mode="lines", name=f"{label}{where} ({area} = {curve.area:.3f})",
                    line={"color": color(info.labels.index(label)), "shape": "hv" if info.kind == "prc" else "linear"},
                    customdata=_hover_thresholds(curve),
                    hovertemplate="x: %{x:.3f}<br>y: %{y:.3f}<br>threshold: %{customdata:.3f}",
                ),
                row=row,
                col=col,
            )
        chance = ([0, 1], [0, 1]) if info.kind == "roc" else ([0, 1], [level, level])
        figure.add_trace(
            go.Scatter(x=chance[0], y=chance[1], mode="lines", name="chance", legendgroup="chance", showlegend=t == 0,
                       line={"dash": "dash", "color": "grey"}, hoverinfo="skip"),
            row=row,
            col=col,
        )
        figure.update_xaxes(title_text=x_label, range=[-0.01, 1.01], row=row, col=col)
        figure.update_yaxes(title_text=y_label if col == 1 else None, range=[-0.01, 1.01], row=row, col=col)
    title = "ROC curves" if info.kind == "roc" else "Precision-recall curves"
    learners = f"{len(info.labels)} learner{'s' * (len(info.labels) != 1)}"
    figure.update_layout(title={"text": f"{title} of {learners} (test predictions of all iterations)"})
    return figure
