"""Losses: registry, parameters read from signatures, class weights, custom losses in training."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError, UnknownKeyError

from .conftest import make_classif, make_regr, mlp


def test_registry_lists_the_builtin_losses():
    assert set(jt.t_losses()["key"]) == {"mse", "l1", "cross_entropy"}
    with pytest.raises(UnknownKeyError, match="Did you mean 'mse'"):
        jt.t_loss("mes")


def test_loss_params_come_from_the_signature():
    mse = jt.t_loss("mse")
    assert mse.param_set.ids() == ["reduction"]
    assert isinstance(mse.generate(), torch.nn.MSELoss)
    ce = jt.t_loss("cross_entropy")
    assert set(ce.param_set.ids()) == {"class_weight", "ignore_index", "reduction", "label_smoothing"}
    with pytest.raises(InvalidParameterError, match="'reduction' must be one of"):
        ce.configure(reduction="average")


def test_cross_entropy_depends_on_the_number_of_classes():
    binary, multi = make_classif(n_classes=2), make_classif(n_classes=3)
    assert isinstance(jt.t_loss("cross_entropy").generate(task=binary), torch.nn.BCEWithLogitsLoss)
    assert isinstance(jt.t_loss("cross_entropy").generate(task=multi), torch.nn.CrossEntropyLoss)


def test_class_weights_become_weight_or_pos_weight():
    multi = jt.t_loss("cross_entropy", class_weight=[1.0, 2.0, 3.0]).generate(task=make_classif(n_classes=3))
    assert multi.weight.tolist() == [1.0, 2.0, 3.0]
    binary = jt.t_loss("cross_entropy", class_weight=4.0).generate(task=make_classif(n_classes=2))
    assert binary.pos_weight.tolist() == [4.0]
    with pytest.raises(InvalidParameterError, match="one value per class"):
        jt.t_loss("cross_entropy", class_weight=[1.0, 2.0]).generate(task=make_classif(n_classes=3))
    with pytest.raises(InvalidParameterError, match="weight of the positive class"):
        jt.t_loss("cross_entropy", class_weight=[1.0, 2.0, 3.0]).generate(task=make_classif(n_classes=2))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_two_class_weight_vector_equals_weighted_cross_entropy(reduction):
    # class_weight follows task.class_names; the binary head's logit z is that of class_names[0]
    # (target 1), so the two-class softmax logits are [z, 0] and the class codes are 1 - y
    task = make_classif(n_classes=2)
    loss = jt.t_loss("cross_entropy", class_weight=[0.3, 2.5], reduction=reduction).generate(task=task)
    g = torch.Generator().manual_seed(0)
    z = torch.randn(50, 1, generator=g)
    y = (torch.rand(50, 1, generator=g) > 0.4).float()
    logits = torch.cat([z, torch.zeros_like(z)], dim=1)
    codes = (1 - y).long().reshape(-1)
    expected = torch.nn.functional.cross_entropy(logits, codes, weight=torch.tensor([0.3, 2.5]), reduction=reduction)
    assert torch.allclose(loss(z, y).reshape(expected.shape), expected, atol=1e-6)
    # not the pos_weight shortcut: a scalar weight is a different (unnormalised) loss
    if reduction == "mean":
        pos = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([0.3 / 2.5]))(z, y)
        assert not torch.allclose(pos, expected)


def test_class_weight_reaches_training_through_the_learner():
    task = make_classif(n_classes=3)
    learner = mlp(loss=jt.t_loss("cross_entropy"), loss__class_weight=[1.0, 1.0, 5.0], epochs=1)
    learner.train(task)
    assert learner.model.loss_fn.weight.tolist() == [1.0, 1.0, 5.0]


def test_a_regression_loss_on_a_classification_learner_is_refused():
    with pytest.raises(InvalidParameterError, match="'mse' is for \\['regr'\\] tasks"):
        jt.lrn("classif.mlp", loss=jt.t_loss("mse"))


class ScaledHuber(torch.nn.Module):
    def __init__(self, delta: float = 1.0, scale: float = 2.0):
        super().__init__()
        self.inner = torch.nn.HuberLoss(delta=delta)
        self.scale = scale

    def forward(self, y_hat, y):
        return self.scale * self.inner(y_hat, y)


def test_custom_loss_class_params_from_signature_and_used_in_training():
    loss = jt.as_torch_loss(ScaledHuber, task_types=("regr",))
    assert loss.id == "scaled_huber" and set(loss.param_set.ids()) == {"delta", "scale"}
    learner = mlp("regr", loss=loss, loss__scale=0.5)
    assert learner.param_set.values["loss__scale"] == 0.5
    learner.train(make_regr())
    assert isinstance(learner.model.loss_fn, ScaledHuber) and learner.model.loss_fn.scale == 0.5


def test_loss_objects_and_functions_are_accepted():
    from_object = jt.as_torch_loss(torch.nn.SmoothL1Loss(beta=0.5), task_types=("regr",))
    made = from_object.generate()
    assert isinstance(made, torch.nn.SmoothL1Loss) and made.beta == 0.5
    calls = []

    def l2(y_hat, y):
        calls.append(1)
        return ((y_hat - y) ** 2).mean()

    learner = mlp("regr", loss=jt.as_torch_loss(l2, task_types=("regr",)), epochs=1)
    learner.train(make_regr(n=64))
    assert len(calls) >= 2  # every batch (and the validation-free run has 2 batches of 32)
    assert np.isfinite(learner.predict(make_regr(n=64)).response).all()
