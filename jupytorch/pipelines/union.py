"""Structural PipeOps: ``po("nop")`` passes its input on, ``po("featureunion")`` merges Tasks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import TaskError
from jupytorch.core.paramset import ParamLgl, ParamSet
from jupytorch.core.task import Task
from jupytorch.pipelines.channels import VARARG
from jupytorch.pipelines.pipeop import PipeOp

__all__ = ["PipeOpNOP", "PipeOpFeatureUnion"]


class PipeOpNOP(PipeOp):
    """Pass the input on unchanged (useful as the "do nothing" path of a branch).

    Examples
    --------
    >>> from jupytorch import po, tsk
    >>> po("nop").train([tsk("mtcars")])[0].id
    'mtcars'
    """

    kind = "meta"

    def __init__(self, id: str = "nop", param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, param_vals=param_vals)

    def _train(self, inputs: list[Any]) -> list[Any]:
        self.state = {}
        return inputs

    def _predict(self, inputs: list[Any]) -> list[Any]:
        return inputs


class PipeOpFeatureUnion(PipeOp):
    """Merge the features of several Tasks (with the same rows and target) into one Task.

    Parameters
    ----------
    innum : int or sequence of str, default 0
        ``0``: one vararg input ``"..."`` that takes any number of Tasks (``[a, b] >> po("featureunion")``).
        ``n``: inputs ``input1`` ... ``input<n>``. A list of names: inputs with those names, and
        every feature is prefixed with its input's name (``"<name>.<feature>"``).
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    assert_targets_equal : bool, default True
        Fail when the inputs' targets differ.

    A feature that comes from several inputs is kept once when its values agree, and is an error
    otherwise (prefix the inputs by naming them in ``innum``, or rename on the paths). The inputs'
    validation tasks (``internal_valid_task``) are merged the same way.

    Examples
    --------
    >>> from jupytorch import po, tsk, selector_name
    >>> graph = [po("select_1", selector=selector_name(["hp"])), po("pca", rank=1)] >> po("featureunion")
    >>> graph.train(tsk("mtcars"))[0].feature_names
    ['hp', 'PC1']
    """

    kind = "meta"

    def __init__(self, innum: int | Sequence[str] = 0, id: str = "featureunion", param_vals: Mapping[str, Any] | None = None):
        self.prefixes: list[str] | None = None
        if isinstance(innum, (int, np.integer)) and not isinstance(innum, bool):
            names = [VARARG] if innum == 0 else [f"input{i + 1}" for i in range(int(innum))]
        else:
            names = [str(n) for n in innum]
            self.prefixes = names
        ps = ParamSet({"assert_targets_equal": ParamLgl(default=True, tags=("train", "predict"))})
        super().__init__(
            id, param_set=ps, param_vals=param_vals,
            input=[(n, "Task", "Task") for n in names], output=[("output", "Task", "Task")],
        )

    def _train(self, inputs: list[Any]) -> list[Any]:
        self.state = {}
        return [self._union(inputs)]

    def _predict(self, inputs: list[Any]) -> list[Any]:
        return [self._union(inputs)]

    def _union(self, tasks: list[Task]) -> Task:
        base = tasks[0]
        rows = base.row_ids
        if self.param_values()["assert_targets_equal"]:
            for i, task in enumerate(tasks[1:], start=2):
                if task.target_names != base.target_names:
                    raise TaskError(
                        f"PipeOp {self.id!r}: input {i} has target {task.target_names}, input 1 {base.target_names}; "
                        "the merged tasks must share their target (or set assert_targets_equal=False)."
                    )
        origin: dict[str, int] = {}
        merged: dict[str, pd.Series] = {}
        for i, task in enumerate(tasks):
            if len(task.row_ids) != len(rows) or not np.array_equal(np.sort(task.row_ids), np.sort(rows)):
                raise TaskError(
                    f"PipeOp {self.id!r}: input {i + 1} (task {task.id!r}) has other rows than input 1; featureunion "
                    "needs the same rows on every input (do not put row-changing PipeOps on only one path)."
                )
            frame = task.data(cols=task.feature_names).reindex(rows)
            if self.prefixes is not None:
                frame = frame.add_prefix(f"{self.prefixes[i]}.")
            for col in frame.columns:
                if col in merged:
                    if not merged[col].equals(frame[col]):
                        raise TaskError(
                            f"PipeOp {self.id!r}: feature {col!r} comes from inputs {origin[col] + 1} and {i + 1} with "
                            "different values. Name the inputs so that features get prefixed "
                            f"(po('featureunion', innum=['a', 'b'])), or rename the columns on one path."
                        )
                    continue
                merged[col] = frame[col]
                origin[col] = i
        features = pd.DataFrame(merged, index=rows)
        out = base.replace_features(features)
        valid = [task.internal_valid_task for task in tasks]
        # validation data went down every path too: merge it the same way (or drop a partial one)
        out.internal_valid_task = self._union(valid) if all(v is not None for v in valid) else None
        return out
