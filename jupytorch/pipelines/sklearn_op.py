"""``po("sklearn", transformer=...)``: any scikit-learn transformer as a preprocessing PipeOp."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.signature import params_from_values
from jupytorch.core.task import Task
from jupytorch.pipelines.preproc import PipeOpTaskPreproc

__all__ = ["PipeOpSklearn"]


class PipeOpSklearn(PipeOpTaskPreproc):
    """Fit a scikit-learn transformer on the affected features in train; transform with it in predict.

    The transformer's own parameters (``get_params(deep=False)``) become parameters of the PipeOp,
    so ``po("sklearn", transformer=PCA(), id="skpca")`` has ``skpca__n_components`` in a Graph.
    New columns are named by ``get_feature_names_out()`` when the transformer has it (otherwise
    ``<id>.<i>``); when they equal the input names the columns keep their places.

    Parameters
    ----------
    transformer : scikit-learn transformer
        An unfitted estimator with ``fit`` and ``transform`` (it is cloned, never changed).
    id : str, default "sklearn"
    param_vals : mapping, optional

    State: ``transformer`` (the fitted copy) and ``columns`` (the output names).

    Examples
    --------
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> from jupytorch import po, tsk
    >>> op = po("sklearn", transformer=MinMaxScaler())
    >>> float(op.train([tsk("mtcars")])[0].data()["hp"].max())
    1.0
    """

    def __init__(self, transformer: Any, id: str = "sklearn", param_vals: Mapping[str, Any] | None = None):
        if not (hasattr(transformer, "fit") and (hasattr(transformer, "transform") or hasattr(transformer, "fit_transform"))):
            raise InvalidParameterError(
                f"po('sklearn'): transformer must be a scikit-learn transformer (fit/transform), got {type(transformer).__name__}."
            )
        self.transformer = transformer
        params = transformer.get_params(deep=False) if hasattr(transformer, "get_params") else {}
        ps = params_from_values(params, typed=False, exclude=("affect_columns",))  # scikit-learn checks them at fit
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _train_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        from sklearn.base import clone

        estimator = clone(self.transformer)
        settings = {k: clone(v, safe=False) for k, v in self.param_values().items() if k != "affect_columns"}
        if settings:
            estimator.set_params(**settings)
        values = estimator.fit_transform(df) if hasattr(estimator, "fit_transform") else estimator.fit(df).transform(df)
        columns = self._names(estimator, df, values)
        self.state["transformer"] = estimator
        self.state["columns"] = columns
        return self._frame(values, df, columns)

    def _predict_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        values = self.state["transformer"].transform(df)
        return self._frame(values, df, self.state["columns"])

    def _names(self, estimator: Any, df: pd.DataFrame, values: Any) -> list[str]:
        if isinstance(values, pd.DataFrame):
            return [str(c) for c in values.columns]
        n = values.shape[1] if getattr(values, "ndim", 1) == 2 else 1
        if hasattr(estimator, "get_feature_names_out"):
            try:
                names = [str(c) for c in estimator.get_feature_names_out()]
                if len(names) == n:
                    return names
            except Exception:  # noqa: BLE001 - some transformers cannot name their outputs
                pass
        return [f"{self.id}.{i}" for i in range(n)]

    @staticmethod
    def _frame(values: Any, df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        if isinstance(values, pd.DataFrame):
            return values.set_axis(df.index, axis=0).set_axis(columns, axis=1)
        if hasattr(values, "toarray"):
            values = values.toarray()
        values = np.asarray(values)
        if values.ndim == 1:
            values = values.reshape(-1, 1)
        return pd.DataFrame(values, index=df.index, columns=columns)
