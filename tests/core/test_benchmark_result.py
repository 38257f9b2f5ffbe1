"""BenchmarkResult: its aggregate and score tables, lookups, combining results, repr and pickling."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from core_toys import MajorityClassif, MeanRegr, classif_task

import jupytorch as jt
from jupytorch.core.benchmark_result import BenchmarkResult
from jupytorch.core.exceptions import InvalidParameterError


class TestTables:
    def test_aggregate_table(self, bmr):
        table = bmr.aggregate(jt.msr("regr.mse"))
        assert list(table.columns) == ["nr", "task_id", "learner_id", "resampling_id", "iters", "regr.mse"]
        assert table["nr"].tolist() == [0, 1, 2, 3]
        assert table["iters"].tolist() == [3, 3, 3, 3]
        for nr, rr in enumerate(bmr.resample_results):
            assert table.loc[nr, "regr.mse"] == pytest.approx(rr.aggregate("regr.mse"))
        assert list(bmr.aggregate(["regr.mse", "regr.mae"]).columns)[-2:] == ["regr.mse", "regr.mae"]

    def test_score_table(self, bmr):
        scores = bmr.score("regr.mae")
        assert list(scores.columns) == ["nr", "task_id", "learner_id", "resampling_id", "iteration", "regr.mae"]
        assert len(scores) == 12 and scores["nr"].tolist() == [0] * 3 + [1] * 3 + [2] * 3 + [3] * 3

    def test_tasks_learners_and_lookup(self, bmr):
        assert bmr.n_resample_results == 4 == len(bmr)
        assert bmr.tasks["task_id"].tolist() == ["toy_regr", "t2"]
        assert bmr.learners["learner_id"].tolist() == ["regr.mean", "regr.mean_shifted"]
        assert all(lr.state is None for lr in bmr.learners["learner"])
        assert bmr.resamplings["resampling_id"].tolist() == ["cv"]
        assert bmr.resample_result(3).task.id == "t2"
        with pytest.raises(InvalidParameterError, match=r"nr must be in \[0, 3\]"):
            bmr.resample_result(4)


class TestCombine:
    def test_combine_and_add(self, bmr, task_regr):
        other = jt.benchmark(jt.benchmark_grid(task_regr, MeanRegr("third"), jt.rsmp("cv", folds=3)))
        combined = bmr + other
        assert combined.n_resample_results == 5 and bmr.n_resample_results == 4
        assert combined.aggregate()["learner_id"].tolist()[-1] == "third"
        rr = jt.resample(task_regr, MeanRegr("fourth"), jt.rsmp("holdout"))
        assert bmr.combine(rr).n_resample_results == 5
        with pytest.raises(InvalidParameterError, match="distinct ids"):
            bmr + bmr
        with pytest.raises(TypeError):
            bmr + 3

    def test_mixed_task_types_use_the_default_measure_of_each(self, task_regr):
        regr = jt.benchmark(jt.benchmark_grid(task_regr, MeanRegr(), jt.rsmp("holdout")))
        classif = jt.benchmark(jt.benchmark_grid(classif_task(), MajorityClassif(), jt.rsmp("holdout")))
        table = (regr + classif).aggregate()
        assert {"regr.mse", "classif.ce"} <= set(table.columns)
        assert np.isnan(table.loc[0, "classif.ce"]) and np.isnan(table.loc[1, "regr.mse"])

    def test_empty(self):
        empty = BenchmarkResult()
        assert empty.n_resample_results == 0 and empty.aggregate().empty and empty.score().empty
        assert "0 resample results" in repr(empty)



def test_repr_html_escapes_and_pickle(task_regr):
    bmr = jt.benchmark(jt.benchmark_grid(task_regr, MeanRegr("<i>x</i>"), jt.rsmp("holdout", seed=1)))
    text = repr(bmr)
    assert text.startswith("<BenchmarkResult> of 1 resample results (1 task, 1 learner)") and "regr.mse" in text
    markup = bmr._repr_html_()
    assert "<i>x</i>" not in markup and "&lt;i&gt;x&lt;/i&gt;" in markup
    restored = pickle.loads(pickle.dumps(bmr))
    pd.testing.assert_frame_equal(restored.aggregate(), bmr.aggregate())



def test_aggregate_names_the_learner_without_probabilities():
    from jupytorch import lrn, msr, rsmp, tsk

    learners = [lrn("classif.rpart", predict_type="prob"), lrn("classif.kknn")]
    bmr = jt.benchmark(jt.benchmark_grid(tsk("iris"), learners, rsmp("cv", folds=2)), seed=1)
    with pytest.raises(InvalidParameterError, match=r"needs predicted probabilities, but learner 'classif.kknn' predicted only"):
        bmr.aggregate(msr("classif.logloss"))

