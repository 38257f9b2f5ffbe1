"""Resampling strategies: exact partitions, stratification, groups, seeds, errors."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from core_toys import classif_task, regr_task

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError, NotTrainedError, TaskError
from jupytorch.core.resampling import Resampling
from jupytorch.core.resamplings import ResamplingCV, partition
from jupytorch.core.task import TaskClassif, TaskRegr


def all_sets(r: Resampling) -> tuple[list[np.ndarray], list[np.ndarray]]:
    return [r.train_set(i) for i in range(r.iters)], [r.test_set(i) for i in range(r.iters)]


def grouped_task(n_groups: int = 7, sizes: tuple[int, ...] = (1, 2, 3, 4)) -> TaskRegr:
    groups = [g for g in range(n_groups) for _ in range(sizes[g % len(sizes)])]
    frame = pd.DataFrame({"x": np.arange(len(groups), dtype=float), "g": groups, "y": np.arange(len(groups), dtype=float)})
    task = TaskRegr("grouped", frame, target="y")
    return task.set_col_roles("g", roles="group")


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

    def test_uses_the_active_row_ids(self):
        task = regr_task(20).filter(range(5, 20))
        cv = jt.rsmp("cv", folds=3, seed=1).instantiate(task)
        assert sorted(np.concatenate(all_sets(cv)[1]).tolist()) == list(range(5, 20))

    def test_stratified_cv_keeps_class_ratios(self):
        task = classif_task((40, 20, 10))  # 4 : 2 : 1
        cv = jt.rsmp("cv", folds=5, stratify=True, seed=3).instantiate(task)
        truth = task.truth()
        for i in range(5):
            counts = truth.loc[cv.test_set(i)].value_counts()
            assert counts.to_dict() == {"a": 8, "b": 4, "c": 2}

    def test_stratum_column_role(self):
        frame = pd.DataFrame({"x": np.arange(30.0), "s": ["u"] * 20 + ["v"] * 10, "y": np.arange(30.0)})
        task = TaskRegr("strat", frame, target="y").set_col_roles("s", roles="stratum")
        cv = jt.rsmp("cv", folds=5, seed=0).instantiate(task)
        for i in range(5):
            assert frame.loc[cv.test_set(i), "s"].value_counts().to_dict() == {"u": 4, "v": 2}

    def test_stratify_is_ignored_for_regression(self, task_regr):
        cv = jt.rsmp("cv", folds=3, stratify=True, seed=1).instantiate(task_regr)
        assert sorted(np.concatenate(all_sets(cv)[1]).tolist()) == list(range(30))

    def test_group_cv_never_splits_a_group(self):
        task = grouped_task()
        groups = task.groups
        cv = jt.rsmp("cv", folds=3, seed=5).instantiate(task)
        seen = []
        for i in range(3):
            test_groups = set(groups.loc[cv.test_set(i)])
            train_groups = set(groups.loc[cv.train_set(i)])
            assert not test_groups & train_groups
            seen += sorted(test_groups)
        assert sorted(seen) == list(range(7))  # each group tested exactly once

    def test_folds_more_than_groups(self):
        with pytest.raises(InvalidParameterError, match=r"folds=8 is more than the 7 groups of task 'grouped'"):
            jt.rsmp("cv", folds=8).instantiate(grouped_task())

    def test_groups_and_stratification_conflict(self):
        task = grouped_task()
        with pytest.raises(TaskError, match="stratify"):
            jt.rsmp("cv", folds=3).instantiate(task.clone().set_col_roles("x", roles="stratum"))

    def test_folds_more_than_rows(self):
        with pytest.raises(InvalidParameterError, match=r"Resampling 'cv': folds=11 is more than the 10 rows of task 'toy_regr'"):
            jt.rsmp("cv", folds=11).instantiate(regr_task(10))

    def test_invalid_folds(self):
        with pytest.raises(InvalidParameterError, match=r"Resampling 'cv': parameter 'folds' must be an integer in \[2, inf\]. Got 1"):
            jt.rsmp("cv", folds=1)


class TestSeeds:
    @pytest.mark.parametrize("key", ["cv", "holdout", "bootstrap", "subsampling", "repeated_cv"])
    def test_same_seed_same_splits(self, key, task_regr):
        a = jt.rsmp(key, seed=42).instantiate(task_regr)
        b = jt.rsmp(key, seed=42).instantiate(task_regr)
        for x, y in zip(all_sets(a)[1], all_sets(b)[1]):
            np.testing.assert_array_equal(x, y)

    def test_different_seeds_differ_and_none_is_fresh(self, task_regr):
        a = jt.rsmp("cv", folds=3, seed=1).instantiate(task_regr)
        b = jt.rsmp("cv", folds=3, seed=2).instantiate(task_regr)
        assert any(not np.array_equal(x, y) for x, y in zip(all_sets(a)[1], all_sets(b)[1]))
        fresh = [tuple(jt.rsmp("cv", folds=3).instantiate(task_regr).test_set(0)) for _ in range(5)]
        assert len(set(fresh)) > 1


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

    def test_bootstrap_and_holdout_with_groups(self):
        task = grouped_task()
        groups = task.groups
        b = jt.rsmp("bootstrap", repeats=3, seed=2).instantiate(task)
        for i in range(3):
            train_groups, test_groups = set(groups.loc[b.train_set(i)]), set(groups.loc[b.test_set(i)])
            assert not train_groups & test_groups and train_groups | test_groups == set(range(7))
            for g in train_groups:  # a drawn group comes with all its rows (as often as it was drawn)
                members = groups.index[groups == g]
                counts = {int(c) for c in np.unique(b.train_set(i)[np.isin(b.train_set(i), members)], return_counts=True)[1]}
                assert len(counts) == 1
        h = jt.rsmp("holdout", ratio=0.5, seed=2).instantiate(task)
        assert not set(groups.loc[h.train_set(0)]) & set(groups.loc[h.test_set(0)])

    def test_subsampling(self, task_regr):
        s = jt.rsmp("subsampling", ratio=0.5, repeats=3, seed=0).instantiate(task_regr)
        assert s.iters == 3
        for i in range(3):
            assert len(s.train_set(i)) == 15 and len(s.test_set(i)) == 15
        assert not np.array_equal(s.test_set(0), s.test_set(1))

    def test_stratified_subsampling(self):
        task = classif_task((40, 20))
        s = jt.rsmp("subsampling", ratio=0.5, repeats=2, stratify=True, seed=1).instantiate(task)
        assert task.truth().loc[s.train_set(0)].value_counts().to_dict() == {"a": 20, "b": 10}

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


class TestResamplingObject:
    def test_not_instantiated(self):
        cv = jt.rsmp("cv", folds=3)
        assert not cv.is_instantiated and cv.instance is None and cv.iters == 3
        with pytest.raises(NotTrainedError, match=r"Resampling 'cv' is not instantiated"):
            cv.train_set(0)

    def test_iteration_out_of_range(self, task_regr):
        cv = jt.rsmp("cv", folds=3).instantiate(task_regr)
        with pytest.raises(InvalidParameterError, match=r"iteration must be an integer in \[0, 2\], got 3"):
            cv.test_set(3)

    def test_instance_task_id_and_clone(self, task_regr):
        cv = jt.rsmp("cv", folds=3, seed=1).instantiate(task_regr)
        assert cv.task_id == "toy_regr" and cv.task_nrow == 30
        assert len(cv.instance["test"]) == 3
        copy = cv.clone()
        np.testing.assert_array_equal(copy.test_set(2), cv.test_set(2))
        copy.instantiate(regr_task(12, id="other"))
        assert cv.task_id == "toy_regr"

    def test_sets_are_copies(self, task_regr):
        cv = jt.rsmp("cv", folds=3, seed=1).instantiate(task_regr)
        cv.test_set(0)[:] = -1
        assert (cv.test_set(0) >= 0).all()
        assert cv.test_set(0).dtype == np.int64

    def test_configure_id_and_repr(self, task_regr):
        cv = jt.rsmp("cv", folds=5, id="cv5")
        assert cv.id == "cv5" and cv.param_set.values["folds"] == 5
        assert "<ResamplingCV:cv5>" in repr(cv) and "Instantiated: no" in repr(cv)
        cv.instantiate(task_regr)
        assert "task 'toy_regr'" in repr(cv)
        assert "<b>ResamplingCV:cv5</b>" in cv._repr_html_()

    def test_pickle(self, task_regr):
        cv = pickle.loads(pickle.dumps(jt.rsmp("holdout", seed=3).instantiate(task_regr)))
        assert len(cv.test_set(0)) == 10

    def test_instantiate_needs_a_task(self):
        with pytest.raises(TaskError, match="needs a Task"):
            ResamplingCV().instantiate(pd.DataFrame({"a": [1]}))

    def test_rsmps_listing_and_building(self):
        table = jt.rsmps()
        assert {"holdout", "cv", "repeated_cv", "bootstrap", "subsampling", "insample", "custom", "custom_cv"} <= set(table["key"])
        assert list(table.columns) == ["key", "label"]
        assert [r.param_set.values["folds"] for r in jt.rsmps(["cv", "repeated_cv"], folds=4)] == [4, 4]

    def test_every_registered_resampling_has_a_seed(self):
        for key in jt.rsmps()["key"]:
            assert jt.rsmp(key, seed=3).param_set.values["seed"] == 3


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
