"""Small tasks and helpers for the nn tests (tiny data: the whole nn suite runs in seconds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import jupytorch as jt


def make_classif(n: int = 120, n_classes: int = 3, seed: int = 0, id: str = "toy_classif"):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    scores = x @ rng.normal(size=(4, n_classes))
    labels = np.array([f"c{k}" for k in range(n_classes)])[scores.argmax(axis=1)]
    frame = pd.DataFrame(x, columns=["a", "b", "c", "d"])
    frame["y"] = labels
    return jt.as_task_classif(frame, target="y", id=id)


def make_regr(n: int = 120, seed: int = 0, id: str = "toy_regr"):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    frame = pd.DataFrame(x, columns=["a", "b", "c"])
    frame["y"] = x @ np.array([1.0, -2.0, 0.5]) + rng.normal(size=n) * 0.1
    return jt.as_task_regr(frame, target="y", id=id)


@pytest.fixture
def task_multi():
    return make_classif()


@pytest.fixture
def task_binary():
    return make_classif(n_classes=2, id="toy_binary")


@pytest.fixture
def task_regr():
    return make_regr()


def mlp(task_type: str = "classif", **values):
    """A small, fast, seeded MLP learner."""
    defaults = {"neurons": (8,), "epochs": 2, "batch_size": 32, "device": "cpu", "seed": 1}
    defaults.update(values)
    callbacks = defaults.pop("callbacks", ())
    loss = defaults.pop("loss", None)
    optimizer = defaults.pop("optimizer", None)
    return jt.lrn(f"{task_type}.mlp", callbacks=callbacks, loss=loss, optimizer=optimizer, **defaults)
