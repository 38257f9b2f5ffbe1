"""Feature selection: ``po("select")`` (by a selector) and ``po("removeconstants")``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import TaskError, did_you_mean
from jupytorch.core.paramset import ParamDbl, ParamLgl, ParamSet, ParamUty
from jupytorch.core.task import Task
from jupytorch.pipelines.preproc import PipeOpTaskPreproc, _check_selector
from jupytorch.pipelines.selectors import as_selector, selector_all

__all__ = ["PipeOpSelect", "PipeOpRemoveConstants"]


def _keep(task: Task, features: list[str], op_id: str) -> Task:
    missing = [c for c in features if c not in task.feature_names]
    if missing:
        raise TaskError(
            f"PipeOp {op_id!r}: task {task.id!r} lacks the feature(s) {missing} that were selected in training."
            + did_you_mean(missing[0], task.feature_names)
        )
    return task.clone().select(features)


class PipeOpSelect(PipeOpTaskPreproc):
    """Keep only the features chosen by a selector (the choice is made in training).

    Parameters (``param_set``)
    --------------------------
    selector : selector, default selector_all()
        ``selector_type("numeric")``, ``selector_name([...])``, ``selector_grep(...)``, a list of
        names, or a function ``task -> names``.

    State: ``features`` (the kept feature names).

    Examples
    --------
    >>> from jupytorch import po, tsk, selector_name
    >>> po("select", selector=selector_name(["hp", "wt"])).train([tsk("mtcars")])[0].feature_names
    ['hp', 'wt']
    """

    def __init__(self, id: str = "select", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet({"selector": ParamUty(default=selector_all(), tags=("train",), custom_check=_check_selector)})
        super().__init__(id, param_set=ps, param_vals=param_vals, can_subset_cols=False)

    def _train_task(self, task: Task) -> Task:
        features = as_selector(self.param_values()["selector"])(task)
        self.state["features"] = features
        return _keep(task, features, self.id)

    def _predict_task(self, task: Task) -> Task:
        return _keep(task, self.state["features"], self.id)


class PipeOpRemoveConstants(PipeOpTaskPreproc):
    """Drop features that are (nearly) constant in the training data.

    A feature is dropped when the share of values that differ from its most frequent value is
    at most ``ratio``; numbers count as equal within ``abs_tol + rel_tol * |mode|``.

    Parameters (``param_set``)
    --------------------------
    ratio : float in [0, 1], default 0
    rel_tol, abs_tol : float, default 1e-8
    na_ignore : bool, default True
        Ignore missing values (else they count as a value of their own).
    affect_columns : selector

    State: ``removed`` (the dropped feature names).

    Examples
    --------
    >>> import pandas as pd
    >>> from jupytorch import po, as_task_regr
    >>> task = as_task_regr(pd.DataFrame({"a": [1.0, 1.0, 1.0], "b": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 3.0]}), target="y")
    >>> po("removeconstants").train([task])[0].feature_names
    ['b']
    """

    def __init__(self, id: str = "removeconstants", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet(
            {
                "ratio": ParamDbl(0, 1, default=0.0, tags=("train",)),
                "rel_tol": ParamDbl(0, None, default=1e-8, tags=("train",)),
                "abs_tol": ParamDbl(0, None, default=1e-8, tags=("train",)),
                "na_ignore": ParamLgl(default=True, tags=("train",)),
            }
        )
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _nonmode_share(self, series: pd.Series, pv: dict[str, Any]) -> float:
        if pv["na_ignore"]:
            series = series.dropna()
        if len(series) == 0:
            return 0.0
        counts = series.value_counts(dropna=False)
        mode = counts.index[0]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series) and not pd.isna(mode):
            x = series.to_numpy(dtype=float, na_value=np.nan)
            same = np.abs(x - float(mode)) <= pv["abs_tol"] + pv["rel_tol"] * abs(float(mode))
            return float(1.0 - same.mean())
        return float(1.0 - counts.iloc[0] / len(series))

    def _train_task(self, task: Task) -> Task:
        pv = self.param_values()
        cols = self.affected_columns(task)
        data = task.data(cols=cols)
        removed = [c for c in cols if self._nonmode_share(data[c], pv) <= pv["ratio"]]
        self.state["removed"] = removed
        return self._predict_task(task)

    def _predict_task(self, task: Task) -> Task:
        removed = set(self.state["removed"])
        if not removed:
            return task
        return task.clone().select([c for c in task.feature_names if c not in removed])
