"""torch_loss, torch_optimizer, torch_callbacks: attach to the descriptor; parameters are exposed."""

from __future__ import annotations

import pytest

import jupytorch as jt
from jupytorch import nn, po, t_clbk, t_loss, t_opt
from jupytorch.core.exceptions import InvalidParameterError


def _net():
    return po("torch_ingress_num") >> nn("linear", out_features=4) >> nn("relu") >> nn("head")


def test_config_ops_attach_copies_to_the_descriptor(iris):
    loss_op = po("torch_loss", t_loss("cross_entropy"))
    opt_op = po("torch_optimizer", t_opt("adamw", lr=0.001))
    cb_op = po("torch_callbacks", [t_clbk("history")])
    graph = _net() >> loss_op >> opt_op >> cb_op
    md = graph.train(iris)[0]
    assert md.loss.id == "cross_entropy" and md.optimizer.id == "adamw"
    assert md.optimizer.param_set.values["lr"] == 0.001
    assert list(md.callbacks) == ["history"]
    # later changes to the graph do not reach trained descriptors
    assert md.optimizer is not graph.pipeops["torch_optimizer"].optimizer
    assert graph.predict(iris)[0] is iris
    assert graph.pipeops["torch_optimizer"].state == {"optimizer": "adamw"}


def test_parameters_are_exposed_in_the_graph_and_reach_the_trained_learner(iris, tmp_path):
    graph = (_net() >> po("torch_loss", t_loss("cross_entropy")) >> po("torch_optimizer", t_opt("sgd"))
             >> po("torch_callbacks", t_clbk("checkpoint", path=tmp_path)) >> po("torch_model_classif", epochs=1, batch_size=32, seed=1))
    learner = jt.as_learner(graph)
    ps = learner.param_set
    assert {"torch_optimizer__lr", "torch_loss__label_smoothing", "torch_callbacks__checkpoint__freq",
            "torch_model_classif__epochs", "linear__out_features"} <= set(ps.ids())
    learner.param_set.set_values(torch_optimizer__lr=0.05, torch_loss__label_smoothing=0.1,
                                 torch_model_classif__epochs=2, torch_callbacks__checkpoint__freq=2)
    learner.train(iris)
    trained = learner.model["torch_model_classif"]
    values = trained.param_set.values
    assert values["opt__lr"] == 0.05 and values["loss__label_smoothing"] == 0.1 and values["epochs"] == 2
    assert values["cb__checkpoint__freq"] == 2
    assert trained.model.epochs == 2 and trained.optimizer.id == "sgd"


def test_loss_must_fit_the_task(mtcars):
    graph = po("torch_ingress_num") >> nn("head") >> po("torch_loss", t_loss("cross_entropy"))
    with pytest.raises(InvalidParameterError, match="regr"):
        graph.train(mtcars)


def test_callback_ids_must_be_unique(iris):
    graph = _net() >> po("torch_callbacks", t_clbk("history")) >> po("torch_callbacks_2", t_clbk("history"))
    with pytest.raises(InvalidParameterError, match="already has a callback 'history'"):
        graph.train(iris)
