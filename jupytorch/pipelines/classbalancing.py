"""``po("classbalancing")``: up- or down-sample classes of a classification task, in training only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from jupytorch.core.paramset import ParamDbl, ParamFct, ParamLgl, ParamSet
from jupytorch.core.task import Task
from jupytorch.pipelines.preproc import PipeOpTaskPreproc

__all__ = ["PipeOpClassBalancing", "task_with_rows"]

REFERENCES = ("all", "major", "minor", "nonmajor", "nonminor", "one")
ADJUSTS = ("all", "major", "minor", "nonmajor", "nonminor", "upsample", "downsample")


def task_with_rows(task: Task, rows: np.ndarray) -> Task:
    """Return a task over the rows ``rows`` of ``task`` (row ids, repeats allowed).

    Repeated rows get new row ids, so the result is built from a new DataFrame (with the same
    column roles); without repeats the task is just filtered.
    """
    rows = np.asarray(rows, dtype=np.int64)
    if len(np.unique(rows)) == len(rows):
        return task.clone().filter(rows)
    roles = task.col_roles
    cols = list(dict.fromkeys(c for cs in roles.values() for c in cs))
    frame = task.data(rows=rows, cols=cols)
    frame.index = pd.RangeIndex(len(frame))
    target = task.target_names[0]
    kwargs = {"positive": task.positive} if getattr(task, "positive", None) is not None else {}
    new = type(task)(task.id, frame, target=target, label=task.label, **kwargs)
    new.select(roles["feature"])
    for role in ("group", "stratum", "weight", "name"):
        if roles[role]:
            new.set_col_roles(roles[role], roles=role)
    return new


class PipeOpClassBalancing(PipeOpTaskPreproc):
    """Balance the classes of a classification task in training; predict data passes unchanged.

    Each adjusted class is brought to ``round(ratio * reference size)`` rows: by sampling without
    replacement when it is larger, and by adding rows drawn with replacement when it is smaller.

    Parameters (``param_set``)
    --------------------------
    ratio : float, default 1
    reference : {"all", "major", "minor", "nonmajor", "nonminor", "one"}, default "all"
        The reference size: the mean class size of all classes, the size of the largest, of the
        smallest, the mean size of all but the largest / smallest, or 1.
    adjust : {"all", "major", "minor", "nonmajor", "nonminor", "upsample", "downsample"}, default "all"
        Which classes change: all, the largest, the smallest, all but the largest / smallest, only
        those smaller than the target size (upsample) or only those larger (downsample).
    shuffle : bool, default True
        Shuffle the rows of the result.

    Draws use NumPy's global random state (``np.random.seed`` makes them reproducible).

    Examples
    --------
    >>> import pandas as pd
    >>> from jupytorch import po, as_task_classif
    >>> df = pd.DataFrame({"x": range(10), "y": ["a"] * 8 + ["b"] * 2})
    >>> op = po("classbalancing", reference="major", adjust="upsample")
    >>> op.train([as_task_classif(df, target="y")])[0].truth().value_counts().to_dict()
    {'a': 8, 'b': 8}
    """

    tags = ("imbalanced data",)

    def __init__(self, id: str = "classbalancing", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet(
            {
                "ratio": ParamDbl(0, None, default=1.0, tags=("train",)),
                "reference": ParamFct(list(REFERENCES), default="all", tags=("train",)),
                "adjust": ParamFct(list(ADJUSTS), default="all", tags=("train",)),
                "shuffle": ParamLgl(default=True, tags=("train",)),
            }
        )
        super().__init__(id, param_set=ps, param_vals=param_vals, task_type="TaskClassif", can_subset_cols=False)

    def _train_task(self, task: Task) -> Task:
        pv = self.param_values()
        truth = task.truth()
        groups = {cls: task.row_ids[(truth == cls).to_numpy()] for cls in task.class_names}  # type: ignore[attr-defined]
        sizes = pd.Series({cls: len(ids) for cls, ids in groups.items()})
        sizes = sizes[sizes > 0]
        major, minor = sizes.idxmax(), sizes.idxmin()
        reference = {
            "all": sizes.mean(),
            "major": sizes.max(),
            "minor": sizes.min(),
            "nonmajor": sizes.drop(major).mean() if len(sizes) > 1 else sizes.mean(),
            "nonminor": sizes.drop(minor).mean() if len(sizes) > 1 else sizes.mean(),
            "one": 1.0,
        }[pv["reference"]]
        target = max(int(round(reference * pv["ratio"])), 1)
        adjust = pv["adjust"]
        chosen = {
            "all": set(sizes.index),
            "major": {major},
            "minor": {minor},
            "nonmajor": set(sizes.index) - {major},
            "nonminor": set(sizes.index) - {minor},
            "upsample": set(sizes.index[sizes < target]),
            "downsample": set(sizes.index[sizes > target]),
        }[adjust]
        rows = []
        for cls, ids in groups.items():
            if cls not in chosen or len(ids) == 0:
                rows.append(ids)
            elif target <= len(ids):
                rows.append(np.random.choice(ids, size=target, replace=False))
            else:
                rows.append(np.concatenate([ids, np.random.choice(ids, size=target - len(ids), replace=True)]))
        rows_all = np.concatenate(rows)
        if pv["shuffle"]:
            rows_all = np.random.permutation(rows_all)
        else:
            rows_all = np.sort(rows_all, kind="stable")
        self.state["class_sizes"] = sizes.to_dict()
        self.state["target_size"] = target
        return task_with_rows(task, rows_all)

    def _predict_task(self, task: Task) -> Task:
        return task
