"""Numeric feature transformations: ``po("scale")`` and ``po("pca")``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import TaskError
from jupytorch.core.paramset import ParamInt, ParamLgl, ParamSet
from jupytorch.core.task import Task
from jupytorch.pipelines.preproc import PipeOpTaskPreproc

__all__ = ["PipeOpScale", "PipeOpPCA"]

NUMERIC = ("numeric", "integer")


class PipeOpScale(PipeOpTaskPreproc):
    """Center and scale numeric features with the training data's statistics.

    Backed by scikit-learn's ``StandardScaler`` (mean and standard deviation, ``ddof=0``) or, with
    ``robust=True``, ``RobustScaler`` (median and interquartile range). Missing values are ignored
    in training and kept. Integer columns become numeric.

    Parameters (``param_set``)
    --------------------------
    center : bool, default True
    scale : bool, default True
    robust : bool, default False
    affect_columns : selector

    State: ``scaler`` (the fitted scikit-learn object), ``center`` and ``scale`` (Series by column).

    Examples
    --------
    >>> from jupytorch import po, tsk
    >>> op = po("scale")
    >>> out = op.train([tsk("mtcars")])[0]
    >>> round(float(out.data()["hp"].mean()), 6)
    0.0
    >>> round(float(op.state["center"]["hp"]), 2)
    146.69
    """

    feature_types = NUMERIC

    def __init__(self, id: str = "scale", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet(
            {
                "center": ParamLgl(default=True, tags=("train",)),
                "scale": ParamLgl(default=True, tags=("train",)),
                "robust": ParamLgl(default=False, tags=("train",)),
            }
        )
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _train_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        from sklearn.preprocessing import RobustScaler, StandardScaler

        pv = self.param_values()
        if pv["robust"]:
            scaler = RobustScaler(with_centering=pv["center"], with_scaling=pv["scale"])
        else:
            scaler = StandardScaler(with_mean=pv["center"], with_std=pv["scale"])
        scaler.fit(df.astype(float))
        center = getattr(scaler, "center_", None) if pv["robust"] else getattr(scaler, "mean_", None)
        scale = getattr(scaler, "scale_", None)
        self.state["scaler"] = scaler
        self.state["center"] = pd.Series(center if center is not None else 0.0, index=df.columns, dtype=float)
        self.state["scale"] = pd.Series(scale if scale is not None else 1.0, index=df.columns, dtype=float)
        return self._predict_dt(df, task)

    def _predict_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        values = self.state["scaler"].transform(df.astype(float))
        return pd.DataFrame(values, index=df.index, columns=df.columns)


class PipeOpPCA(PipeOpTaskPreproc):
    """Replace numeric features by their principal components ``PC1, PC2, ...``.

    The rotation is computed from the training data by a singular value decomposition (after
    centering and, with ``scale=True``, scaling to unit standard deviation); predict applies the
    same centering, scaling and rotation. Each component's sign is fixed so that its largest
    loading is positive. Other feature types pass through.

    Parameters (``param_set``)
    --------------------------
    center : bool, default True
    scale : bool, default False
    rank : int or None, default None
        Keep only the first ``rank`` components (None: all).
    affect_columns : selector

    State: ``center``, ``scale`` (Series or None), ``rotation`` (DataFrame: features x components),
    ``sdev`` (standard deviation of each component).

    Examples
    --------
    >>> from jupytorch import po, tsk
    >>> op = po("pca", rank=3)
    >>> op.train([tsk("mtcars")])[0].feature_names
    ['PC1', 'PC2', 'PC3']
    >>> op.state["rotation"].shape
    (10, 3)
    """

    feature_types = NUMERIC

    def __init__(self, id: str = "pca", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet(
            {
                "center": ParamLgl(default=True, tags=("train",)),
                "scale": ParamLgl(default=False, tags=("train",)),
                "rank": ParamInt(1, None, default=None, tags=("train",), special_vals=(None,)),
            }
        )
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _train_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        pv = self.param_values()
        x = self._matrix(df, task)
        center = x.mean(axis=0) if pv["center"] else None
        if center is not None:
            x = x - center
        scale = None
        if pv["scale"]:
            scale = x.std(axis=0, ddof=1) if len(x) > 1 else np.ones(x.shape[1])
            scale = np.where(scale > 0, scale, 1.0)
            x = x / scale
        _, sing, vt = np.linalg.svd(x, full_matrices=False)
        rotation = vt.T
        signs = np.sign(rotation[np.abs(rotation).argmax(axis=0), np.arange(rotation.shape[1])])
        rotation = rotation * np.where(signs == 0, 1.0, signs)
        rank = pv["rank"]
        if rank is not None:
            rotation, sing = rotation[:, :rank], sing[:rank]
        names = [f"PC{i + 1}" for i in range(rotation.shape[1])]
        self.state["center"] = None if center is None else pd.Series(center, index=df.columns)
        self.state["scale"] = None if scale is None else pd.Series(scale, index=df.columns)
        self.state["rotation"] = pd.DataFrame(rotation, index=df.columns, columns=names)
        self.state["sdev"] = pd.Series(sing / np.sqrt(max(len(x) - 1, 1)), index=names)
        return self._predict_dt(df, task)

    def _predict_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        x = self._matrix(df, task)
        if self.state["center"] is not None:
            x = x - self.state["center"].to_numpy()
        if self.state["scale"] is not None:
            x = x / self.state["scale"].to_numpy()
        rotation = self.state["rotation"]
        return pd.DataFrame(x @ rotation.to_numpy(), index=df.index, columns=rotation.columns)

    def _matrix(self, df: pd.DataFrame, task: Task) -> np.ndarray:
        x = df.to_numpy(dtype=float, na_value=np.nan)
        if np.isnan(x).any():
            cols = df.columns[np.isnan(x).any(axis=0)].tolist()
            raise TaskError(
                f"PipeOp {self.id!r}: features {cols} of task {task.id!r} have missing values; PCA needs complete data. "
                "Impute first, e.g. po('imputemedian') >> po('pca')."
            )
        return x
