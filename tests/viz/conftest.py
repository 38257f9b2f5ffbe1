"""Small real objects for the figure tests: predictions, resample and benchmark results, histories.

Results are built once per session (a few milliseconds of tree fitting each) and never changed.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

import jupytorch as jt
from jupytorch.core.learner import Learner
from jupytorch.core.prediction import PredictionClassif, PredictionRegr
from jupytorch.core.task import Task


class LearnerRegrHistory(Learner):
    """A stand-in for a torch learner: predicts the mean and keeps a history like the history callback.

    Its model is an object with ``callbacks["history"]``, as ``learner.model`` of a torch learner.
    """

    def __init__(self, id: str = "regr.history_stub", epochs: int = 4):
        super().__init__(id, "regr")
        self.epochs = epochs

    def _train(self, task: Task, param_values: dict[str, Any]) -> Any:
        epochs = np.arange(1, self.epochs + 1)
        history = pd.DataFrame(
            {
                "epoch": epochs,
                "train.regr.mse": 10.0 / epochs,
                "valid.regr.mse": 12.0 / epochs + 0.5,
                "valid.regr.mae": 3.0 / epochs,
            }
        )
        return SimpleNamespace(mean=float(task.truth().mean()), callbacks={"history": history})

    def _predict(self, task: Task, param_values: dict[str, Any]) -> dict[str, Any]:
        return {"response": np.full(task.nrow, self.state["model"].mean)}


@pytest.fixture(scope="session")
def history_learner() -> type[LearnerRegrHistory]:
    """The stand-in torch learner class (a fixture: test modules cannot import conftest)."""
    return LearnerRegrHistory


@pytest.fixture(scope="session")
def binary_prediction() -> PredictionClassif:
    rng = np.random.default_rng(3)
    n = 60
    truth = np.where(rng.random(n) < 0.4, "yes", "no")
    score = np.clip(0.35 * (truth == "yes") + rng.random(n) * 0.65, 0, 1)
    prob = np.column_stack([score, 1 - score])
    return PredictionClassif(np.arange(n), truth, ["yes", "no"], prob=prob)


@pytest.fixture(scope="session")
def multiclass_prediction() -> PredictionClassif:
    rng = np.random.default_rng(7)
    n = 45
    truth = rng.choice(["setosa", "versicolor", "virginica"], size=n)
    prob = rng.dirichlet([1.0, 1.0, 1.0], size=n)
    prob[np.arange(n), pd.Categorical(truth, ["setosa", "versicolor", "virginica"]).codes] += 0.6
    prob /= prob.sum(axis=1, keepdims=True)
    return PredictionClassif(np.arange(n), truth, ["setosa", "versicolor", "virginica"], prob=prob)


@pytest.fixture(scope="session")
def regr_prediction() -> PredictionRegr:
    return PredictionRegr([10, 11, 12, 13], truth=[1.0, 2.0, 3.0, 5.0], response=[1.5, 2.0, 2.0, 6.0])


@pytest.fixture(scope="session")
def binary_tasks() -> list[Any]:
    iris = jt.tsk("iris").data()
    two = iris[iris["Species"] != "setosa"].copy()
    two["Species"] = two["Species"].astype(str)
    small = jt.as_task_classif(two, target="Species", id="iris2")
    cancer = jt.tsk("breast_cancer")
    return [cancer.filter(cancer.row_ids[:200]), small]


@pytest.fixture(scope="session")
def bmr_regr() -> Any:
    design = jt.benchmark_grid(jt.tsk("mtcars"), [jt.lrn("regr.featureless"), jt.lrn("regr.rpart")], jt.rsmp("cv", folds=3))
    return jt.benchmark(design, seed=1)


@pytest.fixture(scope="session")
def bmr_classif(binary_tasks: list[Any]) -> Any:
    learners = [jt.lrn("classif.featureless", predict_type="prob"), jt.lrn("classif.rpart", predict_type="prob")]
    return jt.benchmark(jt.benchmark_grid(binary_tasks, learners, jt.rsmp("cv", folds=3)), seed=2)


@pytest.fixture(scope="session")
def rr_classif() -> Any:
    return jt.resample(jt.tsk("iris"), jt.lrn("classif.rpart", predict_type="prob"), jt.rsmp("cv", folds=3), seed=4)


@pytest.fixture(scope="session")
def rr_regr(bmr_regr: Any) -> Any:
    return bmr_regr.resample_results[1]


@pytest.fixture
def history() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "epoch": [1, 2, 3],
            "train.classif.logloss": [0.9, 0.6, 0.4],
            "valid.classif.logloss": [1.0, 0.7, np.nan],
            "train.classif.acc": [0.5, 0.7, 0.8],
        }
    )
