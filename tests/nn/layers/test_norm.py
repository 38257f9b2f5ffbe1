"""Normalisation and regularisation layers (jupytorch/nn/layers/norm.py): nn("batch_norm1d") (2d, 3d),
nn("layer_norm"), nn("dropout").
"""

from __future__ import annotations

import torch

from jupytorch import nn

from ..conftest import fails_to_build
from .conftest import built_module, check_shape_case, layer_keys, shape_cases

CASES = [
    ("batch_norm1d", lambda: nn("batch_norm1d"), [(None, 5)], (None, 5)),
    ("batch_norm1d_3d", lambda: nn("batch_norm1d"), [(None, 5, 7)], (None, 5, 7)),
    ("batch_norm2d", lambda: nn("batch_norm2d", momentum=0.2), [(None, 3, 4, 4)], (None, 3, 4, 4)),
    ("batch_norm3d", lambda: nn("batch_norm3d"), [(None, 2, 3, 3, 3)], (None, 2, 3, 3, 3)),
    ("layer_norm", lambda: nn("layer_norm", dims=2), [(None, 3, 4)], (None, 3, 4)),
    ("dropout", lambda: nn("dropout", p=0.2), [(None, 3, 4)], (None, 3, 4)),
]


@shape_cases(CASES)
def test_inferred_shape_matches_the_real_module(factory, shapes, expected, iris):
    check_shape_case(factory, shapes, expected, iris)


def test_every_norm_layer_has_a_shape_case():
    assert layer_keys("norm") <= {c[0] for c in CASES}


def test_batch_norm_features_come_from_dimension_one(iris):
    module = built_module(nn("batch_norm1d", momentum=0.3), [(None, 5, 7)])
    assert type(module) is torch.nn.BatchNorm1d and module.num_features == 5 and module.momentum == 0.3
    assert built_module(nn("batch_norm3d"), [(None, 2, 3, 3, 3)]).num_features == 2
    assert "num_features" not in nn("batch_norm2d").param_set
    message = fails_to_build(nn("batch_norm1d"), [(None, 3, 4, 5)], iris, "batch_norm1d")
    assert "2 or 3 dimensions" in message


def test_layer_norm_normalises_the_last_dims_dimensions(iris):
    module = built_module(nn("layer_norm", dims=2, eps=1e-3, bias=False), [(None, 3, 4)])
    assert module.normalized_shape == (3, 4) and module.eps == 1e-3 and module.bias is None
    y = module(torch.randn(5, 3, 4) * 7 + 2)
    assert torch.allclose(y.mean(dim=(1, 2)), torch.zeros(5), atol=1e-5)
    assert built_module(nn("layer_norm", dims=1, elementwise_affine=False), [(None, 3, 4)]).weight is None
    message = fails_to_build(nn("layer_norm", dims=2), [(None, 4)], iris, "dims=2")
    assert "has only 1 besides the batch" in message
    message = fails_to_build(nn("layer_norm", dims=1), [(None, 3, None)], iris, "normalized_shape")
    assert "(None, 3, None)" in message


def test_dropout_is_off_in_evaluation():
    module = built_module(nn("dropout", p=0.5), [(None, 100)])
    x = torch.ones(4, 100)
    assert torch.equal(module.eval()(x), x)
    torch.manual_seed(0)
    dropped = module.train()(x)
    assert set(dropped.unique().tolist()) <= {0.0, 2.0} and (dropped == 0).any()
