"""Tiny seeded tasks for the tests that train (nn, tuning): four or three normal features.

The module lives on ``sys.path`` (``tests/conftest.py`` puts this folder there), so tests import
it by name: ``from toy_tasks import make_classif, make_regr``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import jupytorch as jt


def make_classif(n: int = 120, n_classes: int = 3, seed: int = 0, id: str = "toy_classif"):
    """Features ``a``-``d``; the class ``c<k>`` with the largest of ``n_classes`` random linear scores."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    scores = x @ rng.normal(size=(4, n_classes))
    labels = np.array([f"c{k}" for k in range(n_classes)])[scores.argmax(axis=1)]
    frame = pd.DataFrame(x, columns=["a", "b", "c", "d"])
    frame["y"] = labels
    return jt.as_task_classif(frame, target="y", id=id)


def make_regr(n: int = 120, seed: int = 0, id: str = "toy_regr"):
    """Features ``a``-``c``; ``y = a - 2 b + 0.5 c`` plus a little noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    frame = pd.DataFrame(x, columns=["a", "b", "c"])
    frame["y"] = x @ np.array([1.0, -2.0, 0.5]) + rng.normal(size=n) * 0.1
    return jt.as_task_regr(frame, target="y", id=id)
