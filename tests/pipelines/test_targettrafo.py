import numpy as np
import pytest

import jupytorch as jt
from jupytorch import lrn, po, ppl, tsk
from jupytorch.pipelines.channels import GraphError


def test_scale_trafo_standardizes_in_train_and_inverts_predictions():
    task = tsk("mtcars")
    graph = ppl("targettrafo", lrn("regr.featureless"))
    learner = jt.as_learner(graph).train(task)
    state = learner.model["targettrafoscale"]
    assert state["mean"] == pytest.approx(task.truth().mean())
    assert state["sd"] == pytest.approx(task.truth().std(ddof=0))
    prediction = learner.predict(task)
    # featureless predicts the mean of the standardized target (0): inverted, the mean in mpg
    assert np.allclose(prediction.response, task.truth().mean())
    assert np.allclose(prediction.truth, task.truth())   # the untransformed truth


def test_targetmutate_log_exp_round_trip():
    task = tsk("mtcars")
    graph = ppl("targettrafo", lrn("regr.rpart"), trafo_pipeop=po("targetmutate", trafo=np.log, inverter=np.exp))
    learner = jt.as_learner(graph).train(task)
    tree = learner.model["regr_rpart"]
    inner = tree.predict(po("targetmutate", trafo=np.log, inverter=np.exp).train([task])[1]).response
    assert np.allclose(learner.predict(task).response, np.exp(inner))


def test_internal_validation_task_is_transformed_too():
    task = tsk("mtcars")
    task.internal_valid_task = task.row_ids[:8]
    _, out = po("targettrafoscale").train([task])
    assert abs(out.internal_valid_task.truth().mean()) < 2   # standardized, not in mpg
    assert out.internal_valid_task.nrow == 8


def test_predicting_without_target_and_errors():
    with pytest.raises(GraphError, match="trafo_pipeop"):
        ppl("targettrafo", lrn("regr.rpart"), trafo_pipeop=po("scale"))
    with pytest.raises(Exception, match="expects a TaskRegr"):
        po("targettrafoscale").train([tsk("iris")])


def test_torch_learner_scale_target_matches_training_on_a_standardized_target():
    # scale_target=True trains exactly as on (y - mean) / sd and predicts in the target's units
    task = tsk("mtcars")
    args = {"neurons": (8,), "epochs": 3, "batch_size": 8, "seed": 3, "device": "cpu", "shuffle": False}
    scaled = jt.lrn("regr.mlp", scale_target=True, **args).train(task)
    graph = jt.as_learner(ppl("targettrafo", jt.lrn("regr.mlp", scale_target=False, **args))).train(task)
    assert np.allclose(scaled.predict(task).response, graph.predict(task).response, rtol=1e-4, atol=1e-3)
