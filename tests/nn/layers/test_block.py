"""nn("block") (jupytorch/nn/layers/block.py): repeat a sub-graph, parameters nested as block__<layer id>__<param>."""

from __future__ import annotations

import pytest
import torch

import jupytorch as jt
from jupytorch import nn, po
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.nn.model_descriptor import model_descriptor_to_module
from jupytorch.pipelines.channels import GraphError

from .conftest import check_shape_case, layer_keys, shape_cases


def residual():
    return [nn("linear_1"), nn("linear_2") >> nn("relu")] >> nn("merge_sum")


def _block():
    return nn("block", nn("linear", out_features=4) >> nn("relu"), n_blocks=2)


CASES = [
    ("block", _block, [(None, 7)], (None, 4)),
]


@shape_cases(CASES)
def test_inferred_shape_matches_the_real_module(factory, shapes, expected, iris):
    check_shape_case(factory, shapes, expected, iris)


def test_every_block_layer_has_a_shape_case():
    assert layer_keys("block") <= {c[0] for c in CASES}


def test_block_parameters_are_nested_by_layer_id():
    block = nn("block", residual(), n_blocks=5)
    assert block.id == "block"
    assert {"n_blocks", "linear_1__out_features", "linear_2__out_features", "relu__inplace"} <= set(block.param_set.ids())
    graph = po("torch_ingress_num") >> block
    graph.param_set.set_values(block__linear_1__out_features=6, block__linear_2__out_features=6)
    assert block.param_set.values == {"n_blocks": 5}  # the graph holds its own copy
    assert graph.pipeops["block"].block.pipeops["linear_1"].param_set.values == {"out_features": 6}


def test_each_repetition_has_its_own_modules(iris):
    graph = po("torch_ingress_num") >> nn("block", residual(), n_blocks=3, linear_1__out_features=4,
                                          linear_2__out_features=4)
    md = graph.train(iris)[0]
    assert md.pointer == ("block_3_merge_sum", "output") and md.pointer_shape == (None, 4)
    assert graph.pipeops["block"].edge_label("output") == "(None, 4)"
    net = model_descriptor_to_module(md)
    linears = [m for m in net.modules_by_id.values() if isinstance(m, torch.nn.Linear)]
    assert len(linears) == 6 and len({id(m) for m in linears}) == 6
    assert linears[0].in_features == 4 and linears[2].in_features == 4
    assert net(torch.randn(5, 4)).shape == (5, 4)


def test_zero_blocks_pass_the_input_on(iris):
    md = (po("torch_ingress_num") >> nn("block", nn("linear", out_features=3), n_blocks=0)).train(iris)[0]
    assert md.pointer == ("torch_ingress_num", "output")


def test_trafo_varies_the_parameters_per_repetition(iris):
    def widen(i, values, param_set):
        return {**values, "linear__out_features": values["linear__out_features"] * i}

    block = nn("block", nn("linear") >> nn("relu"), n_blocks=3, trafo=widen, linear__out_features=2)
    md = (po("torch_ingress_num") >> block).train(iris)[0]
    net = model_descriptor_to_module(md)
    assert [m.out_features for m in net.modules_by_id.values() if isinstance(m, torch.nn.Linear)] == [2, 4, 6]


def test_errors_name_the_repetition_and_the_layer(iris):
    block = nn("block", nn("conv1d", out_channels=2, kernel_size=3), n_blocks=2)
    with pytest.raises(Exception, match="conv1d") as info:
        (po("torch_ingress_num") >> block).train(iris)
    assert any("repetition 1 of block 'block'" in note for note in info.value.__notes__)


def test_a_block_holds_layers_with_one_output():
    with pytest.raises(GraphError, match="one free output"):
        nn("block", jt.gunion([nn("relu"), nn("tanh")]))
    with pytest.raises(GraphError, match="layer PipeOps"):
        nn("block", po("scale"))


def test_cloned_learners_keep_their_own_block_parameters(iris):
    graph = po("torch_ingress_num") >> nn("block", nn("linear") >> nn("relu"), n_blocks=1, linear__out_features=3)
    learner = jt.as_learner(graph >> nn("head") >> po("torch_model_classif", epochs=1, batch_size=50, seed=1))
    clone = learner.clone()
    clone.param_set.set_values(block__linear__out_features=5)
    assert learner.param_set.values["block__linear__out_features"] == 3
    clone.train(iris)
    widths = [m.out_features for m in clone.model["torch_model_classif"].model.network.modules_by_id.values()
              if isinstance(m, torch.nn.Linear)]
    assert widths == [5, 3]


def test_a_block_may_choose_between_layers_with_a_branch(iris):
    # the documented tuning example: block__branch__selection picks the activation of every repetition
    inner = nn("linear", out_features=4) >> jt.ppl("branch", {"relu": nn("relu"), "sigmoid": nn("sigmoid")})
    block = nn("block", inner, n_blocks=2, branch__selection="sigmoid")
    assert "branch__selection" in block.param_set.ids()
    md = (po("torch_ingress_num") >> block).train(iris)[0]
    net = model_descriptor_to_module(md)
    kinds = [type(m).__name__ for m in net.modules_by_id.values()]
    assert kinds.count("Sigmoid") == 2 and "ReLU" not in kinds
    assert net(torch.randn(3, 4)).shape == (3, 4)


def test_trafo_must_return_the_parameter_values(iris):
    block = nn("block", nn("linear", out_features=2), n_blocks=2, trafo=lambda i, values, param_set: None)
    with pytest.raises(InvalidParameterError, match="trafo must return the parameter values as a dict, got NoneType"):
        (po("torch_ingress_num") >> block).train(iris)
    with pytest.raises(InvalidParameterError, match="parameter 'trafo' must be a function"):
        nn("block", nn("linear", out_features=2), n_blocks=1, trafo=3)


def test_inner_layers_may_not_take_the_names_of_block_parameters():
    with pytest.raises(InvalidParameterError, match="an inner layer may not be called 'n_blocks'"):
        nn("block", nn("linear", id="n_blocks"))


def test_n_blocks_is_required_and_not_negative(iris):
    with pytest.raises(InvalidParameterError, match="n_blocks"):
        nn("block", nn("relu"), n_blocks=-1)
    with pytest.raises(InvalidParameterError, match="n_blocks"):
        (po("torch_ingress_num") >> nn("block", nn("relu"))).train(iris)
