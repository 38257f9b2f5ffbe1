"""``classif.torch_model`` / ``regr.torch_model``: train a network object you already built.

This is the learner behind ``po("torch_model_classif")`` / ``po("torch_model_regr")``: the
graph builds the network (``nn_graph``) and the ingress tokens from a ModelDescriptor and hands
them, with the descriptor's loss, optimizer and callbacks, to :class:`LearnerTorchModel`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.task import FEATURE_TYPES
from jupytorch.nn.ingress import TorchIngressToken
from jupytorch.nn.learners._given_tokens import LearnerTorchGivenTokens

__all__ = ["LearnerTorchModel", "classif_torch_model", "regr_torch_model"]


class LearnerTorchModel(LearnerTorchGivenTokens):
    """A learner that trains a given network.

    Each ``train()`` starts from a copy of ``network`` as given (so repeated trainings, e.g. in
    resampling, start from the same weights).

    Parameters
    ----------
    network : torch.nn.Module
        The network. With one ingress token its ``forward`` gets that tensor as its only
        positional argument; with several, keyword arguments named by the ``ingress_tokens`` keys
        (names need not be identifiers: ``forward(**inputs)`` receives them).
    ingress_tokens : dict of str to TorchIngressToken
        Which task columns feed which input (``jt.ingress_num()``, ``jt.ingress_categ()``,
        ``jt.ingress_ltnsr()``, or tokens already bound to a task).
    task_type : {"classif", "regr"}
    loss, optimizer, callbacks
        See :class:`LearnerTorch` (default loss: cross_entropy / mse; optimizer: adam).
    id : str, optional
        Default ``"<task_type>.torch_model"``.
    feature_types : iterable of str, optional
        Default: every feature type.
    properties : iterable of str
        Extra learner properties.
    label : str

    Examples
    --------
    >>> import torch, jupytorch as jt
    >>> net = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    >>> learner = LearnerTorchModel(net, {"x": jt.ingress_num()}, "classif", optimizer=jt.t_opt("adamw", lr=0.01))
    >>> learner.id, learner.param_set.values["opt__lr"]
    ('classif.torch_model', 0.01)
    """

    def __init__(self, network: torch.nn.Module, ingress_tokens: Mapping[str, TorchIngressToken], task_type: str,
                 loss: Any = None, optimizer: Any = None, callbacks: Any = (), id: str | None = None,
                 feature_types: Iterable[str] | None = None, properties: Iterable[str] = (), label: str = ""):
        owner = f"Learner {id or task_type + '.torch_model'!r}"
        if not isinstance(network, torch.nn.Module):
            raise InvalidParameterError(f"{owner}: network must be a torch.nn.Module object, got {type(network).__name__}.")
        if not isinstance(ingress_tokens, Mapping) or not ingress_tokens or not all(
            isinstance(t, TorchIngressToken) for t in ingress_tokens.values()
        ):
            raise InvalidParameterError(
                f"{owner}: ingress_tokens must be a non-empty dict input name -> TorchIngressToken, got {ingress_tokens!r}."
            )
        self.network_stored = network
        self.ingress = {str(k): v for k, v in ingress_tokens.items()}
        super().__init__(id or f"{task_type}.torch_model", task_type, loss=loss, optimizer=optimizer,
                         callbacks=callbacks, feature_types=feature_types or FEATURE_TYPES, properties=properties,
                         label=label or "Torch Model")

    def _init_config(self) -> dict[str, Any]:
        from jupytorch.nn._safe import module_to_safe

        return {**super()._init_config(), "network": module_to_safe(self.network_stored),
                "properties": sorted(self.properties), "label": self.label}

    def _network(self, task: Any, param_vals: dict[str, Any]) -> torch.nn.Module:
        return copy.deepcopy(self.network_stored)


def classif_torch_model(network: torch.nn.Module, ingress_tokens: Mapping[str, TorchIngressToken], loss: Any = None,
                        optimizer: Any = None, callbacks: Any = ()) -> LearnerTorchModel:
    """``lrn("classif.torch_model", network=..., ingress_tokens=...)``."""
    return LearnerTorchModel(network, ingress_tokens, "classif", loss=loss, optimizer=optimizer, callbacks=callbacks)


def regr_torch_model(network: torch.nn.Module, ingress_tokens: Mapping[str, TorchIngressToken], loss: Any = None,
                     optimizer: Any = None, callbacks: Any = ()) -> LearnerTorchModel:
    """``lrn("regr.torch_model", network=..., ingress_tokens=...)``."""
    return LearnerTorchModel(network, ingress_tokens, "regr", loss=loss, optimizer=optimizer, callbacks=callbacks)
