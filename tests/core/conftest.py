"""Fixtures of the core tests: tiny tasks and deterministic learners (see core_toys.py), a parameter set
and a small benchmark result."""

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

import jupytorch as jt  # noqa: E402
from jupytorch.core.param import ParamDbl, ParamFct, ParamInt, ParamLgl, ParamUty  # noqa: E402
from jupytorch.core.paramset import ParamSet  # noqa: E402


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


@pytest.fixture
def ps():
    """A parameter set with one parameter of each type, owned by a learner 'toy'."""
    return ParamSet(
        {
            "k": ParamInt(1, 50, default=7),
            "cp": ParamDbl(0, 1, default=0.01),
            "method": ParamFct(["one-hot", "treatment"]),
            "bias": ParamLgl(default=True),
            "neurons": ParamUty(custom_check=lambda v: isinstance(v, tuple) or "a tuple of ints"),
            "depth": ParamInt(1, None, default=None),
        },
        owner="Learner 'toy'",
    )


@pytest.fixture
def two_learners():
    return [MeanRegr(), MeanRegr("regr.mean_shifted").configure(shift=1.0)]


@pytest.fixture
def bmr(two_learners):
    """Both learners on two regression tasks with 3-fold cv, seeded."""
    design = jt.benchmark_grid([regr_task(), regr_task(20, id="t2")], two_learners, jt.rsmp("cv", folds=3))
    return jt.benchmark(design, seed=1)
