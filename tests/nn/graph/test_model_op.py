"""torch_model_classif / torch_model_regr inside GraphLearners, as the docs write them."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

import jupytorch as jt
from jupytorch import lrn, msr, nn, po, rsmp, t_clbk, t_loss, t_opt, tsk
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.nn.learners.torch_model import LearnerTorchModel


def api_graph(epochs=10, batch_size=16):
    # as documented (iris instead of the flattened MNIST: tabular tasks)
    graph = (po("torch_ingress_num") >> nn("linear", out_features=10) >> nn("relu") >> nn("head"))
    graph = graph >> po("torch_loss", t_loss("cross_entropy")) \
                  >> po("torch_optimizer", t_opt("adamw", lr=0.001)) \
                  >> po("torch_model_classif", epochs=epochs, batch_size=batch_size)
    return graph


def test_api_graph_trains_on_iris():
    task = tsk("iris")
    glrn = jt.as_learner(api_graph())
    glrn.train(task)
    trained = glrn.model["torch_model_classif"]
    assert isinstance(trained, LearnerTorchModel)
    assert trained.model.epochs == 10
    assert isinstance(trained.model.network, torch.nn.Module)
    prediction = glrn.predict(task)
    assert len(prediction.response) == 150 and set(prediction.response) <= set(task.class_names)
    assert glrn.graph.pipeops["head"].edge_label("output") == "(None, 3)"


def test_predict_type_prob_reaches_the_model_op():
    task = tsk("iris")
    glrn = jt.as_learner(api_graph(epochs=1, batch_size=50))
    assert glrn.predict_types == ["response", "prob"]
    glrn.predict_type = "prob"
    glrn.train(task)
    prob = glrn.predict(task).prob
    assert prob.shape == (150, 3)
    assert np.allclose(prob.sum(axis=1), 1.0)


def test_learning_and_validation_through_set_validate():
    task = tsk("iris")
    graph = (po("torch_ingress_num") >> nn("linear", out_features=16) >> nn("relu") >> nn("head")
             >> po("torch_optimizer", t_opt("adamw", lr=0.05)) >> po("torch_callbacks", t_clbk("history"))
             >> po("torch_model_classif", epochs=30, batch_size=16, seed=1, measures_valid=msr("classif.acc")))
    glrn = jt.as_learner(graph)
    jt.set_validate(glrn, 0.3)
    assert glrn.graph.pipeops["torch_model_classif"].learner.validate == "predefined"
    glrn.train(task)
    history = glrn.model["torch_model_classif"].model.callbacks["history"]
    assert len(history) == 30 and "valid.classif.acc" in history.columns
    assert glrn.internal_valid_scores["torch_model_classif.classif.acc"] > 0.8
    assert glrn.predict(task).score(msr("classif.acc")) > 0.8


def test_early_stopping_reports_the_best_epoch():
    graph = (po("torch_ingress_num") >> nn("head")
             >> po("torch_model_classif", epochs=20, batch_size=50, seed=1, patience=2,
                   measures_valid=msr("classif.logloss")))
    glrn = jt.as_learner(graph)
    jt.set_validate(glrn, 0.3)
    glrn.train(tsk("iris"))
    tuned = glrn.internal_tuned_values
    assert set(tuned) == {"torch_model_classif__epochs"} and 1 <= tuned["torch_model_classif__epochs"] <= 20


def test_regression_on_mtcars_with_residual_blocks():
    residual = [nn("linear_1"), nn("linear_2") >> nn("relu")] >> nn("merge_sum")   # as documented
    blocks = nn("block", residual, n_blocks=5)                                      # as documented
    graph = (po("scale") >> po("torch_ingress_num") >> nn("linear", out_features=8) >> blocks >> nn("head")
             >> po("torch_model_regr", epochs=3, batch_size=8, seed=1))
    glrn = jt.as_learner(graph)
    glrn.param_set.set_values(block__linear_1__out_features=8, block__linear_2__out_features=8)
    glrn.train(tsk("mtcars"))
    network = glrn.model["torch_model_regr"].model.network
    linears = [k for k, m in network.modules_by_id.items() if isinstance(m, torch.nn.Linear)]
    assert len(linears) == 1 + 5 * 2 + 1
    assert glrn.predict(tsk("mtcars")).response.shape == (32,)


def test_tokenizers_and_merge_cat_on_california_housing():
    task = tsk("california_housing").filter(range(400))
    path_num = po("torch_ingress_num") >> nn("tokenizer_num", d_token=8)
    path_categ = po("torch_ingress_categ") >> nn("tokenizer_categ", d_token=8)
    graph = (po("imputemedian") >> [path_num, path_categ] >> nn("merge_cat", dim=1) >> nn("ft_cls")
             >> nn("ft_transformer_block", attention_n_heads=2, is_first_layer=True)
             >> nn("ft_transformer_block_2", attention_n_heads=2, query_idx=-1)
             >> nn("flatten") >> nn("layer_norm", dims=1) >> nn("relu") >> nn("head")
             >> po("torch_model_regr", epochs=1, batch_size=128, seed=1))
    glrn = jt.as_learner(graph)
    glrn.train(task)
    assert glrn.graph.pipeops["merge_cat"].edge_label("output") == "(None, 9, 8)"
    prediction = glrn.predict(task)
    assert np.isfinite(prediction.response).all()


def test_resample_and_benchmark_of_a_graph_learner():
    task = tsk("mtcars")
    graph = po("scale") >> po("torch_ingress_num") >> nn("linear", out_features=8) >> nn("relu") >> nn("head") \
        >> po("torch_model_regr", epochs=2, batch_size=8, seed=1)
    glrn = jt.as_learner(graph)
    rr = jt.resample(task, glrn, rsmp("cv", folds=3))
    assert np.isfinite(rr.aggregate(msr("regr.rmse")))
    design = jt.benchmark_grid(task, [glrn, lrn("regr.rpart")], rsmp("holdout"))
    table = jt.benchmark(design).aggregate(msr("regr.mse"))
    assert len(table) == 2 and np.isfinite(table["regr.mse"]).all()


def test_trained_graph_learner_pickles_with_identical_predictions(iris):
    glrn = jt.as_learner(api_graph(epochs=1, batch_size=50))
    glrn.predict_type = "prob"
    glrn.train(iris)
    clone = pickle.loads(pickle.dumps(glrn))
    assert np.array_equal(clone.predict(iris).prob, glrn.predict(iris).prob)


def test_task_type_must_match(mtcars):
    graph = po("torch_ingress_num") >> nn("head") >> po("torch_model_classif", epochs=1, batch_size=8)
    with pytest.raises(InvalidParameterError, match="torch_model_regr"):
        graph.train(mtcars)


def test_training_parameters_are_required(iris):
    graph = po("torch_ingress_num") >> nn("head") >> po("torch_model_classif")
    with pytest.raises(InvalidParameterError, match="epochs"):
        graph.train(iris)
    assert "loss__reduction" not in po("torch_model_classif").param_set  # the loss comes from torch_loss


def test_branching_between_layers_with_ppl_branch(iris):
    # documented: jt.ppl("branch", {"relu": nn("relu"), "sigmoid": nn("sigmoid")}) with parameter branch__selection
    graph = (po("torch_ingress_num") >> nn("linear", out_features=4)
             >> jt.ppl("branch", {"relu": nn("relu"), "sigmoid": nn("sigmoid")}) >> nn("head")
             >> po("torch_model_classif", epochs=1, batch_size=50, seed=1))
    glrn = jt.as_learner(graph)
    glrn.param_set.set_values(branch__selection="sigmoid")
    glrn.train(iris)
    network = glrn.model["torch_model_classif"].model.network
    assert list(network.modules_by_id) == ["linear", "sigmoid", "head"]
    assert len(glrn.predict_newdata(iris.data(rows=[0, 1], cols=iris.feature_names)).response) == 2


def test_seed_draws_the_initial_weights_of_graph_built_layers():
    import jupytorch as jt
    from jupytorch import nn, po, tsk

    def trained(seed, epochs=0):
        graph = (po("torch_ingress_num") >> nn("linear", out_features=8) >> nn("relu") >> nn("head")
                 >> po("torch_model_regr", epochs=epochs, batch_size=8, seed=seed))
        return jt.as_learner(graph).train(tsk("mtcars")).predict(tsk("mtcars")).response.to_numpy()

    a, b, c = trained(1), trained(1), trained(2)
    assert (a == b).all()  # epochs=0: the predictions of the initial weights
    assert not (a == c).all()
    assert (trained(1, epochs=2) == trained(1, epochs=2)).all()


def test_as_learner_of_a_layer_graph_without_model_op_suggests_torch_model():
    import pytest

    import jupytorch as jt
    from jupytorch import nn, po
    from jupytorch.pipelines.channels import GraphError

    with pytest.raises(GraphError, match=r"carries a ModelDescriptor.*po\('torch_model_classif'.*po\('torch_model_regr'"):
        jt.as_learner(po("torch_ingress_num") >> nn("linear", out_features=1))


def test_predict_type_at_construction_and_in_as_learner():
    import numpy as np

    import jupytorch as jt
    from jupytorch import nn, po

    def graph(**kwargs):
        return (po("torch_ingress_num") >> nn("linear", out_features=8) >> nn("relu") >> nn("head")
                >> po("torch_model_classif", epochs=1, batch_size=16, seed=1, **kwargs))

    iris = jt.tsk("iris")
    learner = jt.as_learner(graph(predict_type="prob")).train(iris)
    assert learner.predict_type == "prob"
    assert np.allclose(learner.predict(iris).prob.sum(axis=1), 1.0)
    other = jt.as_learner(graph(), predict_type="prob").train(iris)
    assert other.predict(iris).prob is not None
