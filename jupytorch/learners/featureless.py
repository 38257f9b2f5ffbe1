"""Featureless baselines: predict from the target alone (mlr3's ``classif.featureless``, ``regr.featureless``).

They ignore every feature (any type, missing values included), which makes them the yardstick
that a real learner has to beat, and the usual fallback learner for encapsulated runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jupytorch.core.learner import Learner
from jupytorch.core.paramset import ParamFct, ParamLgl, ParamSet
from jupytorch.core.task import FEATURE_TYPES, Task

__all__ = ["LearnerClassifFeatureless", "LearnerRegrFeatureless"]

_PROPERTIES = ("featureless", "missings", "importance")
_MAD_TO_SD = 1.4826  # R's mad() constant: makes the MAD consistent with the sd of a normal


class _Featureless(Learner):
    def _features_read(self, task: Task) -> list[str]:
        return []  # nothing to check for NaN or inf: the features are never looked at

    def importance(self) -> pd.Series:
        """Return 0 for every feature (the learner uses none)."""
        state = self._check_trained()
        return pd.Series(0.0, index=list(state["feature_names"]), name="importance")


class LearnerClassifFeatureless(_Featureless):
    """Featureless classification: predict from the class frequencies seen in training.

    Notes
    -----
    Parameters (``lrn(..., name=value)`` or ``learner.param_set.set_values(name=value)``):

    method : {"mode", "sample", "weighted.sample"}, default "mode"
        ``mode`` predicts the most frequent training class (ties go to the class that comes first
        in ``task.class_names``; mlr3 breaks them at random). ``sample`` draws each label
        uniformly from the classes, ``weighted.sample`` draws it with the training frequencies.
        Draws use NumPy's global random state, so ``np.random.seed`` makes them repeatable.

    Probabilities (``predict_type="prob"``) are the training class frequencies, uniform for
    ``sample``; columns follow ``task.class_names``.

    Examples
    --------
    >>> from jupytorch import tsk, lrn
    >>> learner = lrn("classif.featureless", predict_type="prob").train(tsk("iris"))
    >>> learner.predict(tsk("iris"), row_ids=[0]).prob.round(3).values.tolist()
    [[0.333, 0.333, 0.333]]
    """

    def __init__(self) -> None:
        params = ParamSet({"method": ParamFct(["mode", "sample", "weighted.sample"], default="mode", tags=("predict",))})
        super().__init__(
            id="classif.featureless",
            task_type="classif",
            param_set=params,
            predict_types=("response", "prob"),
            feature_types=FEATURE_TYPES,
            properties=(*_PROPERTIES, "twoclass", "multiclass"),
            label="Featureless Classification Learner",
        )

    def _train(self, task: Task, values: dict[str, Any]) -> dict[str, Any]:
        counts = task.truth().value_counts(sort=False).reindex(task.class_names, fill_value=0)
        return {"classes": list(task.class_names), "frequencies": (counts / counts.sum()).to_numpy(dtype=np.float64)}

    def _predict(self, task: Task, values: dict[str, Any]) -> dict[str, Any]:
        model = self.model
        method = values["method"]
        classes, freq = model["classes"], model["frequencies"]
        n = task.nrow
        prob_row = np.full(len(classes), 1.0 / len(classes)) if method == "sample" else freq
        if self.predict_type == "prob" and method != "mode":
            # the response is drawn, the probabilities describe the draw
            response = self._draw(classes, prob_row, n)
            return {"prob": np.tile(prob_row, (n, 1)), "response": response}
        if self.predict_type == "prob":
            return {"prob": np.tile(prob_row, (n, 1))}
        if method == "mode":
            return {"response": np.full(n, classes[int(np.argmax(freq))], dtype=object)}
        return {"response": self._draw(classes, prob_row, n)}

    @staticmethod
    def _draw(classes: list[str], prob: np.ndarray, n: int) -> np.ndarray:
        return np.asarray(classes, dtype=object)[np.random.choice(len(classes), size=n, p=prob)]


class LearnerRegrFeatureless(_Featureless):
    """Featureless regression: predict the mean (or median) of the training target.

    Notes
    -----
    Parameters (``lrn(..., name=value)`` or ``learner.param_set.set_values(name=value)``):

    robust : bool, default False
        False: predict the mean, with the standard deviation as ``se``. True: predict the median,
        with the median absolute deviation (scaled by 1.4826, as R's ``mad``) as ``se``.

    Examples
    --------
    >>> from jupytorch import tsk, lrn
    >>> learner = lrn("regr.featureless").train(tsk("mtcars"))
    >>> round(float(learner.predict(tsk("mtcars"), row_ids=[0]).response.iloc[0]), 4)
    20.0906
    """

    def __init__(self) -> None:
        params = ParamSet({"robust": ParamLgl(default=False, tags=("train",))})
        super().__init__(
            id="regr.featureless",
            task_type="regr",
            param_set=params,
            predict_types=("response", "se"),
            feature_types=FEATURE_TYPES,
            properties=_PROPERTIES,
            label="Featureless Regression Learner",
        )

    def _train(self, task: Task, values: dict[str, Any]) -> dict[str, float]:
        y = task._column_values(task.target_names[0]).astype(np.float64, copy=False)
        if values["robust"]:
            location = float(np.median(y))
            scale = float(_MAD_TO_SD * np.median(np.abs(y - location)))
        else:
            location = float(np.mean(y))
            scale = float(np.std(y, ddof=1)) if len(y) > 1 else float("nan")
        return {"location": location, "dispersion": scale}

    def _predict(self, task: Task, values: dict[str, Any]) -> dict[str, Any]:
        model = self.model
        n = task.nrow
        out = {"response": np.full(n, model["location"])}
        if self.predict_type == "se":
            out["se"] = np.full(n, model["dispersion"])
        return out
