"""Ingress PipeOps: Task -> ModelDescriptor in train, Task passes in predict."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import jupytorch as jt
from jupytorch import nn, po
from jupytorch.core.exceptions import TaskError
from jupytorch.nn.shapes import ShapeError


@pytest.fixture
def mixed():
    frame = pd.DataFrame({
        "x": [1.0, 2.0, 3.0, 4.0], "k": np.array([1, 2, 3, 4], dtype=np.int64),
        "f": pd.Categorical(["a", "b", "a", "c"]), "l": [True, False, True, True], "y": [0.1, 0.2, 0.3, 0.4],
    })
    return jt.as_task_regr(frame, target="y", id="mixed")


def test_num_takes_numeric_and_integer_features(mixed):
    op = po("torch_ingress_num")
    md = op.train([mixed])[0]
    token = md.ingress["torch_ingress_num.input"]
    assert token.features == ["x", "k"] and md.pointer_shape == (None, 2)
    assert op.state["features"] == ["x", "k"]
    assert op.edge_label("output") == "(None, 2)"
    assert op.predict([mixed])[0] is mixed


def test_categ_takes_factor_and_logical_features_with_cardinalities(mixed):
    md = po("torch_ingress_categ").train([mixed])[0]
    token = md.ingress["torch_ingress_categ.input"]
    assert token.features == ["f", "l"] and md.pointer_shape == (None, 2)
    assert token.cardinalities == [4, 3]  # levels + the index for missing / unseen
    codes = token.get(mixed.data(cols=token.features))
    assert codes.dtype == torch.int64 and codes[:, 0].tolist() == [0, 1, 0, 2]


def test_select_false_refuses_other_feature_types(mixed):
    with pytest.raises(TaskError, match="select=False"):
        po("torch_ingress_num", select=False).train([mixed])
    only_num = po("select", selector=jt.selector_type(["numeric", "integer"])).train([mixed])[0]
    assert po("torch_ingress_num", select=False).train([only_num])[0].pointer_shape == (None, 2)


def test_no_features_of_the_type(iris):
    with pytest.raises(TaskError, match="no categorical features"):
        po("torch_ingress_categ").train([iris])


def test_ltnsr_infers_or_checks_the_shape():
    images = torch.randn(12, 1, 5, 5)
    frame = pd.DataFrame({"image": jt.as_lazy_tensor(images), "y": pd.Categorical(["a", "b"] * 6)})
    task = jt.as_task_classif(frame, target="y", id="tiny_images")
    md = po("torch_ingress_ltnsr").train([task])[0]
    assert md.pointer_shape == (None, 1, 5, 5)
    assert po("torch_ingress_ltnsr", shape=(None, 1, 5, 5)).train([task])[0].pointer_shape == (None, 1, 5, 5)
    with pytest.raises(ShapeError, match=r"does not fit"):
        po("torch_ingress_ltnsr", shape=(None, 3, 5, 5)).train([task])
    graph = (po("torch_ingress_ltnsr") >> nn("conv2d", out_channels=2, kernel_size=3) >> nn("flatten") >> nn("head")
             >> po("torch_model_classif", epochs=1, batch_size=4, seed=1))
    learner = jt.as_learner(graph).train(task)
    assert len(learner.predict(task).response) == 12


def test_ltnsr_needs_exactly_one_lazy_feature(iris):
    with pytest.raises(TaskError, match="exactly one lazy-tensor feature"):
        po("torch_ingress_ltnsr").train([iris])
