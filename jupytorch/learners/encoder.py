"""Turn a task's mixed-type features into the float matrix that scikit-learn estimators take.

One encoder serves every scikit-learn backed learner, so all of them treat feature types the
same way:

========== ===============================================================================
type       encoded as
========== ===============================================================================
numeric    float, missing values stay ``NaN``
integer    float (nullable ``Int64`` columns too), missing values become ``NaN``
logical    ``1.0`` / ``0.0``, missing values become ``NaN``
factor     one column per level seen at fit time (``"col.level"``): one-hot, or
           ``"treatment"`` (the first level dropped, as R's model.matrix does for linear
           models). A level not seen at fit time gives a row of zeros, a missing value
           ``NaN`` in every column.
ordered    the position of the level among the fit-time levels (``0, 1, ...``); unknown or
           missing levels become ``NaN``
character  treated like a factor whose levels are the distinct values seen at fit time
========== ===============================================================================

Levels are frozen at fit time, so a level that appears only at predict time never crashes. Level
order, codes, unseen levels and missing values follow :mod:`jupytorch.core.levels`, as ``po("encode")``
and ``ingress_categ`` do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import InvalidParameterError, TaskError
from jupytorch.core.frame_cache import rows_block
from jupytorch.core.levels import UNKNOWN, contrast_matrix, encode_levels, factor_levels, level_codes

__all__ = ["FeatureEncoder", "ENCODABLE_TYPES"]

ENCODABLE_TYPES = ("numeric", "integer", "logical", "factor", "ordered", "character")
_NUMERIC = ("numeric", "integer")
_FACTORS = ("factor", "ordered", "character")
_METHODS = ("one-hot", "treatment")


class FeatureEncoder:
    """Encode a DataFrame of features into a float matrix, with levels frozen at ``fit``.

    Parameters
    ----------
    method : {"one-hot", "treatment"}
        How factor (and character) columns become numbers: one indicator column per level, or
        one per level except the first (the reference level is all zeros).

    Attributes
    ----------
    feature_names_out_ : list of str
        Names of the encoded columns (``"island.Dream"`` for a factor level).
    source_ : list of str
        For each encoded column, the feature it came from (to sum importances per feature).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1.0, 2.0], "f": pd.Categorical(["a", "b"])})
    >>> enc = FeatureEncoder().fit(df, {"x": "numeric", "f": "factor"})
    >>> enc.feature_names_out_
    ['x', 'f.a', 'f.b']
    >>> enc.transform(pd.DataFrame({"x": [3.0], "f": ["c"]})).tolist()
    [[3.0, 0.0, 0.0]]
    """

    def __init__(self, method: str = "one-hot"):
        if method not in _METHODS:
            raise InvalidParameterError(f"FeatureEncoder: method must be one of {list(_METHODS)}. Got {method!r} instead.")
        self.method = method

    # -- fit -----------------------------------------------------------------------------------
    def fit(self, frame: pd.DataFrame, types: Mapping[str, str] | pd.Series) -> FeatureEncoder:
        """Learn the columns, their types and the levels of factor-like columns.

        Parameters
        ----------
        frame : pandas.DataFrame
            The training features.
        types : mapping or Series
            Feature type of each column (``task.feature_types``).
        """
        return self._fit_columns(list(frame.columns), dict(types), frame)

    def _fit_columns(self, columns: list[str], types: Mapping[str, str], frame: pd.DataFrame | None) -> FeatureEncoder:
        """:meth:`fit` given the columns and their types; ``frame`` needs only the factor-like columns."""
        self.columns_: list[str] = columns
        self.types_: dict[str, str] = {}
        self.levels_: dict[str, list[Any]] = {}
        names: list[str] = []
        source: list[str] = []
        for col in self.columns_:
            ftype = types.get(col)
            if ftype not in ENCODABLE_TYPES:
                raise TaskError(
                    f"Feature {col!r} has type {ftype!r}, which cannot be encoded for scikit-learn; "
                    f"supported types are {list(ENCODABLE_TYPES)}."
                )
            self.types_[col] = ftype
            if ftype in _FACTORS:
                assert frame is not None
                levels = factor_levels(frame[col])
                self.levels_[col] = levels
                if ftype == "ordered":
                    names.append(col)
                    source.append(col)
                    continue
                kept = levels[1:] if self.method == "treatment" else levels
                names.extend(f"{col}.{level}" for level in kept)
                source.extend(col for _ in kept)
            else:
                names.append(col)
                source.append(col)
        self.feature_names_out_ = names
        self.source_ = source
        return self

    # -- transform -----------------------------------------------------------------------------
    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Encode ``frame`` (which holds the fit-time columns) as a float64 matrix."""
        if not hasattr(self, "columns_"):
            raise TaskError("FeatureEncoder.transform() was called before fit().")
        missing = [c for c in self.columns_ if c not in frame.columns]
        if missing:
            raise TaskError(f"The data lacks the feature column(s) {missing} that the encoder was fit on.")
        if self.columns_ and all(self.types_[c] in _NUMERIC for c in self.columns_):
            numbers = frame[self.columns_]
            if all(pd.api.types.is_numeric_dtype(dtype) for dtype in numbers.dtypes):  # one copy, not one per column
                return np.ascontiguousarray(numbers.to_numpy(dtype=np.float64, na_value=np.nan))
        blocks = [self._encode(col, frame[col]) for col in self.columns_]
        if not blocks:
            return np.empty((len(frame), 0), dtype=np.float64)
        return np.ascontiguousarray(np.column_stack(blocks), dtype=np.float64)

    # -- tasks ---------------------------------------------------------------------------------
    def fit_task(self, task: Any, columns: Sequence[str] | None = None) -> FeatureEncoder:
        """Fit on the active rows of ``task`` (its features, or ``columns``); only factor-like columns are read.

        Examples
        --------
        >>> import jupytorch as jt
        >>> FeatureEncoder().fit_task(jt.tsk("mtcars")).feature_names_out_[:3]
        ['cyl', 'disp', 'hp']
        """
        columns = list(task.feature_names if columns is None else columns)
        types = {c: task._col_types[c] for c in columns}
        factors = [c for c in columns if types[c] in _FACTORS]
        return self._fit_columns(columns, types, task.data(cols=factors) if factors else None)

    def transform_task(self, task: Any) -> np.ndarray:
        """Encode the active rows of ``task``.

        A purely numeric encoding does not depend on what was learnt, so it is converted once for
        all rows of the task's data frame and each view (a resampling fold, one row to predict)
        takes its rows by position (:mod:`jupytorch.core.frame_cache`); the result is then
        read-only.

        Examples
        --------
        >>> import jupytorch as jt
        >>> task = jt.tsk("mtcars")
        >>> FeatureEncoder().fit_task(task).transform_task(task.filter([0, 1])).shape
        (2, 10)
        """
        if not hasattr(self, "columns_"):
            raise TaskError("FeatureEncoder.transform_task() was called before fit().")
        columns = self.columns_
        if columns and all(self.types_[c] in _NUMERIC for c in columns):
            return rows_block(task, ("float64", tuple(columns)), lambda whole: self.transform(whole.data(cols=columns)),
                              row_bytes=8 * len(columns))
        return self.transform(task.data(cols=columns))

    def fit_transform(self, frame: pd.DataFrame, types: Mapping[str, str] | pd.Series) -> np.ndarray:
        """Fit on ``frame`` and return its encoding."""
        return self.fit(frame, types).transform(frame)

    def _encode(self, col: str, series: pd.Series) -> np.ndarray:
        ftype = self.types_[col]
        if ftype in ("numeric", "integer"):
            return _as_float(series, col)
        if ftype == "logical":
            return _logical(series, col)
        levels = self.levels_[col]
        if ftype == "ordered":
            codes = level_codes(series, levels)
            out = codes.astype(np.float64)
            out[codes == UNKNOWN] = np.nan
            return out
        return encode_levels(series, levels, contrast_matrix(len(levels), self.method)[0])

    def sum_by_feature(self, values: Sequence[float]) -> pd.Series:
        """Add up per-encoded-column values (importances) to one value per original feature."""
        values = np.asarray(values, dtype=float)
        if values.shape != (len(self.source_),):
            raise InvalidParameterError(f"Expected {len(self.source_)} values, one per encoded column; got shape {values.shape}.")
        out = pd.Series(values, index=self.source_).groupby(level=0, sort=False).sum()
        return out.reindex(self.columns_, fill_value=0.0)

    def __repr__(self) -> str:
        fitted = f", {len(self.columns_)} features -> {len(self.feature_names_out_)} columns" if hasattr(self, "columns_") else ""
        return f"FeatureEncoder(method={self.method!r}{fitted})"


def _as_float(series: pd.Series, col: str) -> np.ndarray:
    try:
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as error:
        raise TaskError(
            f"Feature {col!r} was numeric when the learner was trained but now holds values like "
            f"{series.dropna().head(3).tolist()} (dtype {series.dtype}); convert it to numbers."
        ) from error


def _logical(series: pd.Series, col: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series.dtype) and not series.hasnans:
        return series.to_numpy(dtype=np.float64)
    mapped = series.astype(object).map({True: 1.0, False: 0.0})  # 1 and 0 match True and False
    unknown = series.notna() & mapped.isna()
    if unknown.any():
        raise TaskError(
            f"Feature {col!r} is logical but holds values like {series[unknown].head(3).tolist()}; "
            "use True/False (or 1/0)."
        )
    return mapped.to_numpy(dtype=np.float64, na_value=np.nan)
