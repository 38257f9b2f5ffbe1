"""``classif.module`` / ``regr.module``: train your own ``torch.nn.Module`` class as a learner."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.signature import accepts, params_from_signature
from jupytorch.core.task import FEATURE_TYPES
from jupytorch.nn.ingress import TorchIngressToken, ingress_num
from jupytorch.nn.learners._given_tokens import LearnerTorchGivenTokens
from jupytorch.nn.params import torch_learner_params

__all__ = ["LearnerTorchModule", "classif_module", "regr_module"]


def _check_tokens(tokens: Any, owner: str) -> dict[str, TorchIngressToken]:
    if tokens is None:
        return {"x": ingress_num()}
    if isinstance(tokens, TorchIngressToken):
        return {"x": tokens}
    if not isinstance(tokens, Mapping) or not tokens or not all(isinstance(t, TorchIngressToken) for t in tokens.values()):
        raise InvalidParameterError(
            f"{owner}: ingress_tokens must be a dict input name -> ingress token, e.g. {{'x': jt.ingress_num()}}; got "
            f"{tokens!r}."
        )
    return {str(k): v for k, v in tokens.items()}


class LearnerTorchModule(LearnerTorchGivenTokens):
    """A learner around a network class you write (mlr3torch's ``LearnerTorchModule``).

    The network is ``module_generator(**params)``, where ``params`` are the generator's own
    arguments, exposed as learner parameters (e.g. ``latent_dim``); an argument named ``task``
    receives the training task. Its ``forward`` takes the ingress tensors: one input
    positionally, several as keyword arguments named by the ``ingress_tokens`` keys. The output
    follows :mod:`jupytorch.nn.encode` (binary: 1 logit; multiclass: K; regression: 1).

    Parameters
    ----------
    task_type : {"classif", "regr"}
    module_generator : type or callable
        A ``torch.nn.Module`` subclass or a function returning a module.
    ingress_tokens : dict of str to TorchIngressToken, optional
        Default ``{"x": jt.ingress_num()}``.
    loss, optimizer, callbacks
        See :class:`LearnerTorch`.
    feature_types : iterable of str, optional
        Default: every feature type.
    id : str, optional
        Default ``"<task_type>.module"``.

    Examples
    --------
    >>> import torch, jupytorch as jt
    >>> class TwoLayer(torch.nn.Module):
    ...     def __init__(self, task, latent_dim: int = 16):
    ...         super().__init__()
    ...         self.net = torch.nn.Sequential(torch.nn.Linear(task.n_features, latent_dim), torch.nn.ReLU(),
    ...                                        torch.nn.Linear(latent_dim, 1))
    ...     def forward(self, x):
    ...         return self.net(x)
    >>> learner = jt.lrn("regr.module", module_generator=TwoLayer, ingress_tokens={"x": jt.ingress_num()}, latent_dim=8)
    >>> learner.param_set.values["latent_dim"]
    8
    """

    def __init__(self, task_type: str, module_generator: Callable[..., torch.nn.Module],
                 ingress_tokens: Mapping[str, TorchIngressToken] | None = None, loss: Any = None, optimizer: Any = None,
                 callbacks: Any = (), feature_types: Iterable[str] | None = None, id: str | None = None):
        owner = f"Learner {id or task_type + '.module'!r}"
        if not callable(module_generator):
            raise InvalidParameterError(f"{owner}: module_generator must be a torch.nn.Module class or a function.")
        self.module_generator = module_generator
        self.ingress = _check_tokens(ingress_tokens, owner)
        params = params_from_signature(module_generator, exclude=("task",))
        clash = set(params.ids()) & set(torch_learner_params().ids())
        if clash:
            raise InvalidParameterError(
                f"{owner}: module_generator arguments {sorted(clash)} clash with torch learner parameters; rename them."
            )
        self._module_param_ids = params.ids()
        super().__init__(id or f"{task_type}.module", task_type, loss=loss, optimizer=optimizer, callbacks=callbacks,
                         param_set=params, feature_types=feature_types or FEATURE_TYPES,
                         label=f"Module {getattr(module_generator, '__name__', 'network')}")

    def _init_config(self) -> dict[str, Any]:
        from jupytorch.core.imports import object_path
        from jupytorch.nn._safe import NotSafeError

        path = object_path(self.module_generator)
        if "<" in path:
            raise NotSafeError(f"module_generator {path} is a local class or function")
        return {**super()._init_config(), "module_generator": path}

    def _network(self, task: Any, param_vals: dict[str, Any]) -> torch.nn.Module:
        args = {k: param_vals[k] for k in self._module_param_ids if k in param_vals}
        if accepts(self.module_generator, "task"):
            args["task"] = task
        network = self.module_generator(**args)
        if not isinstance(network, torch.nn.Module):
            raise InvalidParameterError(
                f"Learner {self.id!r}: module_generator returned a {type(network).__name__}, not a torch.nn.Module."
            )
        return network


def classif_module(module_generator: Callable[..., torch.nn.Module], ingress_tokens: Any = None, loss: Any = None,
                   optimizer: Any = None, callbacks: Any = (), feature_types: Any = None) -> LearnerTorchModule:
    """``lrn("classif.module", module_generator=..., ingress_tokens=...)``."""
    return LearnerTorchModule("classif", module_generator, ingress_tokens, loss, optimizer, callbacks, feature_types)


def regr_module(module_generator: Callable[..., torch.nn.Module], ingress_tokens: Any = None, loss: Any = None,
                optimizer: Any = None, callbacks: Any = (), feature_types: Any = None) -> LearnerTorchModule:
    """``lrn("regr.module", module_generator=..., ingress_tokens=...)``."""
    return LearnerTorchModule("regr", module_generator, ingress_tokens, loss, optimizer, callbacks, feature_types)
