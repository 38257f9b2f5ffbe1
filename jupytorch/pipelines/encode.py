"""Factor handling: ``po("encode")`` (factors to numeric columns) and ``po("fixfactors")``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from jupytorch.core.levels import CONTRASTS, contrast_matrix, encode_levels, factor_levels, level_codes
from jupytorch.core.paramset import ParamFct, ParamLgl, ParamSet
from jupytorch.core.task import Task
from jupytorch.pipelines.preproc import PipeOpTaskPreproc

__all__ = ["PipeOpEncode", "PipeOpFixFactors"]

FACTORS = ("factor", "ordered", "character")


class PipeOpEncode(PipeOpTaskPreproc):
    """Encode factor (and character) features as numeric columns.

    ``method``: ``"one-hot"`` (one column per level, ``<col>.<level>``), ``"treatment"`` (dummy
    columns for all levels but the first), ``"helmert"``, ``"sum"`` and ``"poly"`` (R's contrasts).
    Levels are learned in training (the rule of :mod:`jupytorch.core.levels`: category order,
    else sorted); at predict a level that was not seen in training is encoded as all zeros (never
    an error), a missing value as missing in every column.

    Parameters (``param_set``)
    --------------------------
    method : {"one-hot", "treatment", "helmert", "poly", "sum"}, default "one-hot"
    affect_columns : selector

    State: ``contrasts`` (column -> DataFrame: levels x new columns).

    Examples
    --------
    >>> import pandas as pd
    >>> from jupytorch import po, as_task_regr
    >>> task = as_task_regr(pd.DataFrame({"x": pd.Categorical(["a", "b", "c"]), "y": [1.0, 2.0, 3.0]}), target="y")
    >>> po("encode", method="treatment").train([task])[0].feature_names
    ['x.b', 'x.c']
    """

    feature_types = FACTORS

    def __init__(self, id: str = "encode", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet({"method": ParamFct(list(CONTRASTS), default="one-hot", tags=("train",))})
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _train_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        method = self.param_values()["method"]
        contrasts = {}
        for col in df.columns:
            levels = factor_levels(df[col])
            matrix, suffixes = contrast_matrix(len(levels), method)
            if suffixes is None:
                suffixes = [str(lv) for lv in (levels if method == "one-hot" else levels[1:])]
            contrasts[col] = pd.DataFrame(matrix, index=pd.Index(levels, dtype=object), columns=[f"{col}.{s}" for s in suffixes])
        self.state["contrasts"] = contrasts
        return self._predict_dt(df, task)

    def _predict_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        blocks = []
        for col, coding in self.state["contrasts"].items():
            out = encode_levels(df[col], list(coding.index), coding.to_numpy())
            blocks.append(pd.DataFrame(out, index=df.index, columns=coding.columns))
        return pd.concat(blocks, axis=1) if blocks else pd.DataFrame(index=df.index)


class PipeOpFixFactors(PipeOpTaskPreproc):
    """Make the factor levels at predict those of training.

    Levels seen only at predict become missing values; levels of training that are absent at
    predict are kept, so the columns have the same categories in both phases.

    Parameters (``param_set``)
    --------------------------
    droplevels : bool, default True
        Drop levels that no training row has.
    affect_columns : selector

    State: ``levels`` (column -> list of levels).

    Examples
    --------
    >>> import pandas as pd
    >>> from jupytorch import po, as_task_regr
    >>> train = as_task_regr(pd.DataFrame({"x": pd.Categorical(["a", "b"]), "y": [1.0, 2.0]}), target="y")
    >>> test = as_task_regr(pd.DataFrame({"x": pd.Categorical(["c", "a"]), "y": [1.0, 2.0]}), target="y")
    >>> op = po("fixfactors")
    >>> _ = op.train([train])
    >>> op.predict([test])[0].data()["x"].tolist()
    [nan, 'a']
    """

    feature_types = ("factor", "ordered")

    def __init__(self, id: str = "fixfactors", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet({"droplevels": ParamLgl(default=True, tags=("train",))})
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _train_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        drop = self.param_values()["droplevels"]
        levels = {}
        for col in df.columns:
            cats = list(df[col].cat.categories)
            if drop:
                present = set(df[col].dropna().unique().tolist())
                cats = [c for c in cats if c in present]
            levels[col] = (cats, bool(df[col].cat.ordered))
        self.state["levels"] = {c: lv for c, (lv, _) in levels.items()}
        self.state["ordered"] = {c: o for c, (_, o) in levels.items()}
        return self._predict_dt(df, task)

    def _predict_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        out = {}
        for col, levels in self.state["levels"].items():
            codes = level_codes(df[col], levels)
            out[col] = pd.Categorical.from_codes(codes, categories=levels, ordered=self.state["ordered"][col])
        return pd.DataFrame(out, index=df.index)
