"""PipeOpTaskPreproc: the base of PipeOps that transform the features of a Task.

A concrete preprocessing PipeOp overrides narrow hooks, from the most specific:

- ``_train_dt(df, task) -> df`` learns values into ``self.state`` (a dict) from the affected
  columns ``df`` and returns them transformed; ``_predict_dt(df, task) -> df`` applies
  ``self.state`` unchanged. The base picks the columns (the ``affect_columns`` selector,
  restricted to the class attribute ``feature_types``), and puts the result back into the task
  (same column names: in place; other names: after the untouched features).
- ``_train_task(task) -> task`` / ``_predict_task(task) -> task`` for PipeOps that need the whole
  task (changing rows, choosing features).

Ops that act only during training (data augmentation, class balancing) return their input
unchanged from ``_predict_dt`` / ``_predict_task``. During ``train()``, a task's
``internal_valid_task`` (validation data for early stopping) is transformed with the predict
hooks, so validation data is treated like test data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pandas as pd

from jupytorch.core.exceptions import TaskError, did_you_mean
from jupytorch.core.paramset import ParamSet, ParamUty
from jupytorch.core.task import FEATURE_TYPES, Task
from jupytorch.pipelines.pipeop import PipeOp
from jupytorch.pipelines.selectors import as_selector, selector_all

__all__ = ["PipeOpTaskPreproc", "affect_columns_param"]


def _check_selector(value: Any) -> bool | str:
    try:
        as_selector(value)
    except Exception:  # noqa: BLE001 - reworded
        return "a selector (selector_name(...), selector_type(...), ...) or a function task -> names"
    return True


def affect_columns_param() -> ParamUty:
    """The ``affect_columns`` parameter: a selector of the columns an op changes (default: all)."""
    return ParamUty(default=selector_all(), tags=("train",), custom_check=_check_selector,
                    description="Selector of the features to change; the others pass unchanged.")


class PipeOpTaskPreproc(PipeOp):
    """Base class of PipeOps that transform a Task's features (see the module docstring).

    Parameters
    ----------
    id : str
    param_set : ParamSet, optional
        Parameters of the concrete op; ``affect_columns`` is added when ``can_subset_cols``.
    param_vals : mapping, optional
    task_type : str
        The channel type: ``"Task"``, or ``"TaskClassif"`` for ops that need classes.
    can_subset_cols : bool
        Whether the op offers ``affect_columns``.
    label : str, optional

    Attributes
    ----------
    feature_types : tuple of str (class attribute)
        The feature types the op changes; other columns pass through untouched.

    Examples
    --------
    A PipeOp that takes the logarithm of numeric features:

    >>> import numpy as np
    >>> from jupytorch import tsk
    >>> class PipeOpLog1p(PipeOpTaskPreproc):
    ...     feature_types = ("numeric",)
    ...     def _train_dt(self, df, task):
    ...         return self._predict_dt(df, task)
    ...     def _predict_dt(self, df, task):
    ...         return np.log1p(df)
    >>> out = PipeOpLog1p("log1p").train([tsk("mtcars")])[0]
    >>> round(float(out.data(rows=[0], cols=["hp"]).iloc[0, 0]), 3)
    4.71
    """

    kind = "preprocessing"
    feature_types: ClassVar[tuple[str, ...]] = FEATURE_TYPES

    def __init__(
        self,
        id: str,
        param_set: ParamSet | None = None,
        param_vals: Mapping[str, Any] | None = None,
        task_type: str = "Task",
        can_subset_cols: bool = True,
        label: str = "",
    ):
        param_set = param_set if param_set is not None else ParamSet()
        if can_subset_cols and "affect_columns" not in param_set:
            param_set.add("affect_columns", affect_columns_param())
        super().__init__(
            id,
            param_set=param_set,
            param_vals=param_vals,
            input=[("input", task_type, task_type)],
            output=[("output", task_type, task_type)],
            label=label,
        )

    # -- template ----------------------------------------------------------------------------
    def _train(self, inputs: list[Any]) -> list[Any]:
        task: Task = inputs[0]
        self.state = {}
        out = self._train_task(task)
        valid = task.internal_valid_task
        if valid is not None:
            if out is task:
                out = task.clone()
            out.internal_valid_task = self._predict_task(valid)
        return [out]

    def _predict(self, inputs: list[Any]) -> list[Any]:
        return [self._predict_task(inputs[0])]

    # -- task-level hooks ------------------------------------------------------------------------
    def affected_columns(self, task: Task) -> list[str]:
        """The features of ``task`` this op changes: chosen by ``affect_columns`` and of a handled type."""
        selector = self.param_values().get("affect_columns", selector_all())
        chosen = set(as_selector(selector)(task))
        types = task.feature_types
        return [c for c in task.feature_names if c in chosen and types[c] in self.feature_types]

    def _train_task(self, task: Task) -> Task:
        cols = self.affected_columns(task)
        self.state["affected_cols"] = cols
        if not cols:
            return task
        new = self._as_frame(self._train_dt(task.data(cols=cols), task), task, cols)
        return self.replace_columns(task, cols, new)

    def _predict_task(self, task: Task) -> Task:
        cols = self.state["affected_cols"]
        if not cols:
            return task
        missing = [c for c in cols if c not in task.feature_names]
        if missing:
            raise TaskError(
                f"PipeOp {self.id!r}: task {task.id!r} lacks the feature(s) {missing} that were transformed in training."
                + did_you_mean(missing[0], task.feature_names)
            )
        new = self._as_frame(self._predict_dt(task.data(cols=cols), task), task, cols)
        return self.replace_columns(task, cols, new)

    # -- data-level hooks -----------------------------------------------------------------------
    def _train_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        """Hook: learn ``self.state[...]`` from ``df`` (the affected columns) and return it transformed."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _train_dt().")

    def _predict_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        """Hook: transform ``df`` with ``self.state`` (learned in train, never changed here)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _predict_dt().")

    # -- helpers ---------------------------------------------------------------------------------
    def _as_frame(self, new: Any, task: Task, cols: list[str]) -> pd.DataFrame:
        index = task.row_ids
        if not isinstance(new, pd.DataFrame):
            new = pd.DataFrame(new, columns=cols if getattr(new, "shape", (0, 0))[1:] == (len(cols),) else None)
        if len(new) != len(index):
            raise TaskError(f"PipeOp {self.id!r} returned {len(new)} rows for {len(index)} rows of task {task.id!r}.")
        if not (isinstance(new.index, pd.Index) and len(new.index) == len(index) and (new.index == index).all()):
            new = new.set_axis(index, axis=0)
        new.columns = [str(c) for c in new.columns]
        return new

    @staticmethod
    def replace_columns(task: Task, cols: list[str], new: pd.DataFrame) -> Task:
        """Return a new task in which the features ``cols`` are replaced by the columns of ``new``.

        Columns keep their places when ``new`` has the same names; otherwise the untouched
        features come first, then ``new``.
        """
        features = task.data(cols=task.feature_names)
        if list(new.columns) == list(cols):
            features = features.copy()
            for col in cols:
                features[col] = new[col]
        else:
            keep = [c for c in task.feature_names if c not in set(cols)]
            clash = [c for c in new.columns if c in keep]
            if clash:
                raise TaskError(f"New feature columns {clash} clash with existing features of task {task.id!r}.")
            features = pd.concat([features[keep], new], axis=1)
        return task.replace_features(features)
