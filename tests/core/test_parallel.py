"""jt.parallel: resample and benchmark on a Dask cluster of worker processes, as on this machine."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

import jupytorch as jt
from jupytorch import lrn, msr, rsmp, tsk
from jupytorch.core.exceptions import InvalidParameterError


@pytest.fixture(scope="module")
def client():
    with jt.parallel("dask", n_workers=2) as dask_client:
        yield dask_client


def _benchmark(**kwargs):
    learners = [lrn("regr.featureless"), lrn("regr.rpart"), lrn("regr.ranger", num_trees=20)]
    design = jt.benchmark_grid(tsk("mtcars"), learners, rsmp("cv", folds=3))
    return jt.benchmark(design, seed=5, **kwargs).aggregate(msr("regr.rmse"))


def test_dask_cluster_gives_the_sequential_results(client):
    assert len(client.scheduler_info()["workers"]) == 2
    sequential = _benchmark(n_jobs=1)
    with jt.parallel("dask", address=client):
        on_cluster = _benchmark()
    pd.testing.assert_frame_equal(on_cluster, sequential)


def test_resample_on_dask_reports_each_iteration(client, recorder):
    from jupytorch.core import progress

    with jt.parallel("dask", address=client), progress.listen(recorder):
        rr = jt.resample(tsk("mtcars"), lrn("regr.rpart"), rsmp("cv", folds=4), seed=2)
    expected = jt.resample(tsk("mtcars"), lrn("regr.rpart"), rsmp("cv", folds=4), seed=2)
    assert rr.score(msr("regr.mse"))["regr.mse"].tolist() == expected.score(msr("regr.mse"))["regr.mse"].tolist()
    done = [e["completed"] for e in recorder.events if e["level"] == "resample" and e["stage"] == "advance"]
    assert sorted(done) == [1, 2, 3, 4]


def test_a_large_task_is_shipped_once(client, monkeypatch):
    from jupytorch.core.task import Task

    pickled = []
    original = Task.__reduce_ex__

    def counting(self, protocol):
        pickled.append(self.id)
        return original(self, protocol)

    monkeypatch.setattr(Task, "__reduce_ex__", counting)
    with jt.parallel("dask", address=client):
        jt.resample(tsk("california_housing"), lrn("regr.featureless"), rsmp("cv", folds=5), seed=1)
    assert pickled.count("california_housing") == 1


def test_a_learners_own_joblib_calls_stay_in_its_worker(client):
    # joblib's Dask backend would send a forest's tree-building calls to the cluster as tasks of their own
    from dask.distributed import get_task_stream

    with jt.parallel("dask", address=client), get_task_stream(client) as stream:
        jt.resample(tsk("mtcars"), lrn("regr.ranger", num_trees=20, num_threads=2), rsmp("cv", folds=2), seed=1)
    names = {str(record["key"]) for record in stream.data}
    assert names and all("run_iteration" in name for name in names), sorted(names)[:3]


def test_unknown_backend_and_misplaced_options():
    with pytest.raises(InvalidParameterError, match=r"unknown backend 'dsak'.*Did you mean 'dask'"):
        with jt.parallel("dsak"):
            pass
    with pytest.raises(InvalidParameterError, match="address and n_workers are for backend='dask'"):
        with jt.parallel("loky", n_workers=2):
            pass
    assert pickle.loads(pickle.dumps(tsk("mtcars"))).id == "mtcars"


def test_ray_cluster_gives_the_sequential_results(monkeypatch):
    import ray  # a test dependency (pyproject's test extra): a missing Ray fails here, it is not skipped

    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")  # no token written into the home folder
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        with jt.parallel("ray", n_jobs=2):
            on_ray = _benchmark()
    finally:
        ray.shutdown()
    pd.testing.assert_frame_equal(on_ray, _benchmark(n_jobs=1))


def test_ray_missing_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ray.util.joblib", None)  # as if Ray were not installed
    with pytest.raises(InvalidParameterError, match=r"pip install ray"), jt.parallel("ray"):
        pass
