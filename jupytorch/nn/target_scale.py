"""Regression targets on their own scale: ``scale_target=True`` on regression torch learners.

Networks train badly on raw targets such as house prices in dollars (an MSE near 1e10). With
``scale_target=True`` the learner computes the mean and standard deviation of the training
target, trains the network on ``(y - mean) / sd`` and turns its outputs back into the target's
units, so predictions, validation measures and saved learners all speak the original scale:

* :func:`scale_output` makes the network return ``output * sd + mean`` (the two numbers are
  buffers of the network, saved with the weights; a forward hook applies them, so the network
  keeps its class and parameter names);
* the loss is wrapped in :class:`ScaledTargetLoss`, which compares ``(output - mean) / sd`` with
  ``(y - mean) / sd``: the gradients are those of training on the standardized target, and the
  reported losses are in standardized units.

The pipeline form for any regression graph is ``ppl("targettrafo", graph)``
(:mod:`jupytorch.pipelines.targettrafo`).

Examples
--------
>>> import torch
>>> loss = ScaledTargetLoss(torch.nn.MSELoss(), mean=200_000.0, sd=100_000.0)
>>> y = torch.tensor([[300_000.0]])
>>> float(loss(torch.tensor([[300_000.0]]), y)), float(loss(torch.tensor([[200_000.0]]), y))
(0.0, 1.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["ScaledTargetLoss", "is_target_scaled", "scale_output", "target_moments"]


def target_moments(task: Any) -> tuple[float, float]:
    """Mean and standard deviation (ddof 0; 1 when constant) of the target of ``task``'s active rows.

    Examples
    --------
    >>> import jupytorch as jt
    >>> mean, sd = target_moments(jt.tsk("mtcars"))
    >>> round(mean, 2), round(sd, 2)
    (20.09, 5.93)
    """
    truth = np.asarray(task.truth(), dtype=np.float64)
    truth = truth[np.isfinite(truth)]
    if truth.size == 0:
        return 0.0, 1.0
    sd = float(truth.std())
    return float(truth.mean()), sd if sd > 0 else 1.0


def _destandardize(module: torch.nn.Module, inputs: Any, output: Any) -> Any:
    return output * module.target_sd + module.target_mean


def scale_output(network: torch.nn.Module, mean: float = 0.0, sd: float = 1.0) -> torch.nn.Module:
    """Make ``network`` answer in the target's units: its output times ``sd`` plus ``mean``.

    The two numbers become buffers of the network (``target_mean``, ``target_sd``: saved with
    the weights) and a forward hook applies them, so the network keeps its class, its parameter
    names and its indexing (``network[0]``). Returns the network.

    Examples
    --------
    >>> net = scale_output(torch.nn.Sequential(torch.nn.Identity()), mean=10.0, sd=2.0)
    >>> net(torch.tensor([[1.0]])).tolist(), is_target_scaled(net), list(net.state_dict())
    ([[12.0]], True, ['target_mean', 'target_sd'])
    """
    if is_target_scaled(network):
        network.get_buffer("target_mean").fill_(float(mean))
        network.get_buffer("target_sd").fill_(float(sd))
        return network
    network.register_buffer("target_mean", torch.tensor(float(mean)))
    network.register_buffer("target_sd", torch.tensor(float(sd)))
    network.register_forward_hook(_destandardize)
    return network


def is_target_scaled(network: Any) -> bool:
    """Whether :func:`scale_output` made ``network`` answer in the target's units.

    Examples
    --------
    >>> is_target_scaled(torch.nn.Linear(2, 1))
    False
    """
    hooks = getattr(network, "_forward_hooks", None) or {}
    return any(hook is _destandardize for hook in hooks.values()) and hasattr(network, "target_mean")


class ScaledTargetLoss(torch.nn.Module):
    """``loss`` on standardized outputs and targets: ``loss((out - mean) / sd, (y - mean) / sd)``.

    Examples
    --------
    >>> loss = ScaledTargetLoss(torch.nn.MSELoss(), mean=0.0, sd=10.0)
    >>> float(loss(torch.tensor([[10.0]]), torch.tensor([[0.0]])))
    1.0
    """

    def __init__(self, loss: Any, mean: float, sd: float):
        super().__init__()
        self.loss = loss
        self.mean = float(mean)
        self.sd = float(sd)

    def forward(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.loss((output - self.mean) / self.sd, (target - self.mean) / self.sd)
