"""The scoring functions and definitions of the built-in measures (see ``measure.py``).

Each function takes a Prediction (and the parameter values / context it names) and returns a
float, or raises :class:`Undefined` with the reason where the value does not exist. The arrays
read here (``_truth``, ``_response``, ``_prob``) are the Prediction's own columns; class labels
are strings, the positive class of a binary task is ``prediction.class_names[0]``.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from jupytorch.core.exceptions import InvalidParameterError, did_you_mean
from jupytorch.core.measure import Undefined
from jupytorch.core.paramset import ParamDbl, ParamFct, ParamUty

if TYPE_CHECKING:
    from jupytorch.core.learner import Learner
    from jupytorch.core.prediction import Prediction, PredictionClassif, PredictionRegr

__all__ = ["SPECS"]

INF = math.inf


# -- classification: labels -------------------------------------------------------------------------
def ce(p: PredictionClassif) -> float:
    """Share of wrongly classified observations."""
    return float(np.mean(p._truth != p._response))


def acc(p: PredictionClassif) -> float:
    """Share of correctly classified observations."""
    return float(np.mean(p._truth == p._response))


def bacc(p: PredictionClassif) -> float:
    """Mean recall over the classes that occur in the truth (scikit-learn's balanced accuracy)."""
    from sklearn.metrics import balanced_accuracy_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "y_pred contains classes not in y_true": those are left out
        return float(balanced_accuracy_score(p._truth.astype(str), p._response.astype(str)))


def _prf(p: PredictionClassif, average: str, which: int) -> float:
    from sklearn.metrics import precision_recall_fscore_support

    classes = p.class_names
    if average == "binary":
        _need_two_classes(p, "average='binary'", "average='macro'")
        labels, sk_average = [classes[0]], None
    else:
        labels, sk_average = classes, average
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = precision_recall_fscore_support(
            p._truth.astype(str), p._response.astype(str), labels=labels, average=sk_average, zero_division=np.nan
        )
    value = float(np.atleast_1d(result[which])[0])
    if math.isnan(value):
        what = ("precision", "recall", "F1")[which]
        cls = f"positive class {classes[0]!r}" if average == "binary" else "every class"
        raise Undefined(f"{what} of the {cls} divides by zero: no such predictions or true observations")
    return value


def precision(p: PredictionClassif, average: str) -> float:
    """Precision: of the observations predicted as a class, the share that belong to it."""
    return _prf(p, average, 0)


def recall(p: PredictionClassif, average: str) -> float:
    """Recall (sensitivity): of the observations of a class, the share predicted as it."""
    return _prf(p, average, 1)


def f1(p: PredictionClassif, average: str) -> float:
    """F1 score: the harmonic mean of precision and recall."""
    return _prf(p, average, 2)


# -- classification: probabilities ---------------------------------------------------------------
def _need_two_classes(p: PredictionClassif, what: str, instead: str) -> None:
    if len(p.class_names) != 2:
        raise InvalidParameterError(
            f"{what} needs a two-class prediction, this one has {len(p.class_names)} classes {p.class_names}; "
            f"use {instead} instead."
        )


def _truth_codes(p: PredictionClassif) -> np.ndarray:
    import pandas as pd

    return pd.Categorical(p._truth, categories=p.class_names).codes.astype(np.int64)


def _prob(p: PredictionClassif) -> np.ndarray:
    prob = cast(np.ndarray, p._prob)  # not None: Measure.score checked predict_type 'prob'
    if np.isnan(prob).any():
        raise Undefined("the predicted probabilities contain NaN")
    return prob


def auc(p: PredictionClassif, average: str) -> float:
    """Area under the ROC curve: binary (positive class), or one-vs-rest averaged over classes."""
    from sklearn.metrics import roc_auc_score

    prob, codes = _prob(p), _truth_codes(p)
    if average == "binary":
        _need_two_classes(p, "average='binary'", "average='macro' (one-vs-rest)")
    present = np.unique(codes)
    if present.size < 2:
        raise Undefined(f"the truth holds only the class {p.class_names[int(present[0])]!r}")
    if average == "binary":
        return float(roc_auc_score(codes == 0, prob[:, 0]))
    aucs = np.array([roc_auc_score(codes == k, prob[:, k]) for k in present])
    if average == "weighted":
        counts = np.array([(codes == k).sum() for k in present], dtype=float)
        return float(np.sum(aucs * counts) / counts.sum())
    return float(np.mean(aucs))


def logloss(p: PredictionClassif, eps: float) -> float:
    """Mean negative log of the probability given to the true class (clipped at ``eps``)."""
    prob = _prob(p)
    chosen = prob[np.arange(len(prob)), _truth_codes(p)]
    return float(-np.mean(np.log(np.clip(chosen, eps, 1.0))))


def bbrier(p: PredictionClassif) -> float:
    """Binary Brier score: mean squared difference of the positive class's probability and 0/1."""
    _need_two_classes(p, "the binary Brier score", "msr('classif.mbrier')")
    prob = _prob(p)
    return float(np.mean((prob[:, 0] - (_truth_codes(p) == 0)) ** 2))


def mbrier(p: PredictionClassif) -> float:
    """Multiclass Brier score: mean over observations of the summed squared errors of all classes."""
    prob = _prob(p)
    onehot = np.eye(len(p.class_names))[_truth_codes(p)]
    return float(np.mean(np.sum((prob - onehot) ** 2, axis=1)))


def brier(p: PredictionClassif) -> float:
    """Brier score: the binary one for two classes, the multiclass one otherwise."""
    return bbrier(p) if len(p.class_names) == 2 else mbrier(p)


# -- regression ---------------------------------------------------------------------------------
def mse(p: PredictionRegr) -> float:
    """Mean squared error."""
    return float(np.mean((p._truth - p._response) ** 2))


def rmse(p: PredictionRegr) -> float:
    """Root mean squared error."""
    return float(np.sqrt(mse(p)))


def mae(p: PredictionRegr) -> float:
    """Mean absolute error."""
    return float(np.mean(np.abs(p._truth - p._response)))


def rsq(p: PredictionRegr) -> float:
    """R squared: 1 - (sum of squared errors) / (sum of squares of the truth around its mean)."""
    truth = p._truth
    sst = float(np.sum((truth - truth.mean()) ** 2))
    if sst == 0:
        raise Undefined("the truth is constant, so its variance is zero")
    return 1.0 - float(np.sum((truth - p._response) ** 2)) / sst


def mape(p: PredictionRegr) -> float:
    """Mean absolute percentage error, as a fraction: mean(|truth - response| / |truth|)."""
    truth = p._truth
    if np.any(truth == 0):
        raise Undefined("the truth contains zeros, so percentage errors are infinite")
    return float(np.mean(np.abs(truth - p._response) / np.abs(truth)))


# -- measures that read the learner ---------------------------------------------------------------
def _timing(learner: Learner, which: str) -> float:
    timings = getattr(learner, "timings", None)
    if not isinstance(timings, dict):
        raise InvalidParameterError(f"time measures read learner.timings; got a {type(learner).__name__} without them.")
    total = 0.0
    for part in which.split("+"):
        value = timings.get(part, math.nan)
        if value is None or math.isnan(value):
            raise Undefined(f"learner {getattr(learner, 'id', '?')!r} has no {part} time (it has not run {part}())")
        total += float(value)
    return total


def time_train(p: Prediction, learner: Learner) -> float:
    """Seconds the learner spent in train()."""
    return _timing(learner, "train")


def time_predict(p: Prediction, learner: Learner) -> float:
    """Seconds the learner spent in predict()."""
    return _timing(learner, "predict")


def time_both(p: Prediction, learner: Learner) -> float:
    """Seconds the learner spent in train() and predict()."""
    return _timing(learner, "train+predict")


def internal_valid_score(p: Prediction, learner: Learner, select: str | None) -> float:
    """A validation score the learner computed itself while training (early stopping).

    Reads ``learner.internal_valid_scores`` (or ``learner.state["internal_valid_scores"]``), a
    dict of measure id to value; ``select`` picks one (default: the first).
    """
    scores = getattr(learner, "internal_valid_scores", None)
    if scores is None:
        scores = (getattr(learner, "state", None) or {}).get("internal_valid_scores")
    if not scores:
        raise Undefined(
            f"learner {getattr(learner, 'id', '?')!r} recorded no internal validation scores "
            "(set validate=... on a learner that validates while training)"
        )
    if select is None:
        return float(next(iter(scores.values())))
    if select not in scores:
        raise InvalidParameterError(
            f"select={select!r} is not one of the internal validation scores {list(scores)}.{did_you_mean(select, scores)}"
        )
    return float(scores[select])


# -- definitions ----------------------------------------------------------------------------------
def _average(levels: list[str]) -> dict[str, Any]:
    return {"average": ParamFct(levels, default="binary", description="binary: the positive class; else averaged over classes")}


_PRF = ["binary", "macro", "micro", "weighted"]
_LEARNER = {"requires_learner"}

SPECS: dict[str, dict[str, Any]] = {
    "classif.ce": dict(task_type="classif", fun=ce, minimize=True, range=(0, 1), label="Classification Error"),
    "classif.acc": dict(task_type="classif", fun=acc, minimize=False, range=(0, 1), label="Classification Accuracy"),
    "classif.bacc": dict(task_type="classif", fun=bacc, minimize=False, range=(0, 1), label="Balanced Accuracy"),
    "classif.auc": dict(
        task_type="classif", fun=auc, minimize=False, predict_type="prob", range=(0, 1),
        label="Area Under the ROC Curve", params=_average(["binary", "macro", "weighted"]),
    ),
    "classif.logloss": dict(
        task_type="classif", fun=logloss, minimize=True, predict_type="prob", range=(0, INF), label="Log Loss",
        params={"eps": ParamDbl(0, 0.5, default=1e-15, description="probabilities are clipped to [eps, 1]")},
    ),
    "classif.brier": dict(task_type="classif", fun=brier, minimize=True, predict_type="prob", range=(0, 2), label="Brier Score"),
    "classif.bbrier": dict(task_type="classif", fun=bbrier, minimize=True, predict_type="prob", range=(0, 1), label="Binary Brier Score"),
    "classif.mbrier": dict(task_type="classif", fun=mbrier, minimize=True, predict_type="prob", range=(0, 2), label="Multiclass Brier Score"),
    "classif.f1": dict(task_type="classif", fun=f1, minimize=False, range=(0, 1), label="F1 Score", params=_average(_PRF)),
    "classif.precision": dict(task_type="classif", fun=precision, minimize=False, range=(0, 1), label="Precision", params=_average(_PRF)),
    "classif.recall": dict(task_type="classif", fun=recall, minimize=False, range=(0, 1), label="Recall", params=_average(_PRF)),
    "regr.mse": dict(task_type="regr", fun=mse, minimize=True, range=(0, INF), label="Mean Squared Error"),
    "regr.rmse": dict(task_type="regr", fun=rmse, minimize=True, range=(0, INF), label="Root Mean Squared Error"),
    "regr.mae": dict(task_type="regr", fun=mae, minimize=True, range=(0, INF), label="Mean Absolute Error"),
    "regr.rsq": dict(task_type="regr", fun=rsq, minimize=False, range=(-INF, 1), label="R Squared"),
    "regr.mape": dict(task_type="regr", fun=mape, minimize=True, range=(0, INF), label="Mean Absolute Percentage Error"),
    "time_train": dict(task_type=None, fun=time_train, minimize=True, predict_type=None, range=(0, INF),
                       properties=_LEARNER, label="Training Time (s)"),
    "time_predict": dict(task_type=None, fun=time_predict, minimize=True, predict_type=None, range=(0, INF),
                         properties=_LEARNER, label="Prediction Time (s)"),
    "time_both": dict(task_type=None, fun=time_both, minimize=True, predict_type=None, range=(0, INF),
                      properties=_LEARNER, label="Training and Prediction Time (s)"),
    "internal_valid_score": dict(
        task_type=None, fun=internal_valid_score, minimize=None, predict_type=None, range=(-INF, INF),
        properties=_LEARNER, label="Internal Validation Score",
        params={"select": ParamUty(default=None, description="which internal validation score (default: the first)")},
    ),
}  # fmt: skip
