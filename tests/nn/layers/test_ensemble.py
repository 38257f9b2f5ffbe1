"""The layers of TabM (jupytorch/nn/layers/ensemble.py): nn("ensemble_view"), nn("linear_batch_ensemble"),
nn("linear_ensemble"), nn("ensemble_mean"), and the mean of the members' losses.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from jupytorch import nn
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.nn.encode import encode_output
from jupytorch.nn.layers.ensemble import (
    EnsembleLoss,
    EnsembleView,
    LinearBatchEnsemble,
    LinearEnsemble,
    is_ensemble,
)

from ..conftest import fails_to_build
from .conftest import built_module, check_shape_case, layer_keys, shape_cases

CASES = [
    ("ensemble_view", lambda: nn("ensemble_view", k=5), [(None, 4)], (None, 5, 4)),
    ("linear_batch_ensemble", lambda: nn("linear_batch_ensemble", out_features=6), [(None, 5, 4)], (None, 5, 6)),
    ("linear_ensemble", lambda: nn("linear_ensemble"), [(None, 5, 4)], (None, 5, 3)),  # iris: 3 logits
    ("ensemble_mean", lambda: nn("ensemble_mean"), [(None, 5, 4)], (None, 4)),
]


@shape_cases(CASES)
def test_inferred_shape_matches_the_real_module(factory, shapes, expected, iris):
    check_shape_case(factory, shapes, expected, iris)


def test_every_ensemble_layer_has_a_shape_case():
    assert layer_keys("ensemble") <= {c[0] for c in CASES}


def test_members_are_trained_on_their_own_losses_and_averaged():
    out = torch.tensor([[[0.0], [2.0]], [[1.0], [5.0]]])   # 2 rows, 2 members
    y = torch.tensor([[1.0], [3.0]])
    member_losses = [torch.nn.functional.mse_loss(out[:, i], y) for i in range(2)]
    assert torch.isclose(EnsembleLoss(torch.nn.MSELoss())(out, y), torch.stack(member_losses).mean())
    assert encode_output(out, "regr")["response"].tolist() == [1.0, 3.0]
    logits = torch.tensor([[[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]]])
    prob = encode_output(logits, "classif", ["a", "b", "c"])["prob"]
    expected = (torch.softmax(logits[0, 0], 0) + torch.softmax(logits[0, 1], 0)) / 2
    assert np.allclose(prob[0], expected.numpy())


def test_batch_ensemble_layer_formula():
    torch.manual_seed(0)
    layer = LinearBatchEnsemble(3, 2, k=4, scaling_init="normal")
    with torch.no_grad():
        layer.s.normal_()
        layer.bias.normal_()
    x = torch.randn(5, 4, 3)
    want = torch.stack([((x[:, i] * layer.r[i]) @ layer.weight) * layer.s[i] + layer.bias[i] for i in range(4)], 1)
    assert torch.allclose(layer(x), want, atol=1e-6)


def test_batch_ensemble_starts_as_one_shared_layer():
    layer = LinearBatchEnsemble(3, 2, k=4)  # scaling_init="ones": every member starts with the same function
    x = torch.randn(5, 3).unsqueeze(1).expand(-1, 4, -1)
    out = layer(x)
    assert torch.allclose(out, out[:, :1].expand(-1, 4, -1))
    signs = LinearBatchEnsemble(3, 2, k=4, scaling_init="random-signs", bias=False)
    assert set(signs.r.detach().unique().tolist()) <= {-1.0, 1.0} and signs.bias is None


def test_linear_ensemble_members_are_independent_layers():
    torch.manual_seed(0)
    layer = LinearEnsemble(3, 2, k=4)
    x = torch.randn(5, 4, 3)
    want = torch.stack([x[:, i] @ layer.weight[i] + layer.bias[i] for i in range(4)], 1)
    assert torch.allclose(layer(x), want, atol=1e-6)
    assert is_ensemble(torch.nn.Sequential(torch.nn.Linear(3, 3), layer)) and not is_ensemble(torch.nn.Linear(3, 1))


def test_linear_ensemble_outputs_follow_the_task_unless_given(iris, mtcars):
    assert nn("linear_ensemble").shapes_out((None, 4, 3), task=mtcars) == [(None, 4, 1)]
    assert nn("linear_ensemble", out_features=7).shapes_out((None, 4, 3), task=iris) == [(None, 4, 7)]
    with pytest.raises(InvalidParameterError, match="needs out_features or the task"):
        nn("linear_ensemble").shapes_out((None, 4, 3))
    module = built_module(nn("linear_ensemble"), [(None, 4, 3)], iris)
    assert module.weight.shape == (4, 3, 3)


def test_view_and_mean_add_and_remove_the_member_dimension():
    x = torch.randn(2, 5)
    view = EnsembleView(3)
    assert torch.equal(view(x), x[:, None].expand(-1, 3, -1))
    members = torch.randn(2, 3, 5)
    assert view(members) is members  # already one row per member
    mean = built_module(nn("ensemble_mean"), [(None, 3, 5)])
    assert torch.allclose(mean(members), members.mean(dim=1))


def test_ensemble_layers_need_the_member_dimension(iris):
    fails_to_build(nn("ensemble_view", k=3), [(None, 4, 3)], iris, r"\(batch, features\)")
    fails_to_build(nn("ensemble_mean"), [(None, 4)], iris, r"\(batch, k, features\)")
    fails_to_build(nn("linear_batch_ensemble", out_features=2), [(None, None, 3)], iris, "k: members")


def test_other_losses_pass_through_ensemble_loss():
    loss = EnsembleLoss(torch.nn.MSELoss())
    out, y = torch.tensor([[1.0], [3.0]]), torch.tensor([[2.0], [2.0]])
    assert float(loss(out, y)) == 1.0  # an output without members
