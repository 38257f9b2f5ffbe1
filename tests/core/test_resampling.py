"""The Resampling base: active rows, strata, groups, seeds, the instantiated sets, errors, repr and the listing."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from core_toys import all_sets, classif_task, grouped_task, regr_task

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError, NotTrainedError, TaskError
from jupytorch.core.resamplings import ResamplingCV
from jupytorch.core.task import TaskRegr


class TestRowsStrataAndGroups:
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

    def test_groups_and_stratification_conflict(self):
        task = grouped_task()
        with pytest.raises(TaskError, match="stratify"):
            jt.rsmp("cv", folds=3).instantiate(task.clone().set_col_roles("x", roles="stratum"))

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

    def test_stratified_subsampling(self):
        task = classif_task((40, 20))
        s = jt.rsmp("subsampling", ratio=0.5, repeats=2, stratify=True, seed=1).instantiate(task)
        assert task.truth().loc[s.train_set(0)].value_counts().to_dict() == {"a": 20, "b": 10}


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


