"""resample() and ResampleResult."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from core_toys import MeanRegr, classif_task, regr_task

import jupytorch as jt
from jupytorch.core import progress
from jupytorch.core.exceptions import InvalidParameterError, JupytorchWarning, TaskError
from jupytorch.core.resample import ResampleResult


def fold_of_row(resampling, row):
    return next(i for i in range(resampling.iters) if row in resampling.test_set(i))


class TestResample:
    def test_cv_predicts_every_row_once_with_the_training_mean(self, task_regr, mean_regr):
        rr = jt.resample(task_regr, mean_regr, jt.rsmp("cv", folds=3), seed=1)
        assert isinstance(rr, ResampleResult) and rr.iters == 3 and rr.iterations == [0, 1, 2]
        combined = rr.prediction()
        assert sorted(combined.row_ids.tolist()) == list(range(30))
        truth = task_regr.truth()
        for i, prediction in enumerate(rr.predictions()):
            np.testing.assert_array_equal(prediction.row_ids, rr.resampling.test_set(i))
            expected = truth.loc[rr.resampling.train_set(i)].mean()
            np.testing.assert_allclose(prediction.response.to_numpy(), expected)

    def test_score_and_aggregate(self, task_regr, mean_regr):
        rr = jt.resample(task_regr, mean_regr, jt.rsmp("cv", folds=3), seed=2)
        scores = rr.score(["regr.mse", "regr.mae"])
        assert list(scores.columns) == ["task_id", "learner_id", "resampling_id", "iteration", "regr.mse", "regr.mae"]
        assert scores["task_id"].unique().tolist() == ["toy_regr"] and scores["learner_id"].unique().tolist() == ["regr.mean"]
        expected = [p.score("regr.mse") for p in rr.predictions()]
        np.testing.assert_allclose(scores["regr.mse"], expected)
        assert rr.aggregate(jt.msr("regr.mse")) == pytest.approx(np.mean(expected))
        assert rr.aggregate() == pytest.approx(np.mean(expected))  # default: regr.mse
        both = rr.aggregate(["regr.mse", "regr.mae"])
        assert set(both) == {"regr.mse", "regr.mae"} and both["regr.mse"] == pytest.approx(np.mean(expected))

    def test_classification(self, nearest_mean):
        task = classif_task((20, 10))
        nearest_mean.predict_type = "prob"
        rr = jt.resample(task, nearest_mean, jt.rsmp("cv", folds=5, stratify=True), seed=0)
        assert rr.aggregate("classif.ce") == 0.0
        assert rr.aggregate("classif.auc") == 1.0
        assert rr.prediction().prob.shape == (30, 2)

    def test_learner_and_resampling_are_not_changed(self, task_regr, mean_regr):
        cv = jt.rsmp("cv", folds=3)
        jt.resample(task_regr, mean_regr, cv)
        assert mean_regr.state is None and not cv.is_instantiated

    def test_store_models(self, task_regr, mean_regr):
        without = jt.resample(task_regr, mean_regr, jt.rsmp("cv", folds=3), seed=1)
        assert all(lr.state is None for lr in without.learners)
        with_models = jt.resample(task_regr, mean_regr, jt.rsmp("cv", folds=3), store_models=True, seed=1)
        assert all(lr.is_trained for lr in with_models.learners)
        truth = task_regr.truth()
        assert with_models.learners[1].model["mean"] == pytest.approx(truth.loc[with_models.resampling.train_set(1)].mean())

    def test_time_and_internal_scores_without_stored_models(self, task_regr, mean_regr):
        rr = jt.resample(task_regr, mean_regr, jt.rsmp("cv", folds=3), seed=1)
        scores = rr.score(["time_train", "time_both", "internal_valid_score"])
        assert (scores["time_train"] >= 0).all() and (scores["time_both"] >= scores["time_train"]).all()
        truth = task_regr.truth()
        expected = [truth.loc[rr.resampling.train_set(i)].mean() for i in range(3)]
        np.testing.assert_allclose(scores["internal_valid_score"], expected)
        assert [d["toy.mean"] for d in rr.internal_valid_scores] == pytest.approx(expected)
        assert rr.internal_tuned_values == [None, None, None]

    def test_validate_test_uses_the_test_set_for_validation(self, task_regr, mean_regr):
        mean_regr.validate = "test"
        rr = jt.resample(task_regr, mean_regr, jt.rsmp("cv", folds=3), store_models=True, seed=1)
        for i, learner in enumerate(rr.learners):
            np.testing.assert_array_equal(learner.model["valid_rows"], rr.resampling.test_set(i))
        assert learner.state["n_train"] == len(rr.resampling.train_set(2))
        assert task_regr.internal_valid_task is None
        mean_regr.validate = None
        plain = jt.resample(task_regr, mean_regr, jt.rsmp("holdout"), store_models=True)
        assert plain.learners[0].model["valid_rows"] is None

    def test_instantiated_resampling_is_reused(self, task_regr, mean_regr):
        cv = jt.rsmp("cv", folds=3, seed=4).instantiate(task_regr)
        rr = jt.resample(task_regr, mean_regr, cv)
        for i in range(3):
            np.testing.assert_array_equal(rr.predictions()[i].row_ids, cv.test_set(i))

    def test_resampling_instantiated_on_another_task(self, mean_regr):
        cv = jt.rsmp("cv", folds=3).instantiate(regr_task(12, id="small"))
        with pytest.raises(InvalidParameterError, match=r"instantiated on task 'small' \(12 rows\), not on task 'toy_regr' \(30 rows\)"):
            jt.resample(regr_task(), mean_regr, cv)

    def test_bad_arguments(self, task_regr, mean_regr, majority):
        with pytest.raises(TaskError, match="is for 'classif' tasks"):
            jt.resample(task_regr, majority, jt.rsmp("holdout"))
        with pytest.raises(TaskError, match="needs a Task"):
            jt.resample(task_regr.data(), mean_regr, jt.rsmp("holdout"))
        with pytest.raises(InvalidParameterError, match="needs a Resampling"):
            jt.resample(task_regr, mean_regr, "cv")
        with pytest.raises(InvalidParameterError, match="needs a Learner"):
            jt.resample(task_regr, "regr.mean", jt.rsmp("cv"))


class TestSeeds:
    def test_seed_reproduces_splits_and_learner_randomness(self, task_regr):
        noisy = MeanRegr().configure(noise=True)
        a = jt.resample(task_regr, noisy, jt.rsmp("cv", folds=3), seed=11, store_models=True)
        b = jt.resample(task_regr, noisy, jt.rsmp("cv", folds=3), seed=11, store_models=True)
        np.testing.assert_array_equal(a.score()["regr.mse"], b.score()["regr.mse"])
        assert [lr.model["seed"] for lr in a.learners] == [lr.model["seed"] for lr in b.learners]
        assert all(isinstance(lr.model["seed"], int) for lr in a.learners)
        assert len({lr.model["seed"] for lr in a.learners}) == 3  # one seed per iteration
        assert a.seeds == b.seeds and len(set(a.seeds)) == 3
        c = jt.resample(task_regr, noisy, jt.rsmp("cv", folds=3), seed=12)
        assert not np.array_equal(a.score()["regr.mse"], c.score()["regr.mse"])

    def test_a_seed_set_by_the_user_is_kept(self, task_regr):
        learner = MeanRegr().configure(seed=5)
        rr = jt.resample(task_regr, learner, jt.rsmp("holdout"), seed=11, store_models=True)
        assert rr.learners[0].model["seed"] == 5

    def test_seeding_restores_the_global_generator(self, task_regr, mean_regr):
        np.random.seed(0)
        expected = np.random.random()
        np.random.seed(0)
        jt.resample(task_regr, mean_regr, jt.rsmp("cv", folds=3), seed=3)
        assert np.random.random() == expected

    def test_the_global_generator_is_restored_when_an_iteration_fails(self, task_regr):
        cv = jt.rsmp("cv", folds=3, seed=1).instantiate(task_regr)
        failing = MeanRegr().configure(fail_without_row=int(cv.test_set(1)[0]))  # fails in iteration 2
        np.random.seed(0)
        expected = np.random.random()
        np.random.seed(0)
        with pytest.raises(RuntimeError, match="not in the training set"):
            jt.resample(task_regr, failing, cv, seed=3)
        assert np.random.random() == expected


class TestParallel:
    def test_n_jobs_2_gives_the_sequential_result(self, task_regr):
        noisy = MeanRegr().configure(noise=True)
        sequential = jt.resample(task_regr, noisy, jt.rsmp("cv", folds=4), seed=5)
        parallel = jt.resample(task_regr, noisy, jt.rsmp("cv", folds=4), seed=5, n_jobs=2)
        assert parallel.iterations == [0, 1, 2, 3]
        np.testing.assert_allclose(parallel.score()["regr.mse"], sequential.score()["regr.mse"])

    def test_error_in_a_worker_keeps_the_finished_iterations(self, task_regr):
        cv = jt.rsmp("cv", folds=4, seed=1).instantiate(task_regr)
        failing = fold_of_row(cv, 0)
        learner = MeanRegr().configure(fail_without_row=0)
        with pytest.raises(RuntimeError, match="row 0 is not in the training set") as info:
            jt.resample(task_regr, learner, cv, n_jobs=2)
        partial = info.value.partial_result
        assert failing not in partial.iterations and len(partial.iterations) <= 3
        notes = "\n".join(info.value.__notes__)
        assert f"iteration {failing}" in notes and "'regr.mean'" in notes


class TestErrors:
    def test_first_error_is_raised_with_partial_result(self, task_regr):
        cv = jt.rsmp("cv", folds=3, seed=1).instantiate(task_regr)
        failing = fold_of_row(cv, 0)
        learner = MeanRegr().configure(fail_without_row=0)
        with pytest.raises(RuntimeError, match="row 0 is not in the training set") as info:
            jt.resample(task_regr, learner, cv)
        notes = "\n".join(info.value.__notes__)
        assert f"in iteration {failing} of resample() with learner 'regr.mean' on task 'toy_regr'" in notes
        assert "during train()" in notes  # the learner's own note is kept
        partial = info.value.partial_result
        assert isinstance(partial, ResampleResult)
        assert partial.iterations == list(range(failing))  # run in order, stopped at the error
        if failing:
            assert partial.score().shape[0] == failing

    def test_encapsulated_train_error_uses_the_fallback(self, task_regr):
        learner = MeanRegr().configure(fail="train").encapsulate("try", fallback=MeanRegr("fallback").configure(shift=100.0))
        with pytest.warns(JupytorchWarning, match="its fallback 'fallback' predicted there, so those scores are the fallback's"):
            rr = jt.resample(task_regr, learner, jt.rsmp("cv", folds=3), seed=1)
        assert rr.fallback_iterations == [0, 1, 2]
        errors = rr.errors
        assert list(errors.columns) == ["iteration", "stage", "msg"]
        assert errors["iteration"].tolist() == [0, 1, 2] and set(errors["stage"]) == {"train"}
        assert errors["msg"].str.contains("planned failure in train").all()
        truth = task_regr.truth()
        for i, prediction in enumerate(rr.predictions()):
            np.testing.assert_allclose(prediction.response, truth.loc[rr.resampling.train_set(i)].mean() + 100.0)

    def test_encapsulated_predict_error(self, task_regr):
        learner = MeanRegr().configure(fail="predict").encapsulate("try", fallback=MeanRegr("fallback"))
        with pytest.warns(JupytorchWarning, match="its fallback 'fallback' predicted"):
            rr = jt.resample(task_regr, learner, jt.rsmp("holdout", seed=1))
        assert rr.errors["stage"].tolist() == ["predict"]
        assert not math.isnan(rr.aggregate())

    def test_encapsulation_without_fallback_scores_nan(self, task_regr):
        learner = MeanRegr().configure(fail="train").encapsulate("try")
        with pytest.warns(JupytorchWarning, match="no fallback"):
            rr = jt.resample(task_regr, learner, jt.rsmp("cv", folds=3), seed=1)
        assert rr.predictions() == [None, None, None]
        assert rr.score()["regr.mse"].isna().all() and math.isnan(rr.aggregate())
        assert len(rr.errors) == 3
        with pytest.raises(InvalidParameterError, match="holds no predictions"):
            rr.prediction()

    def test_errors_before_training_are_encapsulated_too(self, task_regr):
        learner = MeanRegr()
        learner.feature_types = ["integer"]  # the task's features are numeric: train() refuses before training
        learner.encapsulate("try", fallback=MeanRegr("fallback"))
        with pytest.warns(JupytorchWarning, match="its fallback 'fallback' predicted"):
            rr = jt.resample(task_regr, learner, jt.rsmp("holdout", seed=1))
        assert rr.errors["stage"].tolist() == ["train"]
        assert rr.errors["msg"].str.contains("feature type").all()
        assert rr.predictions()[0] is not None

    def test_encapsulated_predict_error_without_fallback_is_logged_once(self, task_regr):
        learner = MeanRegr().configure(fail="predict").encapsulate("try")
        with pytest.warns(JupytorchWarning, match="no fallback"):
            rr = jt.resample(task_regr, learner, jt.rsmp("holdout", seed=1))
        assert rr.errors["stage"].tolist() == ["predict"]

    def test_a_failing_fallback_leaves_the_iteration_without_prediction(self, task_regr):
        fallback = MeanRegr("fallback").configure(fail="train")
        learner = MeanRegr().configure(fail="train").encapsulate("try", fallback=fallback)
        with pytest.warns(JupytorchWarning, match="no fallback"):
            rr = jt.resample(task_regr, learner, jt.rsmp("holdout", seed=1))
        assert rr.predictions() == [None] and rr.errors["stage"].tolist() == ["train", "fallback"]

    def test_warnings_are_recorded(self, task_regr):
        learner = MeanRegr().configure(warn=True)
        with pytest.warns(UserWarning, match="toy warning"):
            rr = jt.resample(task_regr, learner, jt.rsmp("cv", folds=2), seed=1)
        assert len(rr.warnings) == 4 and set(rr.warnings["stage"]) == {"train", "predict"}
        assert rr.errors.empty


class StopAfter:
    """A progress view whose Stop button is pressed after ``n`` iterations."""

    def __init__(self, n):
        self.n, self.done, self.events = n, 0, []

    def on_event(self, event):
        self.events.append(event)
        if event["level"] == "resample" and event["stage"] == "advance":
            self.done = event["completed"]

    def should_stop(self):
        return self.done >= self.n


def test_stop_requested_by_a_view_keeps_the_finished_iterations(task_regr, mean_regr):
    view = StopAfter(2)
    with progress.listen(view):
        rr = jt.resample(task_regr, mean_regr, jt.rsmp("cv", folds=5), seed=1)
    assert rr.iterations == [0, 1] and rr.resampling.iters == 5
    assert "(2 of 5 iterations)" in repr(rr)
    assert view.events[-1]["stage"] == "end" and view.events[-1]["info"]["stopped"] is True


def test_keyboard_interrupt_keeps_the_finished_iterations(task_regr):
    cv = jt.rsmp("cv", folds=3, seed=1).instantiate(task_regr)
    failing = fold_of_row(cv, 0)
    with pytest.raises(KeyboardInterrupt) as info:
        jt.resample(task_regr, MeanRegr().configure(interrupt_without_row=0), cv)
    assert info.value.partial_result.iterations == list(range(failing))


def test_progress_events(task_regr, mean_regr, recorder):
    with progress.listen(recorder):
        jt.resample(task_regr, mean_regr, jt.rsmp("cv", folds=3))
    events = recorder.of("resample")
    assert [e["stage"] for e in events] == ["begin", "advance", "advance", "advance", "end"]
    assert all(e["total"] == 3 for e in events)
    assert [e["completed"] for e in events] == [0, 1, 2, 3, 3]
    assert events[0]["info"] == {"task_id": "toy_regr", "learner_id": "regr.mean", "resampling_id": "cv"}


def test_progress_end_is_sent_on_error(task_regr, recorder):
    with progress.listen(recorder), pytest.raises(RuntimeError):
        jt.resample(task_regr, MeanRegr().configure(fail="train"), jt.rsmp("cv", folds=3))
    last = recorder.of("resample")[-1]
    assert last["stage"] == "end" and "planned failure in train" in last["info"]["error"]


def test_repr_html_escapes_and_pickle(task_regr):
    learner = MeanRegr("<b>evil</b>")
    rr = jt.resample(task_regr, learner, jt.rsmp("cv", folds=3), seed=1)
    text = repr(rr)
    assert "<ResampleResult> of 3 iterations" in text and "regr.mse (mean)" in text
    markup = rr._repr_html_()
    assert "<b>evil</b>" not in markup and "&lt;b&gt;evil&lt;/b&gt;" in markup
    restored = pickle.loads(pickle.dumps(rr))
    assert restored.aggregate() == rr.aggregate()


def test_the_engine_is_importable_from_resample():
    from jupytorch.core import engine, resample

    for name in ("run_iteration", "run_all", "Run", "Outcome", "iteration_seeds", "seed_globals", "preserved_globals", "prepare_resampling"):
        assert getattr(resample, name) is getattr(engine, name)
    assert resample.ResampleResult.__module__ == "jupytorch.core.resample_result"
