"""Tiny hand-made tasks for the pipelines tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupytorch.core.task import TaskClassif, TaskRegr


@pytest.fixture
def regr_task() -> TaskRegr:
    """8 rows: two numeric features, an integer, a factor; no missing values."""
    frame = pd.DataFrame(
        {
            "x1": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
            "x2": [2.0, 1.0, 4.0, 3.0, 6.0, 5.0, 8.0, 7.0],
            "n": np.array([1, 1, 2, 2, 3, 3, 4, 4], dtype=np.int64),
            "f": pd.Categorical(["a", "b", "c", "a", "b", "c", "a", "b"]),
            "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        }
    )
    return TaskRegr("toy_regr", frame, target="y")


@pytest.fixture
def missing_task() -> TaskRegr:
    """6 rows with missing values in a numeric, an integer-valued (float) and a factor column."""
    frame = pd.DataFrame(
        {
            "x": [1.0, np.nan, 3.0, 4.0, np.nan, 6.0],
            "k": pd.array([1, 2, None, 2, 2, 5], dtype="Int64"),
            "f": pd.Categorical(["a", None, "b", "b", "a", None]),
            "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    return TaskRegr("toy_missing", frame, target="y")


@pytest.fixture
def classif_task() -> TaskClassif:
    """10 rows, imbalanced classes (7 'a', 3 'b'), two numeric features."""
    frame = pd.DataFrame(
        {
            "x1": np.arange(10, dtype=float),
            "x2": np.arange(10, dtype=float) ** 2,
            "y": ["a"] * 7 + ["b"] * 3,
        }
    )
    return TaskClassif("toy_classif", frame, target="y")
