"""The Learner base class, exercised through the tiny learners of core_toys."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest
from core_toys import MajorityClassif, MeanRegr, NearestMeanClassif, classif_task, regr_task

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError, JupytorchError, NotTrainedError, TaskError
from jupytorch.core.param import ParamInt
from jupytorch.core.prediction import PredictionClassif, PredictionRegr
from jupytorch.core.tune_token import to_tune


class TestTrainPredict:
    def test_train_then_predict(self, task_regr, mean_regr):
        assert mean_regr.train(task_regr, row_ids=range(10)) is mean_regr
        assert mean_regr.is_trained and mean_regr.model["mean"] == pytest.approx(task_regr.truth().iloc[:10].mean())
        prediction = mean_regr.predict(task_regr, row_ids=[20, 21])
        assert isinstance(prediction, PredictionRegr) and prediction.row_ids.tolist() == [20, 21]
        assert task_regr.nrow == 30  # train and predict never filter the caller's task

    def test_state(self, task_regr, mean_regr):
        mean_regr.configure(shift=1.0).train(task_regr)
        state = mean_regr.state
        assert state["task_id"] == "toy_regr" and state["feature_names"] == ["x", "z"] and state["n_train"] == 30
        assert state["param_vals"]["shift"] == 1.0 and state["param_vals"]["fail"] == "never"  # defaults filled in
        timings = mean_regr.timings
        assert timings["train"] >= 0 and math.isnan(timings["predict"])
        mean_regr.predict(task_regr)
        assert mean_regr.timings["predict"] >= 0

    def test_classification_prob(self, task_classif, majority):
        majority.predict_type = "prob"
        prediction = majority.train(task_classif).predict(task_classif)
        assert isinstance(prediction, PredictionClassif)
        assert prediction.prob.columns.tolist() == ["a", "b"]
        np.testing.assert_allclose(prediction.prob.iloc[0], [2 / 3, 1 / 3])
        assert set(prediction.response) == {"a"}

    def test_reset_clone_and_pickle(self, task_regr, mean_regr):
        mean_regr.train(task_regr)
        clone = mean_regr.clone()
        clone.reset()
        assert mean_regr.is_trained and not clone.is_trained
        restored = pickle.loads(pickle.dumps(mean_regr))
        np.testing.assert_array_equal(restored.predict(task_regr).response, mean_regr.predict(task_regr).response)

    def test_warnings_are_logged(self, task_regr):
        learner = MeanRegr().configure(warn=True)
        with pytest.warns(UserWarning, match="toy warning"):
            learner.train(task_regr).predict(task_regr)
        assert [(e["stage"], e["class"]) for e in learner.log] == [("train", "warning"), ("predict", "warning")]


class TestErrors:
    def test_predict_before_train(self, task_regr, mean_regr):
        with pytest.raises(NotTrainedError, match="Learner 'regr.mean' has not been trained"):
            mean_regr.predict(task_regr)
        with pytest.raises(NotTrainedError):
            _ = mean_regr.model

    def test_wrong_task_type_and_not_a_task(self, task_classif, mean_regr):
        with pytest.raises(TaskError, match="Learner 'regr.mean' is for 'regr' tasks, but task 'toy_classif' is a 'classif' task"):
            mean_regr.train(task_classif)
        with pytest.raises(TaskError, match="needs a Task"):
            mean_regr.train(pd.DataFrame({"x": [1]}))

    def test_unsupported_feature_types(self):
        task = jt.as_task_classif(pd.DataFrame({"x": [1.0, 2.0], "c": ["u", "v"], "y": ["a", "b"]}), target="y", id="mixed")
        with pytest.raises(TaskError, match=r"c \(character\) in task 'mixed'"):
            NearestMeanClassif().train(task)

    def test_missing_values(self):
        task = jt.as_task_classif(pd.DataFrame({"x": [1.0, np.nan, 2.0], "y": ["a", "b", "a"]}), target="y", id="holes")
        with pytest.raises(TaskError, match=r"missing values.*x \(1\)"):
            NearestMeanClassif().train(task)
        assert MajorityClassif().train(task).is_trained  # declares "missings"

    def test_twoclass_only(self):
        learner = MajorityClassif()
        learner.properties = {"twoclass", "missings"}
        with pytest.raises(TaskError, match="does not support multiclass"):
            learner.train(classif_task((3, 3, 3)))

    def test_zero_rows(self, task_regr, mean_regr):
        with pytest.raises(TaskError, match="0 rows"):
            mean_regr.train(task_regr, row_ids=[])

    def test_errors_in_train_name_learner_and_task(self, task_regr):
        with pytest.raises(RuntimeError, match="planned failure") as info:
            MeanRegr().configure(fail="train").train(task_regr)
        assert "Learner 'regr.mean' during train() on task 'toy_regr'" in info.value.__notes__[0]

    def test_tune_tokens_and_required_parameters(self, task_regr):
        with pytest.raises(InvalidParameterError, match="to_tune"):
            MeanRegr().configure(shift=to_tune(0.0, 1.0)).train(task_regr)
        learner = MeanRegr()
        learner.param_set.add("needed", ParamInt(tags={"required"}))
        with pytest.raises(InvalidParameterError, match=r"required parameter\(s\) \['needed'\]"):
            learner.train(task_regr)

    def test_invalid_predict_type_and_configure(self, mean_regr):
        with pytest.raises(InvalidParameterError, match="predict_type 'prob' is not supported; choose one of \\['response'\\]"):
            mean_regr.predict_type = "prob"
        with pytest.raises(InvalidParameterError, match="Learner 'regr.mean': parameter 'shift'"):
            mean_regr.configure(shift="x")


class TestEncapsulation:
    def test_train_error_is_logged_and_the_fallback_predicts(self, task_regr):
        learner = MeanRegr().configure(fail="train").encapsulate("try", fallback=MeanRegr("fb").configure(shift=5.0))
        prediction = learner.train(task_regr).predict(task_regr)
        assert learner.log[0]["class"] == "error" and "planned failure" in learner.log[0]["msg"]
        np.testing.assert_allclose(prediction.response, task_regr.truth().mean() + 5.0)

    def test_predict_error_with_fallback(self, task_regr):
        learner = MeanRegr().configure(fail="predict").encapsulate("try", fallback=MeanRegr("fb"))
        prediction = learner.train(task_regr).predict(task_regr)
        assert learner.log[-1]["stage"] == "predict" and len(prediction) == 30

    def test_no_fallback(self, task_regr):
        learner = MeanRegr().configure(fail="train").encapsulate("try")
        learner.train(task_regr)
        with pytest.raises(JupytorchError, match="has no fallback"):
            learner.predict(task_regr)

    def test_a_failing_fallback_is_logged_and_predict_then_fails_as_without_one(self, task_regr):
        learner = MeanRegr().configure(fail="train").encapsulate("try", fallback=MeanRegr("fb").configure(fail="train"))
        learner.train(task_regr)
        assert [entry["stage"] for entry in learner.log] == ["train", "fallback"]
        with pytest.raises(JupytorchError, match="has no fallback"):
            learner.predict(task_regr)

    def test_checks_before_training_are_encapsulated(self, task_regr):
        learner = MeanRegr()
        learner.feature_types = ["integer"]  # the task's features are numeric: refused before training
        learner.encapsulate("try", fallback=MeanRegr("fb"))
        prediction = learner.train(task_regr).predict(task_regr)
        assert "feature type" in learner.log[0]["msg"] and len(prediction) == task_regr.nrow

    def test_bad_encapsulation(self, mean_regr, majority):
        with pytest.raises(InvalidParameterError, match="'none' or 'try'"):
            mean_regr.encapsulate("callr")
        with pytest.raises(InvalidParameterError, match="fallback 'classif.majority' is for 'classif'"):
            mean_regr.encapsulate("try", fallback=majority)


class TestSklearnConventions:
    def test_get_set_params(self, mean_regr):
        mean_regr.set_params(shift=2.0)
        assert mean_regr.get_params() == {"shift": 2.0, "predict_type": "response"}

    def test_sklearn_clone(self, task_regr, mean_regr):
        from sklearn.base import clone

        mean_regr.configure(shift=3.0).train(task_regr)
        copy = clone(mean_regr)
        assert not copy.is_trained and copy.param_set.values == {"shift": 3.0}


def test_predict_newdata(task_regr, mean_regr):
    mean_regr.train(task_regr)
    prediction = mean_regr.predict_newdata(pd.DataFrame({"x": [1.0, 2.0], "z": [0.0, 1.0]}))
    assert len(prediction) == 2 and prediction.truth.isna().all()


def test_predict_ignores_extra_columns_and_column_order(mean_regr):
    train = regr_task(10)
    mean_regr.train(train)
    other = jt.as_task_regr(train.data()[["z", "x", "y"]].assign(extra=1.0), target="y", id="reordered")
    assert len(mean_regr.predict(other)) == 10


def test_display(task_regr):
    learner = MeanRegr("<b>x</b>").configure(shift=1.0)
    assert "* Parameters: shift=1.0" in repr(learner) and "* Model: -" in repr(learner)
    learner.train(task_regr)
    assert "* Model: dict" in repr(learner)
    markup = learner._repr_html_()
    assert "<b>x</b>" not in markup and "&lt;b&gt;x&lt;/b&gt;" in markup

