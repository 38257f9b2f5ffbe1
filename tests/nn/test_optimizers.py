"""Optimizers: parameters from signatures, fused/foreach choice, param groups."""

from __future__ import annotations

import pytest
import torch

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError

from .conftest import make_classif, mlp


@pytest.mark.parametrize("key, cls", [("adam", torch.optim.Adam), ("adamw", torch.optim.AdamW), ("sgd", torch.optim.SGD),
                                      ("rmsprop", torch.optim.RMSprop), ("adagrad", torch.optim.Adagrad)])
def test_builtin_optimizers_build_their_class(key, cls):
    opt = jt.t_opt(key, lr=0.05)
    built = opt.generate(network=torch.nn.Linear(3, 2), device=torch.device("cpu"))
    assert type(built) is cls and built.param_groups[0]["lr"] == 0.05
    assert not {"params", "foreach", "fused", "differentiable"} & set(opt.param_set.ids())


def test_optimizer_params_come_from_the_signature():
    adam = jt.t_opt("adam")
    assert {"lr", "betas", "eps", "weight_decay", "amsgrad"} <= set(adam.param_set.ids())
    assert adam.param_set["lr"].default == 0.001
    assert jt.t_opt("adamw").param_set["weight_decay"].default == 0.01
    with pytest.raises(InvalidParameterError, match="'lr' must be a number in \\[0, inf\\]"):
        adam.configure(lr=-1.0)
    with pytest.raises(InvalidParameterError, match="'amsgrad' must be True or False"):
        adam.configure(amsgrad="yes")


def test_fused_kernels_where_torch_has_them():
    cpu = torch.device("cpu")
    assert jt.t_opt("adam").implementation(cpu) == {"fused": True}
    assert jt.t_opt("rmsprop").implementation(cpu) == {}
    assert jt.t_opt("rmsprop").implementation(torch.device("cuda")) == {"foreach": True}
    built = jt.t_opt("adamw").generate(network=torch.nn.Linear(2, 2), device=cpu)
    assert built.defaults["fused"] is True


def test_opt_params_are_exposed_on_the_learner_and_used():
    learner = mlp(optimizer=jt.t_opt("sgd", lr=0.1), opt__momentum=0.9, epochs=1)
    assert learner.param_set.values["opt__lr"] == 0.1
    learner.train(make_classif())
    group = learner.model.optimizer["param_groups"][0]
    assert group["lr"] == 0.1 and group["momentum"] == 0.9


def test_as_torch_optimizer_and_param_groups():
    nadam = jt.as_torch_optimizer(torch.optim.NAdam)
    assert nadam.id == "nadam" and "momentum_decay" in nadam.param_set.ids()
    with pytest.raises(InvalidParameterError, match="not an instance"):
        jt.as_torch_optimizer(torch.optim.SGD(torch.nn.Linear(1, 1).parameters()))
    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 1))
    groups = lambda network: [{"params": network[0].parameters(), "lr": 0.5}, {"params": network[1].parameters()}]
    built = jt.t_opt("adam", lr=0.01, param_groups=groups).generate(network=net, device=torch.device("cpu"))
    assert [g["lr"] for g in built.param_groups] == [0.5, 0.01]
