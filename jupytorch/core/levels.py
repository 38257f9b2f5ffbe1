"""Factor levels, coded once: which levels a column has, each value's code, and the coding matrices.

Every component that turns factors into numbers (the learners' ``FeatureEncoder``,
``po("encode")``, ``po("fixfactors")``, the networks' ``ingress_categ``) follows one rule:

* **Level order.** A categorical column keeps its categories in their order (the order a user
  gave, or the order of an ordered factor); any other column's levels are its distinct
  non-missing values, sorted (values of mixed types are sorted by their text).
* **Codes.** A value's code is its position among the levels learned in training. A level not
  seen in training and a missing value both get the code ``-1`` (:data:`UNKNOWN`); values that
  differ from a level only in type (``1`` and ``"1"``) match by their text.
* **Coding matrices.** In a one-hot or contrast coding (:func:`encode_levels`) an unseen level is
  a row of zeros (none of the known levels) and a missing value stays missing: ``NaN`` in every
  column. Embedding codes (``ingress_categ``) give both the reserved index ``len(levels)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["UNKNOWN", "CONTRASTS", "contrast_matrix", "encode_levels", "factor_levels", "level_codes"]

UNKNOWN = -1
"""The code of a missing value or of a level not seen in training."""

CONTRASTS = ("one-hot", "treatment", "helmert", "poly", "sum")
"""The codings :func:`contrast_matrix` knows."""


def factor_levels(series: pd.Series) -> list[Any]:
    """Return the levels of ``series``: its categories if categorical, else its sorted distinct values.

    Examples
    --------
    >>> factor_levels(pd.Series(pd.Categorical(["b", "a"], categories=["b", "a", "c"])))
    ['b', 'a', 'c']
    >>> factor_levels(pd.Series(["pear", None, "apple", "pear"]))
    ['apple', 'pear']
    >>> factor_levels(pd.Series([10, 9, "x"], dtype=object))
    [10, 9, 'x']
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    values = series.dropna().unique().tolist()
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


def level_codes(series: pd.Series, levels: Sequence[Any]) -> np.ndarray:
    """Return the position of each value among ``levels`` as int64; :data:`UNKNOWN` for unseen or missing values.

    Examples
    --------
    >>> level_codes(pd.Series(["b", None, "z", "a"]), ["a", "b"]).tolist()
    [1, -1, -1, 0]
    >>> level_codes(pd.Series(["1", "2"]), [1, 2]).tolist()
    [0, 1]
    """
    levels = list(levels)
    if isinstance(series.dtype, pd.CategoricalDtype):
        if list(series.cat.categories) == levels:
            return np.array(series.cat.codes, dtype=np.int64)  # a copy: callers may overwrite codes
        series = series.astype(object)
    values = np.asarray(series, dtype=object)
    codes = np.asarray(pd.Index(levels, dtype=object).get_indexer(values), dtype=np.int64)
    missing = pd.isna(values)
    if ((codes < 0) & ~missing).any() and not all(isinstance(level, str) for level in levels):
        # levels of another type than the new values (e.g. 1 vs "1"): compare as text
        as_text = pd.Index([str(level) for level in levels], dtype=object)
        text = np.array([None if m else str(v) for v, m in zip(values, missing, strict=True)], dtype=object)
        codes = np.where(codes < 0, as_text.get_indexer(text), codes)
    codes[missing] = UNKNOWN
    return codes


def contrast_matrix(n: int, method: str) -> tuple[np.ndarray, list[str] | None]:
    """Return the ``n x k`` coding matrix of ``method`` and its column suffixes (None: use the levels).

    Examples
    --------
    >>> contrast_matrix(3, "treatment")[0]
    array([[0., 0.],
           [1., 0.],
           [0., 1.]])
    >>> contrast_matrix(3, "helmert")[0]
    array([[-1., -1.],
           [ 1., -1.],
           [ 0.,  2.]])
    """
    if method == "one-hot":
        return np.eye(n), None
    if method == "treatment":
        return np.eye(n)[:, 1:], None
    if method == "sum":
        m = np.vstack([np.eye(n - 1), -np.ones((1, n - 1))]) if n > 1 else np.zeros((1, 0))
        return m, [str(j + 1) for j in range(n - 1)]
    if method == "helmert":
        m = np.zeros((n, max(n - 1, 0)))
        for j in range(1, n):
            m[:j, j - 1] = -1.0
            m[j, j - 1] = float(j)
        return m, [str(j) for j in range(1, n)]
    if method == "poly":
        if n < 2:
            return np.zeros((n, 0)), []
        x = np.arange(1, n + 1, dtype=float)
        vander = np.vander(x - x.mean(), n, increasing=True)
        q, r = np.linalg.qr(vander)
        raw = q * np.diag(r)
        raw = raw / np.sqrt((raw**2).sum(axis=0))
        names = [".L", ".Q", ".C"] + [f"^{d}" for d in range(4, n)]
        return raw[:, 1:], names[: n - 1]
    raise ValueError(f"Unknown encoding method {method!r}; valid methods are {list(CONTRASTS)}.")


def encode_levels(series: pd.Series, levels: Sequence[Any], matrix: np.ndarray) -> np.ndarray:
    """Code ``series`` with the rows of ``matrix`` (one per level): unseen levels give zeros, missing values ``NaN``.

    Examples
    --------
    >>> encode_levels(pd.Series(["b", "z", None]), ["a", "b"], contrast_matrix(2, "one-hot")[0]).tolist()
    [[0.0, 1.0], [0.0, 0.0], [nan, nan]]
    """
    codes = level_codes(series, levels)
    out = np.zeros((len(codes), matrix.shape[1]), dtype=np.float64)
    known = codes >= 0
    out[known] = matrix[codes[known]]
    out[pd.isna(np.asarray(series, dtype=object))] = np.nan
    return out
