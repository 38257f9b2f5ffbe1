"""Imputation: fill missing feature values with values learned in training.

Every imputer learns one fill value (or, for ``imputehist``, a histogram) per affected column
in training, from the training rows only, and fills both training and predict data with it.
Columns without missing values in training are learned too, so missing values that appear only
at predict are filled. Integer columns get rounded fill values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import TaskError
from jupytorch.core.paramset import ParamDbl, ParamLgl, ParamSet, ParamUty
from jupytorch.core.task import Task, column_type
from jupytorch.pipelines.preproc import PipeOpTaskPreproc

__all__ = [
    "PipeOpImputeHist",
    "PipeOpImputeMean",
    "PipeOpImputeMedian",
    "PipeOpImputeMode",
    "PipeOpImputeOOR",
    "PipeOpImputeConstant",
    "MISSING_LEVEL",
]

NUMERIC = ("numeric", "integer")
MISSING_LEVEL = ".MISSING"


def _fill(df: pd.DataFrame, values: Mapping[str, Any]) -> pd.DataFrame:
    out = {}
    for col in df.columns:
        series = df[col]
        value = values[col]
        if series.isna().any():
            if isinstance(series.dtype, pd.CategoricalDtype) and value not in series.cat.categories:
                series = series.cat.add_categories([value])
            series = series.fillna(value)
        out[col] = series
    return pd.DataFrame(out, index=df.index)


def _numeric_fill(value: float, series: pd.Series) -> float:
    if not np.isfinite(value):
        value = 0.0
    return float(round(value)) if column_type(series) == "integer" else float(value)


def _fill_from_state(self: PipeOpTaskPreproc, df: pd.DataFrame, task: Task) -> pd.DataFrame:
    """The shared ``_predict_dt`` of the imputers: fill with ``state["values"]``."""
    return _fill(df, self.state["values"])


class PipeOpImputeMean(PipeOpTaskPreproc):
    """Impute numeric features by their training mean.

    State: ``values`` (column -> fill value).

    Examples
    --------
    >>> import pandas as pd
    >>> from jupytorch import po, as_task_regr
    >>> task = as_task_regr(pd.DataFrame({"x": [1.0, None, 3.0], "y": [1.0, 2.0, 3.0]}), target="y")
    >>> po("imputemean").train([task])[0].data()["x"].tolist()
    [1.0, 2.0, 3.0]
    """

    tags = ("missings",)  # removes missing values: see GraphLearner's "missings" property

    feature_types = NUMERIC

    _predict_dt = _fill_from_state

    def __init__(self, id: str = "imputemean", param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, param_vals=param_vals)

    def _train_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        self.state["values"] = {c: _numeric_fill(float(df[c].mean()), df[c]) for c in df.columns}
        return self._predict_dt(df, task)


class PipeOpImputeMedian(PipeOpTaskPreproc):
    """Impute numeric features by their training median.

    State: ``values`` (column -> fill value).

    Examples
    --------
    >>> import pandas as pd
    >>> from jupytorch import po, as_task_regr
    >>> task = as_task_regr(pd.DataFrame({"x": [1.0, None, 3.0, 10.0], "y": [1.0, 2.0, 3.0, 4.0]}), target="y")
    >>> po("imputemedian").train([task])[0].data()["x"].tolist()
    [1.0, 3.0, 3.0, 10.0]
    """

    tags = ("missings",)  # removes missing values: see GraphLearner's "missings" property

    feature_types = NUMERIC

    _predict_dt = _fill_from_state

    def __init__(self, id: str = "imputemedian", param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, param_vals=param_vals)

    def _train_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        self.state["values"] = {c: _numeric_fill(float(df[c].median()), df[c]) for c in df.columns}
        return self._predict_dt(df, task)


class PipeOpImputeMode(PipeOpTaskPreproc):
    """Impute features by their most frequent training value (ties: the smallest value).

    Handles numeric, integer, logical, factor, ordered and character features.

    Examples
    --------
    >>> import pandas as pd
    >>> from jupytorch import po, as_task_regr
    >>> df = pd.DataFrame({"x": pd.Categorical(["a", "b", "b", None]), "y": [1.0, 2.0, 3.0, 4.0]})
    >>> po("imputemode").train([as_task_regr(df, target="y")])[0].data()["x"].tolist()
    ['a', 'b', 'b', 'b']
    """

    tags = ("missings",)  # removes missing values: see GraphLearner's "missings" property

    feature_types = ("numeric", "integer", "logical", "factor", "ordered", "character")

    _predict_dt = _fill_from_state

    def __init__(self, id: str = "imputemode", param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, param_vals=param_vals)

    def _train_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        values = {}
        for col in df.columns:
            modes = df[col].mode(dropna=True)
            if len(modes):
                values[col] = modes.iloc[0]
            elif isinstance(df[col].dtype, pd.CategoricalDtype) and len(df[col].cat.categories):
                values[col] = df[col].cat.categories[0]
            else:
                values[col] = 0.0 if pd.api.types.is_numeric_dtype(df[col]) else MISSING_LEVEL
        self.state["values"] = values
        return self._predict_dt(df, task)


class PipeOpImputeOOR(PipeOpTaskPreproc):
    """Impute with out-of-range values: below (or above) the training range for numbers, and a new
    level ``".MISSING"`` for factors and characters (added in train and predict alike), so a
    learner can tell imputed values apart.

    Parameters (``param_set``)
    --------------------------
    min : bool, default True
        Impute below the minimum (else above the maximum).
    offset : float, default 1
    multiplier : float, default 1
        The value is ``min - offset - multiplier * (max - min)`` (or the mirror above the maximum).

    Examples
    --------
    >>> import pandas as pd
    >>> from jupytorch import po, as_task_regr
    >>> task = as_task_regr(pd.DataFrame({"x": [1.0, None, 3.0], "y": [1.0, 2.0, 3.0]}), target="y")
    >>> po("imputeoor").train([task])[0].data()["x"].tolist()
    [1.0, -2.0, 3.0]
    """

    tags = ("missings",)  # removes missing values: see GraphLearner's "missings" property

    feature_types = ("numeric", "integer", "factor", "ordered", "character")

    def __init__(self, id: str = "imputeoor", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet(
            {
                "min": ParamLgl(default=True, tags=("train",)),
                "offset": ParamDbl(0, None, default=1.0, tags=("train",)),
                "multiplier": ParamDbl(0, None, default=1.0, tags=("train",)),
            }
        )
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _train_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        pv = self.param_values()
        values = {}
        for col in df.columns:
            series = df[col]
            if column_type(series) in NUMERIC:
                lo, hi = float(series.min()), float(series.max())
                spread = hi - lo if np.isfinite(hi - lo) else 0.0
                value = lo - pv["offset"] - pv["multiplier"] * spread if pv["min"] else hi + pv["offset"] + pv["multiplier"] * spread
                values[col] = _numeric_fill(value, series)
            else:
                values[col] = MISSING_LEVEL
        self.state["values"] = values
        return self._predict_dt(df, task)

    def _predict_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        out = _fill(df, self.state["values"])
        for col, value in self.state["values"].items():
            series = out[col]
            if isinstance(series.dtype, pd.CategoricalDtype) and value not in series.cat.categories:
                out[col] = series.cat.add_categories([value])
        return out


class PipeOpImputeConstant(PipeOpTaskPreproc):
    """Impute with a constant value; factor columns get it as a new level when needed.

    Parameters (``param_set``)
    --------------------------
    constant : object, default ".MISSING"
        The fill value; it must suit the affected columns (a number for numeric columns).
    affect_columns : selector

    Examples
    --------
    >>> import pandas as pd
    >>> from jupytorch import po, as_task_regr
    >>> task = as_task_regr(pd.DataFrame({"x": [1.0, None], "y": [1.0, 2.0]}), target="y")
    >>> po("imputeconstant", constant=-1.0).train([task])[0].data()["x"].tolist()
    [1.0, -1.0]
    """

    tags = ("missings",)  # removes missing values: see GraphLearner's "missings" property

    _predict_dt = _fill_from_state

    def __init__(self, id: str = "imputeconstant", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet({"constant": ParamUty(default=MISSING_LEVEL, tags=("train",))})
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _train_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        constant = self.param_values()["constant"]
        numeric = isinstance(constant, (int, float, np.number)) and not isinstance(constant, bool)
        bad = [c for c in df.columns if column_type(df[c]) in NUMERIC and not numeric]
        if bad:
            raise TaskError(
                f"PipeOp {self.id!r}: constant {constant!r} cannot fill the numeric feature(s) {bad}; set a number "
                "or restrict affect_columns, e.g. affect_columns=selector_type(['factor', 'character'])."
            )
        self.state["values"] = {c: constant for c in df.columns}
        return self._predict_dt(df, task)


class PipeOpImputeHist(PipeOpTaskPreproc):
    """Impute numeric features by sampling from a histogram of the training values.

    Missing values are drawn from the training histogram (``numpy.histogram`` with Sturges'
    bins): a bin with probability proportional to its count, then uniformly within the bin
    (rounded for integer columns). Draws use NumPy's global random state (``np.random.seed``
    makes them reproducible).

    State: ``histograms`` (column -> (counts, breaks)).

    Examples
    --------
    >>> import pandas as pd
    >>> from jupytorch import po, as_task_regr
    >>> task = as_task_regr(pd.DataFrame({"x": [1.0, None, 3.0, 2.0], "y": [1.0, 2.0, 3.0, 4.0]}), target="y")
    >>> x = po("imputehist").train([task])[0].data()["x"]
    >>> bool(x.notna().all() and 1.0 <= x[1] <= 3.0)
    True
    """

    tags = ("missings",)  # removes missing values: see GraphLearner's "missings" property

    feature_types = NUMERIC

    def __init__(self, id: str = "imputehist", param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, param_vals=param_vals)

    def _train_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        histograms = {}
        for col in df.columns:
            x = df[col].dropna().to_numpy(dtype=float)
            if len(x) == 0:
                histograms[col] = (np.array([1.0]), np.array([0.0, 0.0]))
                continue
            counts, breaks = np.histogram(x, bins="sturges")
            histograms[col] = (counts.astype(float), breaks)
        self.state["histograms"] = histograms
        return self._predict_dt(df, task)

    def _predict_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        out = {}
        for col in df.columns:
            series = df[col]
            missing = series.isna().to_numpy()
            if missing.any():
                counts, breaks = self.state["histograms"][col]
                n = int(missing.sum())
                bins = np.random.choice(len(counts), size=n, p=counts / counts.sum())
                draws = np.random.uniform(breaks[bins], breaks[bins + 1])
                if column_type(series) == "integer":
                    draws = np.round(draws)
                series = series.copy()
                series[missing] = draws
            out[col] = series
        return pd.DataFrame(out, index=df.index)
