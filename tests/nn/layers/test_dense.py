"""Dense and structural layers (jupytorch/nn/layers/dense.py): nn("linear"), nn("head"), nn("identity"), nn("fn")."""

from __future__ import annotations

import pytest
import torch

from jupytorch import nn
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.nn.layers.dense import FunctionModule

from .conftest import built_module, check_shape_case, layer_keys, shape_cases


def last_token(x, dim=1):
    return x.select(dim, -1)


CASES = [
    ("linear", lambda: nn("linear", out_features=5), [(None, 7)], (None, 5)),
    ("linear_3d", lambda: nn("linear", out_features=5), [(None, 4, 7)], (None, 4, 5)),
    ("linear_unknown_middle", lambda: nn("linear", out_features=5), [(None, None, 7)], (None, None, 5)),
    ("head", lambda: nn("head"), [(None, 7)], (None, 3)),
    ("identity", lambda: nn("identity"), [(None, 3, 4)], (None, 3, 4)),
    ("fn", lambda: nn("fn", fn=last_token), [(None, 3, 4)], (None, 4)),
]


@shape_cases(CASES)
def test_inferred_shape_matches_the_real_module(factory, shapes, expected, iris):
    check_shape_case(factory, shapes, expected, iris)


def test_every_dense_layer_has_a_shape_case():
    assert layer_keys("dense") <= {c[0] for c in CASES}


def test_head_output_follows_the_task(iris, mtcars, task_binary):
    for task, width in ((iris, 3), (mtcars, 1), (task_binary, 1)):
        assert nn("head").shapes_out((None, 8), task=task) == [(None, width)]


def test_head_needs_the_task():
    with pytest.raises(InvalidParameterError, match="needs the task"):
        nn("head").shapes_out((None, 8))


def test_head_and_linear_read_in_features_from_the_input(iris):
    head = built_module(nn("head", bias=False), [(None, 7)], iris)
    assert isinstance(head, torch.nn.Linear) and (head.in_features, head.out_features) == (7, 3) and head.bias is None
    linear = built_module(nn("linear", out_features=2), [(None, 4, 6)])
    assert (linear.in_features, linear.out_features) == (6, 2)
    assert set(nn("linear").param_set.ids()) == {"out_features", "bias"}


def test_identity_has_no_parameters_and_passes_the_input_on():
    module = built_module(nn("identity"), [(None, 3)])
    x = torch.randn(2, 3)
    assert module(x) is x
    assert nn("identity").param_set.ids() == []


def test_fn_keyword_arguments_become_parameters():
    op = nn("fn", fn=last_token, dim=2)
    assert op.param_set.ids() == ["dim"] and op.param_set.values == {"dim": 2}  # x, the tensor, is not a parameter
    assert op.shapes_out((None, 3, 4)) == [(None, 3)]
    module = built_module(op, [(None, 3, 4)])
    x = torch.randn(2, 3, 4)
    assert torch.equal(module(x), x[:, :, -1])
    assert repr(module) == "FunctionModule(last_token, dim=2)"


def test_fn_must_be_callable():
    with pytest.raises(InvalidParameterError, match="fn must be a function of a tensor, got int"):
        nn("fn", fn=3)


def test_function_module_passes_its_keyword_arguments():
    module = FunctionModule(torch.clamp, min=0.0)
    assert module(torch.tensor([-1.0, 2.0])).tolist() == [0.0, 2.0]
    assert list(module.parameters()) == []
