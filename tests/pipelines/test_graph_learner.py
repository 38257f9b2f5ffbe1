"""GraphLearner: a graph used as a Learner, in train/predict, resample and benchmark."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import jupytorch as jt
from jupytorch import lrn, msr, po, rsmp, tsk
from jupytorch.core.exceptions import InvalidParameterError, LearnerError, TaskError
from jupytorch.core.learner import Learner
from jupytorch.core.param import ParamInt
from jupytorch.core.paramset import ParamSet
from jupytorch.pipelines.channels import ChannelTypeError, GraphError
from jupytorch.pipelines.graph import Graph
from jupytorch.pipelines.graph_learner import GraphLearner, as_learner


class ValidatingRegr(Learner):
    """Predicts the training mean; records the validation task it was given."""

    def __init__(self):
        super().__init__("regr.validating", "regr", param_set=ParamSet({"epochs": ParamInt(1, 100, default=5)}),
                         properties=("validation", "internal_tuning"))

    def _train(self, task, pv):
        valid = task.internal_valid_task
        self.internal_tuned_values = {"epochs": 3}
        return {"mean": float(task.truth().mean()), "valid_rows": None if valid is None else valid.row_ids,
                "valid_x1": None if valid is None else valid.data()["x1"].to_numpy()}

    def _predict(self, task, pv):
        return {"response": np.full(task.nrow, self.model["mean"])}


def test_done_when_pca_rpart_resamples_on_mtcars():
    learner = jt.as_learner(po("pca") >> lrn("regr.rpart"))
    rr = jt.resample(tsk("mtcars"), learner, rsmp("cv", folds=3), store_models=True)
    assert np.isfinite(rr.aggregate(msr("regr.rmse")))
    assert len(rr.score(msr("regr.rmse"))) == 3
    assert not learner.is_trained  # resample trains copies


def test_done_when_encode_imputehist_lm_on_california_housing():
    task = tsk("california_housing")
    assert task.missings().sum() == 207 and "factor" in set(task.feature_types)
    learner = jt.as_learner(po("encode", method="one-hot") >> po("imputehist") >> lrn("regr.lm"))
    learner.train(task, row_ids=range(0, 20640, 2))
    prediction = learner.predict(task, row_ids=range(1, 20640, 2))
    assert len(prediction) == 10320 and prediction.response.notna().all()
    assert prediction.score(msr("regr.rmse")) < 100_000
    coding = learner.model["encode"]["contrasts"]["ocean_proximity"]
    assert list(coding.columns)[:2] == ["ocean_proximity.<1H OCEAN", "ocean_proximity.INLAND"]


def test_params_are_the_graphs():
    learner = as_learner(po("pca") >> lrn("regr.rpart"))
    assert learner.id == "pca.regr_rpart"
    assert {"pca__rank", "regr_rpart__maxdepth"} <= set(learner.param_set.params)
    learner.param_set.set_values(pca__rank=2, regr_rpart__maxdepth=2)
    learner.param_set.set_values({"pca.center": False})
    assert learner.graph.pipeops["pca"].param_set.values == {"rank": 2, "center": False}
    learner.configure(pca__rank=3)
    assert learner.param_set.values["pca__rank"] == 3
    with pytest.raises(InvalidParameterError, match="parameters are those of its graph"):
        learner.param_set = ParamSet()


def test_model_exposes_pipeop_states():
    learner = as_learner(po("scale") >> lrn("regr.rpart")).train(tsk("mtcars"))
    assert set(learner.model) == {"scale", "regr_rpart"}
    assert learner.model["scale"]["center"]["hp"] == pytest.approx(tsk("mtcars").data()["hp"].mean())
    assert learner.model["regr.rpart"] is learner.model["regr_rpart"]  # the learner id works as an alias
    assert learner.base_learner().model is learner.model["regr_rpart"].model
    with pytest.raises(KeyError, match="No PipeOp 'scal'"):
        learner.model["scal"]


def test_predict_type_goes_to_the_final_learner():
    learner = as_learner(po("scale") >> lrn("classif.log_reg"), )
    assert learner.task_type == "classif" and learner.predict_types == ["response", "prob"]
    learner.predict_type = "prob"
    assert learner.base_learner().predict_type == "prob"
    task = tsk("iris")
    prediction = learner.train(task).predict(task)
    assert prediction.prob.shape == (150, 3)
    with pytest.raises(InvalidParameterError, match="predict_type 'se'"):
        learner.predict_type = "se"


def test_predict_type_changed_after_training_is_used():
    learner = as_learner(po("scale") >> lrn("classif.log_reg")).train(tsk("iris"))
    assert learner.predict(tsk("iris")).predict_types == ["response"]
    learner.configure(predict_type="prob")
    assert "prob" in learner.predict(tsk("iris")).predict_types


def test_state_learned_in_train_is_applied_in_predict():
    task = tsk("mtcars")
    learner = as_learner(po("scale") >> lrn("regr.rpart")).train(task, row_ids=range(16))
    means = learner.model["scale"]["center"].copy()
    learner.predict(task, row_ids=range(16, 32))
    pd.testing.assert_series_equal(learner.model["scale"]["center"], means)
    assert means["hp"] == pytest.approx(task.data(rows=range(16))["hp"].mean())


def test_pickle_clone_save_and_load(tmp_path):
    task = tsk("mtcars")
    learner = as_learner(po("pca", rank=3) >> lrn("regr.rpart")).train(task)
    expected = learner.predict(task).response
    for copy in (pickle.loads(pickle.dumps(learner)), learner.clone()):
        pd.testing.assert_series_equal(copy.predict(task).response, expected)
    learner.save(tmp_path / "glrn.jt")
    loaded = jt.load(tmp_path / "glrn.jt")  # skops: no trusted=True for built-in PipeOps and learners
    pd.testing.assert_series_equal(loaded.predict(task).response, expected)


def test_reset_forgets_every_state():
    learner = as_learner(po("scale") >> lrn("regr.rpart")).train(tsk("mtcars"))
    learner.reset()
    assert not learner.is_trained and not learner.graph.is_trained


def test_benchmark_with_graph_learner():
    design = jt.benchmark_grid(tsk("mtcars"), [as_learner(po("scale") >> lrn("regr.rpart")), lrn("regr.featureless")],
                               rsmp("cv", folds=3))
    table = jt.benchmark(design).aggregate(msr("regr.mse"))
    assert list(table["learner_id"]) == ["scale.regr_rpart", "regr.featureless"]


def test_classification_pipeline_resamples_on_penguins():
    learner = as_learner(po("imputemedian") >> po("imputemode") >> po("encode", method="treatment") >> po("scale") >> lrn("classif.log_reg"))
    rr = jt.resample(tsk("penguins"), learner, rsmp("cv", folds=3))
    assert rr.aggregate(msr("classif.acc")) > 0.9


def test_as_learner_of_a_learner_is_itself():
    learner = lrn("regr.rpart")
    assert as_learner(learner) is learner


def test_graph_without_learner_is_refused():
    with pytest.raises(GraphError, match="must end in a learner"):
        as_learner(po("pca"))
    with pytest.raises(GraphError, match="exactly one free output"):
        as_learner(jt.gunion([lrn("regr.rpart"), lrn("regr.featureless")]))


def test_task_type_from_learner_and_overridable():
    assert as_learner(po("nop") >> lrn("regr.rpart")).task_type == "regr"
    assert as_learner(po("nop") >> lrn("regr.rpart"), ).properties >= {"missings"}


def test_properties_reflect_the_whole_graph():
    from jupytorch import nn

    # missing values: handled when the learner handles them, or when imputers stand on every path to it
    assert "missings" in as_learner(po("scale") >> lrn("classif.rpart")).properties
    assert "missings" not in as_learner(po("scale") >> lrn("classif.kknn")).properties
    assert "missings" in as_learner(po("imputemedian") >> po("imputemode") >> lrn("classif.kknn")).properties
    half = jt.gunion([po("select_1") >> po("imputemedian"), po("select_2")]) >> po("featureunion") >> lrn("classif.kknn")
    assert "missings" not in as_learner(half).properties  # one path is not imputed
    net = (po("scale") >> po("torch_ingress_num") >> nn("linear", out_features=4) >> nn("head")
           >> po("torch_model_classif", epochs=1, batch_size=16))
    learner = as_learner(net)
    assert "missings" not in learner.properties and "missings" not in repr(learner).split("Properties:")[1]
    # so the mistake is caught before anything trains, naming the columns and the cure
    with pytest.raises(TaskError, match=r"cannot handle missing values.*bill_length.*Impute first"):
        learner.train(tsk("penguins"))
    assert learner.graph.pipeops["scale"].state is None
    assert "missings" in as_learner(po("imputehist") >> po("imputemode") >> net).properties
    # a network that starts at its input reads only the columns the input takes (not the factor "sex")
    numeric = tsk("penguins").filter(np.flatnonzero(tsk("penguins").data()["bill_length"].notna()))
    assert numeric.missings()["sex"] > 0
    direct = as_learner(po("torch_ingress_num") >> nn("linear", out_features=4) >> nn("head")
                        >> po("torch_model_classif", epochs=1, batch_size=16))
    assert "missings" not in direct.properties
    assert direct.train(numeric).is_trained
    with pytest.raises(TaskError, match=r"missing values.*in sex \("):
        as_learner(po("scale") >> po("torch_ingress_num") >> nn("linear", out_features=4) >> nn("head")
                   >> po("torch_model_classif", epochs=1, batch_size=16)).train(numeric)


def test_learner_rshift_builds_graphs():
    graph = po("scale") >> lrn("regr.rpart")
    assert isinstance(graph, Graph) and graph.ids() == ["scale", "regr_rpart"]
    graph = [po("scale")] >> lrn("regr.rpart")
    assert graph.ids() == ["scale", "regr_rpart"]
    with pytest.raises(ChannelTypeError, match="must be the last PipeOp"):
        lrn("regr.rpart") >> po("scale")


def test_graph_learner_wrong_task_type_names_the_op():
    learner = as_learner(po("scale") >> lrn("regr.rpart"))
    with pytest.raises(Exception, match="regr"):
        learner.train(tsk("iris"))


def test_set_validate_forwards_to_learners_and_transforms_validation_data():
    learner = GraphLearner(po("scale") >> ValidatingRegr())
    with pytest.raises(InvalidParameterError, match="no learner PipeOp 'nope'"):
        learner.set_validate(0.25, ids=["nope"])
    learner.set_validate(0.25)
    assert learner.validate == 0.25 and learner.base_learner().validate == "predefined"
    frame = pd.DataFrame({"x1": np.arange(20, dtype=float), "y": np.arange(20, dtype=float)})
    task = jt.as_task_regr(frame, target="y", id="lin")
    np.random.seed(1)
    learner.train(task)
    model = learner.model["regr_validating"].model
    assert len(model["valid_rows"]) == 5
    train_rows = np.setdiff1d(np.arange(20), model["valid_rows"])
    mean, sd = frame.x1[train_rows].mean(), frame.x1[train_rows].std(ddof=0)
    np.testing.assert_allclose(model["valid_x1"], (frame.x1[model["valid_rows"]] - mean) / sd)
    assert learner.internal_tuned_values == {"regr_validating__epochs": 3}
    learner.set_validate(None)
    assert learner.base_learner().validate is None


def test_validate_test_needs_an_internal_valid_task():
    learner = GraphLearner(po("nop") >> ValidatingRegr()).set_validate("test")
    with pytest.raises(Exception, match="internal_valid_task"):
        learner.train(tsk("mtcars"))


def test_several_learners_need_an_id_for_base_learner():
    graph = jt.ppl("branch", {"tree": lrn("regr.rpart"), "mean": lrn("regr.featureless")})
    learner = as_learner(graph)
    assert learner.base_learner("regr_featureless").id == "regr.featureless"
    with pytest.raises(LearnerError, match="several learners"):
        learner.base_learner()
    learner.param_set.set_values(branch__selection="mean")
    prediction = learner.train(tsk("mtcars")).predict(tsk("mtcars"))
    assert prediction.response.nunique() == 1  # the featureless path ran
    assert learner.graph.pipeops["regr_rpart"].state is jt.NO_OP


def test_repr_and_plot():
    learner = as_learner(po("scale") >> lrn("regr.rpart"))
    assert "* Graph: scale >> regr_rpart" in repr(learner)
    assert "<svg" in learner._repr_html_()
    assert "scale (preprocessing, untrained) --> regr_rpart" in repr(learner.plot())


def test_learner_joins_with_rshift_through_the_operator_registry():
    # core's Learner has no import of pipelines: `>>` comes from registry("operator"), filled by pipelines
    from jupytorch.core.registry import registry

    assert ">>" in registry("operator")
    graph = [po("pca")] >> lrn("regr.rpart")  # list.__rshift__ does not exist: Learner.__rrshift__ joins
    assert set(graph.ids()) == {"pca", "regr_rpart"}
    assert set((lrn("regr.rpart") >> po("nop")).ids()) == {"regr_rpart", "nop"}
