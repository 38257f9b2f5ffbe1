"""Fixtures of the core tests: tiny tasks and deterministic learners (see core_toys.py)."""

from __future__ import annotations

import pytest
from core.core_toys import MajorityClassif, MeanRegr, NearestMeanClassif, classif_task, regr_task


class Recorder:
    """A progress listener that keeps every event."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def on_event(self, event: dict) -> None:
        self.events.append(event)

    def of(self, level: str) -> list[dict]:
        return [e for e in self.events if e["level"] == level]


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
