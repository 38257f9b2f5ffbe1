"""Merge layers (jupytorch/nn/layers/merge.py): nn("merge_sum"), nn("merge_prod"), nn("merge_cat")."""

from __future__ import annotations

import torch

from jupytorch import nn, po, tsk
from jupytorch.nn.layers.merge import MergeCat, MergeProd, MergeSum
from jupytorch.nn.model_descriptor import model_descriptor_to_module

from ..conftest import fails_to_build
from .conftest import check_shape_case, layer_keys, shape_cases

CASES = [
    ("merge_sum", lambda: nn("merge_sum"), [(None, 4), (None, 4)], (None, 4)),
    ("merge_sum_broadcast", lambda: nn("merge_sum"), [(None, 4), (None, 1), (None, 4)], (None, 4)),
    ("merge_prod", lambda: nn("merge_prod"), [(None, 2, 4), (None, 1, 4)], (None, 2, 4)),
    ("merge_cat", lambda: nn("merge_cat"), [(None, 3), (None, 5)], (None, 8)),
    ("merge_cat_dim1", lambda: nn("merge_cat", dim=1), [(None, 3, 4), (None, 2, 4)], (None, 5, 4)),
]


@shape_cases(CASES)
def test_inferred_shape_matches_the_real_module(factory, shapes, expected, iris):
    check_shape_case(factory, shapes, expected, iris)


def test_every_merge_layer_has_a_shape_case():
    assert layer_keys("merge") <= {c[0] for c in CASES}


def test_merge_sum_of_shapes_that_do_not_broadcast(iris):
    message = fails_to_build(nn("merge_sum"), [(None, 10), (None, 20)], iris, "merge_sum")
    assert "(None, 10)" in message and "(None, 20)" in message


def test_merge_cat_needs_equal_other_dimensions(iris):
    message = fails_to_build(nn("merge_cat", dim=-1), [(None, 3, 4), (None, 2, 4)], iris, "merge_cat")
    assert "dimension 1 differs" in message


def test_merge_cat_needs_one_number_of_dimensions_and_not_the_batch(iris):
    fails_to_build(nn("merge_cat"), [(None, 3), (None, 4, 2)], iris, "same number of dimensions")
    fails_to_build(nn("merge_cat", dim=0), [(None, 3), (None, 4)], iris, "dim=0 must name a dimension after the batch")
    fails_to_build(nn("merge_cat", dim=2), [(None, 3), (None, 4)], iris, "dim=2 must name a dimension")


def test_merge_cat_of_an_unknown_size_is_unknown():
    assert nn("merge_cat").shapes_out([(None, None), (None, 4)]) == [(None, None)]
    assert nn("merge_cat", dim=1).shapes_out([(None, 2, None), (None, 3, 5)]) == [(None, 5, 5)]


def test_modules_sum_multiply_and_concatenate():
    a, b, c = torch.randn(2, 3), torch.randn(2, 3), torch.randn(2, 1)
    assert torch.allclose(MergeSum()(a, b, c), a + b + c)
    assert torch.allclose(MergeProd()(a, b, c), a * b * c)
    assert torch.equal(MergeCat(dim=1)(a, c), torch.cat([a, c], dim=1))
    assert repr(MergeCat(dim=-1)) == "MergeCat(dim=-1)"


def test_any_number_of_inputs_or_innum_named_ones():
    assert [c.name for c in nn("merge_cat").input_channels] == ["..."]
    assert [c.name for c in nn("merge_sum", innum=2).input_channels] == ["input1", "input2"]
    assert [c.name for c in nn("merge_prod", innum=3).input_channels] == ["input1", "input2", "input3"]


def test_paths_merged_in_a_graph_sum_in_the_network():
    paths = [nn("linear_1", out_features=2), nn("linear_2", out_features=2)]
    graph = po("torch_ingress_num") >> paths >> nn("merge_sum")
    md = graph.train(tsk("iris"))[0]
    net = model_descriptor_to_module(md)
    first, second = net.modules_by_id["linear_1"], net.modules_by_id["linear_2"]
    x = torch.randn(3, 4)
    assert torch.allclose(net(x), first(x) + second(x))
