"""``po("colapply")``: apply a function to each chosen feature column."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from jupytorch.core.paramset import ParamSet, ParamUty
from jupytorch.core.task import Task
from jupytorch.pipelines.preproc import PipeOpTaskPreproc

__all__ = ["PipeOpColApply"]


def _callable(value: Any) -> bool | str:
    return True if callable(value) else "a function"


class PipeOpColApply(PipeOpTaskPreproc):
    """Apply ``applicator`` to each affected column, in train and predict alike (it learns nothing).

    The function gets a whole column (a pandas Series) and returns the new column; a function
    that only takes single values (``int``, ``str.upper``) is applied value by value instead.

    Parameters (``param_set``)
    --------------------------
    applicator : callable (required)
    affect_columns : selector

    A lambda works, but cannot be pickled (parallel resampling, saving); prefer a named function.

    Examples
    --------
    >>> import numpy as np
    >>> from jupytorch import po, tsk, selector_name
    >>> op = po("colapply", applicator=np.log, affect_columns=selector_name(["hp"]))
    >>> round(float(op.train([tsk("mtcars")])[0].data()["hp"].iloc[0]), 4)
    4.7005
    """

    def __init__(self, id: str = "colapply", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet({"applicator": ParamUty(tags=("train", "predict", "required"), custom_check=_callable)})
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _train_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        return self._predict_dt(df, task)

    def _predict_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        fn = self.param_values()["applicator"]
        out = {}
        for col in df.columns:
            try:
                result = fn(df[col])
            except (TypeError, ValueError):
                result = None
            if not (hasattr(result, "__len__") and not isinstance(result, str) and len(result) == len(df)):
                result = df[col].map(fn)
            out[col] = pd.Series(result, index=df.index) if not isinstance(result, pd.Series) else result.set_axis(df.index)
        return pd.DataFrame(out, index=df.index)
