"""Fixtures of the core tests: tiny tasks and deterministic learners (see core_toys.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# core_toys must be importable by name, also in joblib's worker processes (which start with this
# sys.path), so that its learners unpickle there; pytest's importlib mode does not add test folders.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from core_toys import MajorityClassif, MeanRegr, NearestMeanClassif, classif_task, regr_task  # noqa: E402
from progress_events import Recorder  # noqa: E402


@pytest.fixture
def task_regr():
    return regr_task()


@pytest.fixture
def task_classif():
    return classif_task()


@pytest.fixture
def mean_regr():
    return MeanRegr()


@pytest.fixture
def majority():
    return MajorityClassif()


@pytest.fixture
def nearest_mean():
    return NearestMeanClassif()


@pytest.fixture
def recorder():
    return Recorder()
