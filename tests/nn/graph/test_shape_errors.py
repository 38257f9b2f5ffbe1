"""Shape mismatches fail when the graph is built, before training, naming the PipeOp and the shapes.

The checks of one layer module (merge, reshape, tokenizers...) are tested in tests/nn/layers.
"""

from __future__ import annotations

import pytest

import jupytorch as jt
from jupytorch import nn, po
from jupytorch.nn.shapes import ShapeError

from ..conftest import fails_to_build


def test_conv_on_tabular_input_names_the_pipeop_the_shape_and_the_need(iris):
    message = fails_to_build(nn("conv2d", out_channels=4, kernel_size=3), [(None, 4)], iris, "conv2d")
    assert "PipeOp 'conv2d' (nn_conv2d)" in message
    assert "(None, 4)" in message
    assert "4 dimensions" in message and "(batch, channels, height, width)" in message


def test_kernel_larger_than_the_input(iris):
    message = fails_to_build(nn("max_pool2d", kernel_size=5), [(None, 3, 4, 4)], iris, "max_pool2d")
    assert "(None, 3, 4, 4)" in message
    message = fails_to_build(nn("conv1d", out_channels=2, kernel_size=7), [(None, 1, 5)], iris, "conv1d")
    assert "(None, 1, 5)" in message


def test_layers_that_read_sizes_need_them_known(iris):
    message = fails_to_build(nn("linear", out_features=3), [(None, None)], iris, "linear")
    assert "in_features" in message
    fails_to_build(nn("batch_norm2d"), [(None, 3, 4)], iris, "4 dimensions")
    fails_to_build(nn("layer_norm", dims=3), [(None, 3, 4)], iris, "dims=3")
    fails_to_build(nn("squeeze", dim=1), [(None, 3, 4)], iris, "size 3")
    fails_to_build(nn("reglu"), [(None, 5)], iris, "even")


def test_bad_constructor_arguments_name_the_pipeop(iris):
    message = fails_to_build(nn("conv2d", out_channels=4, kernel_size=3, groups=2), [(None, 3, 8, 8)], iris, "conv2d")
    assert "groups" in message
    fails_to_build(nn("transformer_encoder_layer", nhead=3), [(None, 5, 8)], iris, "transformer_encoder_layer")


def test_mismatch_fails_in_graph_learner_train_before_the_model_is_trained(iris):
    graph = (po("torch_ingress_num") >> nn("conv2d", out_channels=4, kernel_size=3) >> nn("flatten") >> nn("head")
             >> po("torch_model_classif", epochs=1, batch_size=16))
    learner = jt.as_learner(graph)
    with pytest.raises(ShapeError, match=r"PipeOp 'conv2d' \(nn_conv2d\).*\(None, 4\)") as info:
        learner.train(iris)
    assert any("conv2d" in note for note in getattr(info.value, "__notes__", []))
    assert learner.graph.pipeops["torch_model_classif"].state is None
    assert not learner.is_trained


def test_network_output_is_checked_against_the_task_before_training():
    from jupytorch import tsk

    seven = jt.as_learner(po("torch_ingress_num") >> nn("linear", out_features=7)
                          >> po("torch_model_classif", epochs=1, batch_size=16))
    with pytest.raises(ShapeError, match=r"ends in layer 'linear' with output shape \(None, 7\).*'iris' \(3 classes\) "
                                         r"needs \(None, 3\).*nn\('head'\)"):
        seven.train(tsk("iris"))
    assert seven.state is None or not seven.is_trained


def test_feature_map_into_linear_without_flatten_is_named():
    import numpy as np
    import pandas as pd

    images = np.random.default_rng(0).random((12, 1, 8, 8), dtype=np.float32)
    frame = pd.DataFrame({"y": pd.Categorical(["a", "b"] * 6), "x": jt.as_lazy_tensor(images)})
    task = jt.as_task_classif(frame, target="y", id="tiny_images")
    graph = (po("torch_ingress_ltnsr") >> nn("conv2d", out_channels=2, kernel_size=3) >> nn("linear", out_features=2)
             >> po("torch_model_classif", epochs=1, batch_size=4))
    with pytest.raises(ShapeError, match=r"output shape \(None, 2, 6, 2\).*add nn\('flatten'\)"):
        jt.as_learner(graph).train(task)
