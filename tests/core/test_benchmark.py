"""benchmark_grid() and benchmark(): designs, shared splits, seeds, errors, progress and stopping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from core_toys import MajorityClassif, MeanRegr, NearestMeanClassif, classif_task, regr_task

import jupytorch as jt
from jupytorch.core import progress
from jupytorch.core.benchmark_result import BenchmarkResult
from jupytorch.core.exceptions import InvalidParameterError, JupytorchWarning, TaskError


class TestGrid:
    def test_design_and_shared_splits(self, two_learners):
        tasks = [regr_task(), regr_task(20, id="t2")]
        cv = jt.rsmp("cv", folds=3)
        design = jt.benchmark_grid(tasks, two_learners, cv)
        assert list(design.columns) == ["task", "learner", "resampling"] and len(design) == 4
        assert [t.id for t in design["task"]] == ["toy_regr", "toy_regr", "t2", "t2"]
        assert [lr.id for lr in design["learner"]] == ["regr.mean", "regr.mean_shifted"] * 2
        # one instantiated resampling per task, shared by all learners: the same splits
        assert design["resampling"][0] is design["resampling"][1]
        assert design["resampling"][0].is_instantiated and design["resampling"][2].task_id == "t2"
        assert not cv.is_instantiated

    def test_single_objects_are_accepted(self, task_regr, mean_regr):
        design = jt.benchmark_grid(task_regr, mean_regr, jt.rsmp("holdout"))
        assert len(design) == 1

    def test_duplicate_learner_ids(self, task_regr):
        with pytest.raises(InvalidParameterError, match=r"distinct ids, but \['regr.mean'\].*id='rpart.d2'"):
            jt.benchmark_grid(task_regr, [MeanRegr(), MeanRegr().configure(shift=2.0)], jt.rsmp("holdout"))
        design = jt.benchmark_grid(task_regr, [MeanRegr(), MeanRegr().configure(shift=2.0, id="shifted")], jt.rsmp("holdout"))
        assert [lr.id for lr in design["learner"]] == ["regr.mean", "shifted"]

    def test_duplicate_resampling_ids(self, task_regr, mean_regr):
        with pytest.raises(InvalidParameterError, match="rsmp"):
            jt.benchmark_grid(task_regr, mean_regr, [jt.rsmp("cv", folds=3), jt.rsmp("cv", folds=5)])
        design = jt.benchmark_grid(task_regr, mean_regr, [jt.rsmp("cv", folds=3), jt.rsmp("cv", folds=5, id="cv5")])
        assert [r.iters for r in design["resampling"]] == [3, 5]

    def test_task_type_mismatch(self, task_regr, majority):
        with pytest.raises(TaskError, match="learner 'classif.majority' is for 'classif' tasks"):
            jt.benchmark_grid(task_regr, majority, jt.rsmp("holdout"))

    def test_bad_items(self, task_regr):
        with pytest.raises(InvalidParameterError, match="learners must hold Learner objects"):
            jt.benchmark_grid(task_regr, ["regr.mean"], jt.rsmp("holdout"))
        with pytest.raises(InvalidParameterError, match="learners is empty"):
            jt.benchmark_grid(task_regr, [], jt.rsmp("holdout"))

    def test_paired(self, two_learners):
        tasks = [regr_task(), regr_task(20, id="t2")]
        rs = [jt.rsmp("cv", folds=3, seed=1).instantiate(tasks[0]), jt.rsmp("holdout", seed=1).instantiate(tasks[1])]
        design = jt.benchmark_grid(tasks, two_learners, rs, paired=True)
        assert len(design) == 4 and design["resampling"][0] is rs[0] and design["resampling"][3] is rs[1]
        with pytest.raises(InvalidParameterError, match="not instantiated"):
            jt.benchmark_grid(tasks, two_learners, [rs[0], jt.rsmp("cv")], paired=True)
        with pytest.raises(InvalidParameterError, match="one instantiated resampling per task"):
            jt.benchmark_grid(tasks, two_learners, rs[:1], paired=True)
        with pytest.raises(InvalidParameterError, match="instantiated on task"):
            jt.benchmark_grid(tasks, two_learners, rs[::-1], paired=True)

    def test_instantiated_resampling_without_pairing(self, task_regr, mean_regr):
        cv = jt.rsmp("cv", folds=3).instantiate(task_regr)
        assert jt.benchmark_grid(task_regr, mean_regr, cv)["resampling"][0] is cv
        with pytest.raises(InvalidParameterError, match="paired=True"):
            jt.benchmark_grid([task_regr, regr_task(20, id="t2")], mean_regr, cv)


class TestBenchmark:
    def test_learners_saw_the_same_splits(self, bmr):
        a, b = bmr.resample_results[:2]
        for pa, pb in zip(a.predictions(), b.predictions()):
            np.testing.assert_array_equal(pa.row_ids, pb.row_ids)
            np.testing.assert_allclose(pb.response, pa.response + 1.0)  # shift=1

    def test_seed_reproduces_and_n_jobs(self, two_learners):
        noisy = [lr.clone().configure(noise=True) for lr in two_learners]
        design = jt.benchmark_grid(regr_task(), noisy, jt.rsmp("cv", folds=3, seed=2))
        a = jt.benchmark(design, seed=9).aggregate()
        b = jt.benchmark(design, seed=9, n_jobs=2).aggregate()
        pd.testing.assert_frame_equal(a, b)

    def test_seed_draws_the_splits_of_unseeded_resamplings(self, two_learners):
        def run(seed, **kwargs):
            design = jt.benchmark_grid(regr_task(), two_learners, jt.rsmp("cv", folds=3))
            bmr = jt.benchmark(design, seed=seed, **kwargs)
            return bmr, [rr.resampling.test_set(0).tolist() for rr in bmr.resample_results]

        (a, splits_a), (b, splits_b) = run(7), run(7)
        assert splits_a == splits_b and splits_a[0] == splits_a[1]  # the same splits, shared by both learners
        pd.testing.assert_frame_equal(a.aggregate(), b.aggregate())
        pd.testing.assert_frame_equal(a.aggregate(), run(7, n_jobs=2)[0].aggregate())
        assert run(8)[1] != splits_a
        grid = [jt.benchmark_grid(regr_task(), two_learners, jt.rsmp("cv", folds=3), seed=3) for _ in range(2)]
        assert [r.test_set(0).tolist() for r in grid[0]["resampling"]] == [r.test_set(0).tolist() for r in grid[1]["resampling"]]

    def test_hand_built_design_shares_one_split_per_task_and_resampling(self, two_learners):
        cv = jt.rsmp("cv", folds=3)
        design = pd.DataFrame({"task": [regr_task()] * 2, "learner": two_learners, "resampling": [cv, cv]})
        bmr = jt.benchmark(design, seed=1)
        first, second = (rr.resampling for rr in bmr.resample_results)
        assert first is second and not cv.is_instantiated

    def test_store_models(self, task_regr, mean_regr):
        bmr = jt.benchmark(jt.benchmark_grid(task_regr, mean_regr, jt.rsmp("cv", folds=2)), store_models=True)
        assert all(lr.is_trained for lr in bmr.resample_results[0].learners)

    def test_classification_with_default_measure(self):
        task = classif_task((20, 10))
        bmr = jt.benchmark(jt.benchmark_grid(task, [MajorityClassif(), NearestMeanClassif()], jt.rsmp("cv", folds=3, stratify=True)))
        table = bmr.aggregate()
        assert table["classif.ce"].tolist() == pytest.approx([1 / 3, 0.0])

    def test_error_keeps_finished_results(self, task_regr):
        learners = [MeanRegr(), MeanRegr("broken").configure(fail="train")]
        with pytest.raises(RuntimeError, match="planned failure") as info:
            jt.benchmark(jt.benchmark_grid(task_regr, learners, jt.rsmp("cv", folds=3)))
        notes = "\n".join(info.value.__notes__)
        assert "in iteration 0 of learner 'broken' on task 'toy_regr'" in notes
        partial = info.value.partial_result
        assert isinstance(partial, BenchmarkResult)
        assert partial.aggregate()["learner_id"].tolist() == ["regr.mean"]
        assert partial.aggregate()["iters"].tolist() == [3]

    def test_encapsulated_errors(self, task_regr):
        broken = MeanRegr("broken").configure(fail="train").encapsulate("try", fallback=MeanRegr("fallback"))
        with pytest.warns(JupytorchWarning, match=r"'broken' failed .* iteration\(s\) \[0, 1, 2\]; its fallback 'fallback' predicted"):
            bmr = jt.benchmark(jt.benchmark_grid(task_regr, [MeanRegr(), broken], jt.rsmp("cv", folds=3)))
        rr = bmr.resample_results[1]
        assert len(rr.errors) == 3 and rr.fallback_iterations == [0, 1, 2]
        a, b = bmr.aggregate()["regr.mse"]
        assert a == pytest.approx(b)  # the fallback is the same model

    def test_bad_design(self, task_regr, mean_regr):
        with pytest.raises(InvalidParameterError, match="benchmark_grid"):
            jt.benchmark(pd.DataFrame({"task": [task_regr]}))
        design = pd.DataFrame({"task": [task_regr, task_regr], "learner": [mean_regr, mean_regr], "resampling": [jt.rsmp("holdout")] * 2})
        with pytest.raises(InvalidParameterError, match="distinct ids"):
            jt.benchmark(design)

    def test_hand_made_design_with_uninstantiated_resampling(self, task_regr, mean_regr):
        design = pd.DataFrame({"task": [task_regr], "learner": [mean_regr], "resampling": [jt.rsmp("cv", folds=3)]})
        assert jt.benchmark(design).aggregate()["iters"].tolist() == [3]


def test_progress_events_nest_resample_in_benchmark(task_regr, two_learners, recorder):
    with progress.listen(recorder):
        jt.benchmark(jt.benchmark_grid(task_regr, two_learners, jt.rsmp("cv", folds=2)))
    trace = [(e["level"], e["stage"], e["completed"]) for e in recorder.events if e["level"] in ("benchmark", "resample")]
    assert trace == [
        ("benchmark", "begin", 0),
        ("resample", "begin", 0), ("resample", "advance", 1), ("resample", "advance", 2), ("resample", "end", 2),
        ("benchmark", "advance", 1),
        ("resample", "begin", 0), ("resample", "advance", 1), ("resample", "advance", 2), ("resample", "end", 2),
        ("benchmark", "advance", 2),
        ("benchmark", "end", 2),
    ]  # fmt: skip
    begin = recorder.events[0]
    assert begin["total"] == 2 and begin["info"]["n_iterations"] == 4
    resample_begins = [e for e in recorder.of("resample") if e["stage"] == "begin"]
    assert [e["info"]["learner_id"] for e in resample_begins] == ["regr.mean", "regr.mean_shifted"]
    assert resample_begins[0]["info"]["task_id"] == "toy_regr" and resample_begins[0]["total"] == 2


def test_progress_in_parallel_and_on_error(task_regr, recorder):
    learners = [MeanRegr(), MeanRegr("broken").configure(fail="train")]
    with progress.listen(recorder), pytest.raises(RuntimeError):
        jt.benchmark(jt.benchmark_grid(task_regr, learners, jt.rsmp("cv", folds=2)), n_jobs=2)
    events = recorder.of("benchmark")
    assert events[0]["stage"] == "begin" and events[-1]["stage"] == "end"
    assert "planned failure" in events[-1]["info"]["error"]
    resample_stages = [e["stage"] for e in recorder.of("resample")]
    assert resample_stages.count("begin") == resample_stages.count("end")


def test_stop_between_experiments(task_regr, two_learners):
    class StopAfterFirst:
        def __init__(self):
            self.experiments = 0

        def on_event(self, event):
            if event["level"] == "benchmark" and event["stage"] == "advance":
                self.experiments = event["completed"]

        def should_stop(self):
            return self.experiments >= 1

    with progress.listen(StopAfterFirst()):
        bmr = jt.benchmark(jt.benchmark_grid(task_regr, two_learners, jt.rsmp("cv", folds=2)))
    assert bmr.aggregate()["learner_id"].tolist() == ["regr.mean"]


def test_with_the_baseline_learners_on_mtcars():
    """The documented walk-through: partition, resample and benchmark with the scikit-learn baselines."""
    task = jt.tsk("mtcars")
    split = jt.partition(task, ratio=2 / 3, seed=42)
    learner = jt.lrn("regr.rpart")
    learner.train(task, split.train)
    rmse = learner.predict(task, split.test).score(jt.msr("regr.rmse"))
    assert rmse > 0
    rr = jt.resample(task, jt.lrn("regr.rpart"), jt.rsmp("cv", folds=3), seed=1)
    assert rr.score(jt.msr("regr.rmse")).shape == (3, 5)
    design = jt.benchmark_grid(task, [jt.lrn("regr.featureless"), jt.lrn("regr.rpart")], jt.rsmp("cv", folds=3))
    table = jt.benchmark(design, seed=1).aggregate(jt.msr("regr.mse"))
    assert table["learner_id"].tolist() == ["regr.featureless", "regr.rpart"]
    featureless = table.loc[0, "regr.mse"]
    # the featureless learner predicts the training mean: its mse is the mean squared deviation per fold
    cv = design["resampling"][0]
    truth = task.truth()
    expected = np.mean(
        [((truth.loc[cv.test_set(i)] - truth.loc[cv.train_set(i)].mean()) ** 2).mean() for i in range(3)]
    )
    assert featureless == pytest.approx(expected)
