"""The built-in resampling strategies (holdout, cv, repeated_cv, bootstrap, subsampling, insample, custom, custom_cv) and partition()."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from core_toys import all_sets, classif_task, grouped_task, regr_task

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError, TaskError
from jupytorch.core.resamplings import partition
from jupytorch.core.task import TaskClassif


class TestCV:
    @pytest.mark.parametrize("n, folds", [(30, 3), (31, 4), (10, 10), (7, 2)])
    def test_folds_partition_the_rows_exactly(self, n, folds):
        task = regr_task(n)
        cv = jt.rsmp("cv", folds=folds).instantiate(task)
        train, test = all_sets(cv)
        assert cv.iters == folds
        union = np.concatenate(test)
        assert sorted(union.tolist()) == sorted(task.row_ids.tolist())  # every row once
        sizes = [len(t) for t in test]
        assert max(sizes) - min(sizes) <= 1
        for tr, te in zip(train, test):
            assert np.intersect1d(tr, te).size == 0
            assert sorted(np.concatenate([tr, te]).tolist()) == sorted(task.row_ids.tolist())

    def test_folds_more_than_groups(self):
        with pytest.raises(InvalidParameterError, match=r"folds=8 is more than the 7 groups of task 'grouped'"):
            jt.rsmp("cv", folds=8).instantiate(grouped_task())

    def test_folds_more_than_rows(self):
        with pytest.raises(InvalidParameterError, match=r"Resampling 'cv': folds=11 is more than the 10 rows of task 'toy_regr'"):
            jt.rsmp("cv", folds=11).instantiate(regr_task(10))

    def test_invalid_folds(self):
        with pytest.raises(InvalidParameterError, match=r"Resampling 'cv': parameter 'folds' must be an integer in \[2, inf\]. Got 1"):
            jt.rsmp("cv", folds=1)


class TestOtherStrategies:
    def test_holdout(self, task_regr):
        h = jt.rsmp("holdout", seed=1).instantiate(task_regr)
        assert h.iters == 1
        assert len(h.train_set(0)) == 20 and len(h.test_set(0)) == 10
        assert np.intersect1d(h.train_set(0), h.test_set(0)).size == 0

    def test_holdout_ratio_errors(self, task_regr):
        with pytest.raises(InvalidParameterError, match=r"Resampling 'holdout': parameter 'ratio' must be a number in \(0, 1\]. Got 0"):
            jt.rsmp("holdout", ratio=0)
        with pytest.raises(InvalidParameterError, match=r"ratio"):
            jt.rsmp("holdout", ratio=1.5)
        with pytest.raises(InvalidParameterError, match=r"Resampling 'holdout' with ratio=1.0 leaves no test rows"):
            jt.rsmp("holdout", ratio=1.0).instantiate(task_regr)

    def test_repeated_cv(self, task_regr):
        r = jt.rsmp("repeated_cv", folds=3, repeats=2, seed=0).instantiate(task_regr)
        assert r.iters == 6
        for rep in range(2):
            tests = [r.test_set(rep * 3 + k) for k in range(3)]
            assert sorted(np.concatenate(tests).tolist()) == list(range(30))
        assert r.folds([0, 4]).tolist() == [0, 1] and r.repeats([0, 4]).tolist() == [0, 1]

    def test_bootstrap_sizes_and_out_of_bag(self, task_regr):
        b = jt.rsmp("bootstrap", repeats=4, seed=0).instantiate(task_regr)
        assert b.iters == 4 and b.duplicated_ids
        for i in range(4):
            train, test = b.train_set(i), b.test_set(i)
            assert len(train) == 30
            assert len(np.unique(train)) < 30  # drawn with replacement
            assert sorted(np.union1d(train, test).tolist()) == list(range(30))
            assert np.intersect1d(train, test).size == 0
        half = jt.rsmp("bootstrap", ratio=0.5, repeats=2, seed=0).instantiate(task_regr)
        assert len(half.train_set(1)) == 15

    def test_subsampling(self, task_regr):
        s = jt.rsmp("subsampling", ratio=0.5, repeats=3, seed=0).instantiate(task_regr)
        assert s.iters == 3
        for i in range(3):
            assert len(s.train_set(i)) == 15 and len(s.test_set(i)) == 15
        assert not np.array_equal(s.test_set(0), s.test_set(1))

    def test_insample(self, task_regr):
        r = jt.rsmp("insample").instantiate(task_regr)
        np.testing.assert_array_equal(r.train_set(0), r.test_set(0))
        assert len(r.test_set(0)) == 30

    def test_custom(self, task_regr):
        r = jt.rsmp("custom").instantiate(task_regr, train_sets=[[0, 1, 2], [3, 4]], test_sets=[[5], [6, 7]])
        assert r.iters == 2 and r.test_set(1).tolist() == [6, 7]
        complement = jt.rsmp("custom").instantiate(task_regr, train_sets=[range(10)])
        assert complement.test_set(0).tolist() == list(range(10, 30))
        with pytest.raises(TaskError, match="do not exist"):
            jt.rsmp("custom").instantiate(task_regr, train_sets=[[0, 99]])
        with pytest.raises(InvalidParameterError, match="2 training sets but 1 test sets"):
            jt.rsmp("custom").instantiate(task_regr, train_sets=[[0], [1]], test_sets=[[2]])
        with pytest.raises(InvalidParameterError, match="needs the training sets"):
            jt.rsmp("custom").instantiate(task_regr)
        assert jt.rsmp("custom").iters is None

    def test_custom_cv_from_a_vector_and_a_column(self, task_regr):
        f = ["x", "y", "z"] * 10
        r = jt.rsmp("custom_cv").instantiate(task_regr, f=f)
        assert r.iters == 3 and r.test_set(0).tolist() == list(range(0, 30, 3))
        assert len(r.train_set(0)) == 20
        by_col = jt.rsmp("custom_cv").instantiate(task_regr, col="z")  # z = x % 3
        np.testing.assert_array_equal(by_col.test_set(1), np.arange(1, 30, 3))
        with pytest.raises(InvalidParameterError, match="exactly one"):
            jt.rsmp("custom_cv").instantiate(task_regr)
        with pytest.raises(InvalidParameterError, match="f has 2 values but task 'toy_regr' has 30 rows"):
            jt.rsmp("custom_cv").instantiate(task_regr, f=["a", "b"])

    def test_custom_cv_leaves_out_missing_values(self, task_regr):
        f = [None] * 10 + ["a"] * 10 + ["b"] * 10
        r = jt.rsmp("custom_cv").instantiate(task_regr, f=f)
        assert r.train_set(0).tolist() == list(range(20, 30))


class TestPartition:
    def test_stratified_by_default(self):
        task = classif_task((30, 15))
        split = partition(task, ratio=2 / 3, seed=1)
        assert task.truth().loc[split.train].value_counts().to_dict() == {"a": 20, "b": 10}
        assert sorted(np.concatenate([split.train, split.test]).tolist()) == list(range(45))

    def test_regression_and_seed(self, task_regr):
        a, b = partition(task_regr, seed=7), jt.partition(task_regr, seed=7)
        np.testing.assert_array_equal(a.train, b.train)
        assert len(a.train) == 20 and len(a.test) == 10

    def test_grouped_task_keeps_groups(self):
        task = grouped_task()
        split = partition(task, ratio=0.5, seed=2)
        assert not set(task.groups.loc[split.train]) & set(task.groups.loc[split.test])

    def test_classification_with_groups_is_not_stratified(self):
        frame = pd.DataFrame({"x": np.arange(12.0), "g": np.repeat(np.arange(6), 2), "y": ["a", "b"] * 6})
        task = TaskClassif("gc", frame, target="y").set_col_roles("g", roles="group")
        split = partition(task, seed=0)
        assert len(split.train) + len(split.test) == 12

    def test_bad_ratio(self, task_regr):
        with pytest.raises(InvalidParameterError, match="ratio"):
            partition(task_regr, ratio=0)
