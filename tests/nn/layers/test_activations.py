"""Activation layers (jupytorch/nn/layers/activations.py): one PipeOp per torch activation, and ReGLU / GeGLU."""

from __future__ import annotations

import pytest
import torch

from jupytorch import nn
from jupytorch.nn.layers.activations import ACTIVATIONS, GeGLU, ReGLU, class_name

from ..conftest import fails_to_build
from .conftest import built_module, check_shape_case, layer_keys, shape_cases

ACTIVATION_PARAMS = {"threshold": {"threshold": 0.1, "value": 0.0}, "prelu": {"num_parameters": 1}}
HALVING = {"glu", "reglu", "geglu"}
CASES = [(key, lambda k=key: nn(k, **ACTIVATION_PARAMS.get(k, {})), [(None, 6)],
          (None, 3) if key in HALVING else (None, 6))
         for key in ("elu", "hardshrink", "hardsigmoid", "hardtanh", "leaky_relu", "log_sigmoid", "prelu", "relu",
                     "relu6", "rrelu", "selu", "celu", "gelu", "sigmoid", "softplus", "softshrink", "softsign", "tanh",
                     "tanhshrink", "threshold", "glu", "reglu", "geglu", "softmax")]


@shape_cases(CASES)
def test_inferred_shape_matches_the_real_module(factory, shapes, expected, iris):
    check_shape_case(factory, shapes, expected, iris)


def test_every_activation_has_a_shape_case():
    assert layer_keys("activations") == set(ACTIVATIONS) <= {c[0] for c in CASES}


def test_each_layer_wraps_the_torch_class_of_its_key():
    for key, (cls, _, _) in ACTIVATIONS.items():
        op = nn(key, **ACTIVATION_PARAMS.get(key, {}))
        assert type(op).__name__ == class_name(key) and op.id == key
        assert type(built_module(op, [(None, 6)])) is cls


def test_gated_units_multiply_one_half_by_the_activated_other():
    x = torch.randn(4, 3, 8)
    a, b = x[..., :4], x[..., 4:]
    assert torch.allclose(ReGLU()(x), a * torch.relu(b))
    assert torch.allclose(GeGLU()(x), a * torch.nn.functional.gelu(b))
    for unit in (ReGLU(), GeGLU()):
        with pytest.raises(ValueError, match="even last dimension, got 5"):
            unit(torch.zeros(2, 5))


def test_softmax_normalises_the_last_dimension_by_default():
    op = nn("softmax")
    assert op.param_set.default["dim"] == -1
    module = built_module(op, [(None, 3, 4)])
    assert torch.allclose(module(torch.randn(2, 3, 4)).sum(dim=-1), torch.ones(2, 3))
    rows = built_module(nn("softmax", dim=1), [(None, 3, 4)])(torch.randn(2, 3, 4))
    assert torch.allclose(rows.sum(dim=1), torch.ones(2, 4))


def test_prelu_parameters_must_match_the_channels(iris):
    assert built_module(nn("prelu", num_parameters=6), [(None, 6)]).weight.shape == (6,)
    fails_to_build(nn("prelu", num_parameters=3), [(None, 6)], iris, "parameter numbers = 3 and channel size = 6")
