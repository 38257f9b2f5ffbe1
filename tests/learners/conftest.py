"""Shared tasks for the learner tests: small, fast, and covering every feature type."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupytorch import as_task_classif, as_task_regr, tsk


@pytest.fixture(scope="session")
def california_small():
    """600 rows of california_housing, 20 of them with a missing total_bedrooms, all 5 ocean_proximity levels."""
    task = tsk("california_housing")
    data = task.data()
    missing = data.index[data["total_bedrooms"].isna()][:20]
    island = data.index[data["ocean_proximity"] == "ISLAND"]
    rest = data.index[::37][: 600 - len(missing) - len(island)]
    return task.filter(np.unique(np.concatenate([missing, island, rest])))


def mixed_frame(n: int = 120, seed: int = 1) -> pd.DataFrame:
    """Numeric, integer, logical, factor and ordered features whose signal a learner can find."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    colour = pd.Categorical(rng.choice(["red", "green", "blue"], size=n), categories=["red", "green", "blue"])
    size = pd.Categorical(rng.choice(["S", "M", "L"], size=n), categories=["S", "M", "L"], ordered=True)
    flag = rng.random(n) < 0.5
    count = rng.integers(0, 10, size=n)
    signal = 2 * x + (np.asarray(colour) == "red") * 2 + size.codes + flag + 0.1 * count
    return pd.DataFrame({"x": x, "count": count, "flag": flag, "colour": colour, "size": size, "signal": signal})


@pytest.fixture(scope="session")
def mixed_regr():
    frame = mixed_frame()
    return as_task_regr(frame.rename(columns={"signal": "y"}), target="y", id="mixed_regr")


@pytest.fixture(scope="session")
def mixed_classif():
    frame = mixed_frame()
    label = np.where(frame["signal"] > frame["signal"].median(), "high", "low")
    frame = frame.drop(columns="signal").assign(y=pd.Categorical(label, categories=["low", "high"]))
    return as_task_classif(frame, target="y", id="mixed_classif")
