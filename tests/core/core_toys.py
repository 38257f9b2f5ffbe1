"""Tiny deterministic learners and tasks for the core tests, and a helper that lists a resampling's sets.

They live in an importable module (not in conftest.py, which puts this folder on ``sys.path``)
so that joblib's worker processes can unpickle them by reference when tests use ``n_jobs=2``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from jupytorch.core.learner import Learner
from jupytorch.core.param import ParamDbl, ParamFct, ParamInt, ParamLgl
from jupytorch.core.paramset import ParamSet
from jupytorch.core.resampling import Resampling
from jupytorch.core.task import TaskClassif, TaskRegr


def _failure_params() -> dict[str, Any]:
    return {
        "fail": ParamFct(["never", "train", "predict"], default="never"),
        "fail_without_row": ParamInt(0, None, default=None),
        "interrupt_without_row": ParamInt(0, None, default=None),
        "warn": ParamLgl(default=False),
        "noise": ParamLgl(default=False),
        "seed": ParamInt(0, None, default=None, tags={"seed"}),
    }


def _maybe_fail(learner: Learner, task: Any, pv: dict[str, Any], stage: str) -> None:
    if pv.get("fail") == stage:
        raise RuntimeError(f"planned failure in {stage}")
    row = pv.get("fail_without_row")
    if stage == "train" and row is not None and row not in set(task.row_ids.tolist()):
        raise RuntimeError(f"row {row} is not in the training set")
    row = pv.get("interrupt_without_row")
    if stage == "train" and row is not None and row not in set(task.row_ids.tolist()):
        raise KeyboardInterrupt
    if pv.get("warn"):
        warnings.warn(f"toy warning in {stage}", UserWarning, stacklevel=2)


class MeanRegr(Learner):
    """Predicts the training mean of the target (plus ``shift``)."""

    def __init__(self, id: str = "regr.mean"):
        ps = ParamSet({"shift": ParamDbl(None, None, default=0.0), **_failure_params()})
        super().__init__(id, "regr", ps, predict_types=("response",), properties=("missings",), label="Mean (test)")

    def _train(self, task: Any, pv: dict[str, Any]) -> Any:
        _maybe_fail(self, task, pv, "train")
        valid = task.internal_valid_task
        model = {"mean": float(task.truth().mean()), "seed": pv.get("seed"), "valid_rows": None if valid is None else valid.row_ids}
        if pv.get("noise"):
            model["mean"] += float(np.random.random())
        return model

    def _predict(self, task: Any, pv: dict[str, Any]) -> dict[str, Any]:
        _maybe_fail(self, task, pv, "predict")
        return {"response": np.full(task.nrow, self.model["mean"] + pv["shift"])}

    @property
    def internal_valid_scores(self) -> dict[str, float] | None:
        """Pretends to validate while training: reports the training mean."""
        return None if self.state is None or self.state.get("model") is None else {"toy.mean": self.model["mean"]}


class MajorityClassif(Learner):
    """Predicts the most frequent training class; probabilities are the training frequencies."""

    def __init__(self, id: str = "classif.majority"):
        super().__init__(
            id, "classif", ParamSet(_failure_params()), predict_types=("response", "prob"), properties=("twoclass", "multiclass", "missings")
        )

    def _train(self, task: Any, pv: dict[str, Any]) -> Any:
        _maybe_fail(self, task, pv, "train")
        counts = task.truth().value_counts().reindex(task.class_names, fill_value=0)
        return {"freq": (counts / counts.sum()).to_numpy(dtype=float), "classes": list(task.class_names)}

    def _predict(self, task: Any, pv: dict[str, Any]) -> dict[str, Any]:
        _maybe_fail(self, task, pv, "predict")
        freq = self.model["freq"]
        prob = np.tile(freq, (task.nrow, 1))
        response = np.full(task.nrow, self.model["classes"][int(np.argmax(freq))], dtype=object)
        return {"response": response, "prob": prob}


class NearestMeanClassif(Learner):
    """Assigns each row to the class whose mean of feature ``x`` is closest (a learner that learns)."""

    def __init__(self, id: str = "classif.nearest_mean"):
        super().__init__(id, "classif", ParamSet(_failure_params()), predict_types=("response", "prob"), feature_types=("numeric",))

    def _train(self, task: Any, pv: dict[str, Any]) -> Any:
        _maybe_fail(self, task, pv, "train")
        data = task.data()
        target = task.target_names[0]
        means = data.groupby(target, observed=False)["x"].mean().reindex(task.class_names)
        return {"means": means.to_numpy(dtype=float), "classes": list(task.class_names)}

    def _predict(self, task: Any, pv: dict[str, Any]) -> dict[str, Any]:
        x = task.data(cols=["x"])["x"].to_numpy(dtype=float)
        dist = np.abs(x[:, None] - np.nan_to_num(self.model["means"], nan=np.inf)[None, :])
        weights = 1.0 / (dist + 1e-9)
        prob = weights / weights.sum(axis=1, keepdims=True)
        return {"prob": prob, "response": np.asarray(self.model["classes"], dtype=object)[dist.argmin(axis=1)]}


def regr_task(n: int = 30, id: str = "toy_regr") -> TaskRegr:
    """A regression task with ``n`` rows: y = 2 x + small deterministic wiggle."""
    x = np.arange(n, dtype=float)
    frame = pd.DataFrame({"x": x, "z": (x % 3).astype(float), "y": 2 * x + np.sin(x)})
    return TaskRegr(id, frame, target="y")


def classif_task(n_per_class: tuple[int, ...] = (20, 10), id: str = "toy_classif") -> TaskClassif:
    """A classification task with classes a, b, (c...) of the given sizes; feature x separates them."""
    labels = []
    xs = []
    for k, n in enumerate(n_per_class):
        labels += [chr(ord("a") + k)] * n
        xs += list(10.0 * k + np.linspace(0, 3, n))
    frame = pd.DataFrame({"x": xs, "y": labels})
    return TaskClassif(id, frame, target="y")


def grouped_task(n_groups: int = 7, sizes: tuple[int, ...] = (1, 2, 3, 4)) -> TaskRegr:
    """A regression task whose column ``g`` has the group role: ``n_groups`` groups of the given sizes, in turn."""
    groups = [g for g in range(n_groups) for _ in range(sizes[g % len(sizes)])]
    frame = pd.DataFrame({"x": np.arange(len(groups), dtype=float), "g": groups, "y": np.arange(len(groups), dtype=float)})
    task = TaskRegr("grouped", frame, target="y")
    return task.set_col_roles("g", roles="group")


def all_sets(r: Resampling) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The training sets and the test sets of every iteration of an instantiated resampling."""
    return [r.train_set(i) for i in range(r.iters)], [r.test_set(i) for i in range(r.iters)]
