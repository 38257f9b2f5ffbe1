"""Tiny tasks and learners for the tuning tests (every test tunes in seconds)."""

from __future__ import annotations

import numpy as np
import optuna
import pytest
from toy_tasks import make_regr

import jupytorch as jt
from jupytorch.core.learner import Learner
from jupytorch.core.param import ParamDbl, ParamLgl
from jupytorch.core.paramset import ParamSet

optuna.logging.set_verbosity(optuna.logging.WARNING)


class LearnerRegrShift(Learner):
    """Predicts mean + shift; ``fail=True`` raises in train, ``interrupt=True`` raises KeyboardInterrupt."""

    def __init__(self):
        ps = ParamSet({
            "shift": ParamDbl(-10, 10, default=0.0, tags={"train"}),
            "fail": ParamLgl(default=False, tags={"train"}),
            "interrupt": ParamLgl(default=False, tags={"train"}),
        })
        super().__init__("regr.shift", "regr", param_set=ps)

    def _train(self, task, param_values):
        if param_values.get("fail"):
            raise ValueError("this configuration always fails")
        if param_values.get("interrupt"):
            raise KeyboardInterrupt
        return float(np.mean(task.truth())) + param_values.get("shift", 0.0)

    def _predict(self, task, param_values):
        return {"response": np.full(task.nrow, self.model)}


@pytest.fixture
def task():
    return make_regr(n=80)


@pytest.fixture
def shift():
    return LearnerRegrShift()


def mlp(**values):
    """A small regression MLP that validates on the test set and stops early."""
    values = {"batch_size": 16, "neurons": (8,), "measures_valid": jt.msr("regr.mse"), **values}
    learner = jt.lrn("regr.mlp", **values)
    jt.set_validate(learner, "test")
    return learner
