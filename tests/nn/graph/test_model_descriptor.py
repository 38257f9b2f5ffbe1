"""ModelDescriptor: what the ingress and layer PipeOps build, and how paths are joined."""

from __future__ import annotations

import pytest
import torch

import jupytorch as jt
from jupytorch import nn, po, t_loss, t_opt
from jupytorch.core.exceptions import InvalidParameterError, TaskError
from jupytorch.nn.model_descriptor import (
    ModelDescriptor,
    model_descriptor_to_module,
    model_descriptor_union,
    union_tasks,
)


def test_train_before_the_model_op_gives_a_descriptor_with_the_pointer_shape(iris):
    graph = po("torch_ingress_num") >> nn("linear", out_features=10) >> nn("relu") >> nn("head")
    md = graph.train(iris)[0]
    assert isinstance(md, ModelDescriptor)
    assert md.pointer == ("head", "output") and md.pointer_shape == (None, 3)
    assert md.task is iris
    assert list(md.ingress) == ["torch_ingress_num.input"]
    assert md.ingress["torch_ingress_num.input"].features == iris.feature_names
    assert md.graph.ids() == ["torch_ingress_num", "linear", "relu", "head"]
    assert graph.pipeops["linear"].edge_label("output") == "(None, 10)"
    assert graph.pipeops["torch_ingress_num"].edge_label("output") == "(None, 4)"
    assert "Pointer: head.output (None, 3)" in repr(md)
    # predict passes the task through
    assert graph.predict(iris)[0] is iris


def test_the_descriptor_builds_a_working_network(iris):
    md = (po("torch_ingress_num") >> nn("linear", out_features=6) >> nn("head")).train(iris)[0]
    net = model_descriptor_to_module(md)
    x = md.ingress["torch_ingress_num.input"].get(iris.data(cols=iris.feature_names))
    assert net(x).shape == (150, 3)


def test_layer_training_does_not_change_the_incoming_descriptor(iris):
    md = po("torch_ingress_num").train([iris])[0]
    out = nn("linear", out_features=3).train([md])[0]
    assert md.graph.ids() == ["torch_ingress_num"] and md.pointer == ("torch_ingress_num", "output")
    assert out.graph.ids() == ["torch_ingress_num", "linear"]


def test_fan_out_and_fan_in_share_the_common_prefix(iris):
    graph = (po("torch_ingress_num") >> nn("linear", out_features=4)
             >> [nn("relu"), nn("tanh")] >> nn("merge_cat"))
    md = graph.train(iris)[0]
    assert md.pointer_shape == (None, 8)
    assert sorted(md.graph.ids()) == ["linear", "merge_cat", "relu", "tanh", "torch_ingress_num"]
    assert len(md.graph.edges) == 5
    net = model_descriptor_to_module(md)
    assert net(torch.randn(2, 4)).shape == (2, 8)


def test_union_merges_ingress_and_checks_loss_and_optimizer(iris):
    a = (po("torch_ingress_num") >> nn("linear_1", out_features=2)).train(iris)[0]
    b = (po("torch_ingress_num") >> nn("linear_2", out_features=2)).train(iris)[0]
    with pytest.raises(InvalidParameterError, match="torch_ingress_num"):
        model_descriptor_union(a, b)  # two different ingress nodes with the same id
    b = (po("torch_ingress_num_2") >> nn("linear_2", out_features=2)).train(iris)[0]
    u = model_descriptor_union(a, b)
    assert set(u.ingress) == {"torch_ingress_num.input", "torch_ingress_num_2.input"}
    assert u.pointer is None
    assert model_descriptor_union(a.replace(loss=t_loss("cross_entropy")), b).loss.id == "cross_entropy"
    with pytest.raises(InvalidParameterError, match="different optimizers"):
        model_descriptor_union(a.replace(optimizer=t_opt("adam")), b.replace(optimizer=t_opt("sgd")))


def test_union_of_differently_preprocessed_tasks(iris):
    scaled = po("scale").train([iris])[0]
    pca = po("pca", rank=2).train([iris])[0]
    task = union_tasks([pca, iris])
    assert task.feature_names == ["PC1", "PC2", *iris.feature_names]
    with pytest.raises(TaskError, match="different values"):
        union_tasks([scaled, iris])


def test_paths_with_different_preprocessing_join_and_predict(iris):
    path_a = po("pca", rank=2) >> po("torch_ingress_num") >> nn("linear_a", out_features=3)
    path_b = po("select", selector=jt.selector_name(["Petal.Length"])) >> po("torch_ingress_num_2") >> nn("linear_b", out_features=3)
    graph = [path_a, path_b] >> nn("merge_sum") >> nn("head") >> po("torch_model_classif", epochs=1, batch_size=50, seed=1)
    learner = jt.as_learner(graph)
    learner.train(iris)
    md_task = learner.model["torch_model_classif"].model.ingress_tokens
    assert {t.features[0] for t in md_task.values()} == {"PC1", "Petal.Length"}
    assert len(learner.predict(iris).response) == 150


def test_unused_paths_are_left_out_of_the_network(iris):
    md = (po("torch_ingress_num") >> nn("linear", out_features=3)).train(iris)[0]
    md2 = (po("torch_ingress_num_2") >> nn("linear_2", out_features=3)).train(iris)[0]
    union = model_descriptor_union(md, md2).replace(pointer=("linear", "output"), pointer_shape=(None, 3))
    net = model_descriptor_to_module(union)
    assert net.input_names == ["torch_ingress_num.input"]
    assert set(net.modules_by_id) == {"linear"}


def test_categorical_path_on_california_housing():
    task = jt.tsk("california_housing").filter(range(300))
    graph = po("imputemedian") >> [po("torch_ingress_num") >> nn("tokenizer_num", d_token=4),
                                   po("torch_ingress_categ") >> nn("tokenizer_categ", d_token=4)] >> nn("merge_cat", dim=1)
    md = graph.train(task)[0]
    assert md.pointer_shape == (None, 9, 4)
    token = md.ingress["torch_ingress_categ.input"]
    assert token.features == ["ocean_proximity"]
    net = model_descriptor_to_module(md)
    inputs = {name: tok.get(md.task.data(cols=tok.features)) for name, tok in md.ingress.items()}
    assert net(**inputs).shape == (300, 9, 4)
