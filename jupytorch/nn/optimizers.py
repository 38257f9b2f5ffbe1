"""Optimizers for torch learners: ``TorchOptimizer``, ``t_opt``, ``t_opts``, ``as_torch_optimizer``.

Built-in keys: ``adam``, ``adamw``, ``sgd``, ``rmsprop``, ``adagrad`` (the ``torch.optim``
classes). Their arguments are parameters (``opt__lr``, ``opt__weight_decay``, ``opt__betas``...);
the implementation switches are not: jupytorch asks for torch's fused kernels where the class and
the device have them (``fused=True``; CUDA and, in recent torch, CPU) and for the ``foreach``
implementation on CUDA otherwise, falling back to torch's default when torch refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamDbl, ParamSet, ParamUty
from jupytorch.core.registry import registry
from jupytorch.core.signature import accepts, params_from_signature
from jupytorch.nn.descriptor import TorchDescriptor

__all__ = ["TorchOptimizer", "as_torch_optimizer", "t_opt", "t_opts"]

_IMPLEMENTATION = ("params", "foreach", "fused", "capturable", "differentiable")


def _param_groups_check(value: Any) -> bool | str:
    return callable(value) or "a function network -> parameters or parameter groups"


class TorchOptimizer(TorchDescriptor):
    """An optimizer: a ``torch.optim.Optimizer`` class and the ParamSet of its arguments.

    Besides the class's own arguments there is ``param_groups``: a function that receives the
    network and returns its parameters or a list of parameter-group dicts (for example a smaller
    learning rate for a pretrained backbone).

    Parameters
    ----------
    generator : type
        A ``torch.optim.Optimizer`` subclass (or a callable with the same signature).
    id : str, optional
    param_set : ParamSet, optional
        Default: read from the signature, leaving out ``params`` and the implementation switches.
    label : str
    key : str, optional
        Registry key (set by ``t_opt``).

    Examples
    --------
    >>> import torch
    >>> opt = TorchOptimizer(torch.optim.Adamax, id="adamax").configure(lr=0.01)
    >>> net = torch.nn.Linear(2, 1)
    >>> type(opt.generate(network=net, device=torch.device("cpu"))).__name__
    'Adamax'
    """

    kind = "TorchOptimizer"

    def __init__(
        self,
        generator: Callable[..., Any],
        id: str | None = None,
        param_set: ParamSet | None = None,
        label: str = "",
        key: str | None = None,
    ):
        if param_set is None:
            param_set = params_from_signature(generator, exclude=_IMPLEMENTATION)
        if "param_groups" not in param_set.params:
            param_set.add("param_groups", ParamUty(None, tags={"train"}, custom_check=_param_groups_check))
        super().__init__(generator, id=id or generator.__name__.lower(), param_set=param_set, label=label, key=key)

    def implementation(self, device: torch.device) -> dict[str, bool]:
        """The implementation switches used on ``device``: ``{"fused": True}``, ``{"foreach": True}`` or ``{}``."""
        if accepts(self.generator, "fused") and device.type in _fused_devices():
            return {"fused": True}
        if accepts(self.generator, "foreach") and device.type == "cuda":
            return {"foreach": True}
        return {}

    def generate(self, param_values: dict[str, Any] | None = None, **context: Any) -> torch.optim.Optimizer:
        """Build the optimizer for ``network=...`` on ``device=...`` (both in ``context``)."""
        network = context["network"]
        device = torch.device(context.get("device", "cpu"))
        values = self._call_values(param_values)
        groups = values.pop("param_groups", None)
        params = list(groups(network) if groups is not None else network.parameters())
        if not params:
            raise InvalidParameterError(f"TorchOptimizer {self.id!r}: the network has no parameters to optimize.")
        impl = self.implementation(device)
        if impl and not all(_floating(p) for p in _tensors(params)):
            impl = {}
        try:
            return self.generator(params, **values, **impl)
        except (RuntimeError, ValueError, TypeError):
            if not impl:
                raise
            return self.generator(params, **values)  # torch refused the fused / foreach kernels here


def _tensors(params: Iterable[Any]) -> Iterable[torch.Tensor]:
    for p in params:
        if isinstance(p, dict):
            yield from p.get("params", [])
        else:
            yield p


def _floating(p: Any) -> bool:
    return isinstance(p, torch.Tensor) and p.is_floating_point()


_FUSED: tuple[str, ...] | None = None


def _fused_devices() -> tuple[str, ...]:
    global _FUSED
    if _FUSED is None:
        try:
            from torch.utils._foreach_utils import _get_fused_kernels_supported_devices

            _FUSED = tuple(_get_fused_kernels_supported_devices())
        except Exception:  # noqa: BLE001 - an internal helper; without it, fused only on CUDA
            _FUSED = ("cuda",)
    return _FUSED


def _builtin(cls: type, key: str, label: str, lr_default: float | None = None) -> TorchOptimizer:
    specs = {}
    default_lr = lr_default
    if default_lr is None:
        import inspect

        default_lr = inspect.signature(cls).parameters["lr"].default
    specs["lr"] = ParamDbl(0, None, default=default_lr, tags={"train"})
    param_set = params_from_signature(cls, exclude=_IMPLEMENTATION, specs=specs)
    return TorchOptimizer(cls, id=key, param_set=param_set, label=label, key=key)


def _adam() -> TorchOptimizer:
    return _builtin(torch.optim.Adam, "adam", "Adaptive Moment Estimation")


def _adamw() -> TorchOptimizer:
    return _builtin(torch.optim.AdamW, "adamw", "Adam with decoupled weight decay")


def _sgd() -> TorchOptimizer:
    return _builtin(torch.optim.SGD, "sgd", "Stochastic Gradient Descent")


def _rmsprop() -> TorchOptimizer:
    return _builtin(torch.optim.RMSprop, "rmsprop", "Root Mean Square Propagation")


def _adagrad() -> TorchOptimizer:
    return _builtin(torch.optim.Adagrad, "adagrad", "Adaptive Gradient algorithm")


def t_opt(key: str, **params: Any) -> TorchOptimizer:
    """Return an optimizer from the registry, with parameter values set.

    Parameters
    ----------
    key : str
        ``"adam"``, ``"adamw"``, ``"sgd"``, ``"rmsprop"`` or ``"adagrad"`` (see ``t_opts()``).
    **params
        Parameter values, e.g. ``lr=0.01``.

    Examples
    --------
    >>> t_opt("adamw", lr=0.01).param_set.values
    {'lr': 0.01}
    """
    opt = registry("optimizer").get(key)
    return opt.configure(**params) if params else opt


def t_opts(keys: Iterable[str] | None = None) -> Any:
    """Return several optimizers, or with no keys a DataFrame listing the registry.

    Examples
    --------
    >>> "adamw" in set(t_opts()["key"])
    True
    """
    if keys is not None:
        return [t_opt(k) for k in keys]
    import pandas as pd

    reg = registry("optimizer")
    return pd.DataFrame([{"key": k, **reg.meta(k)} for k in reg])


def as_torch_optimizer(x: Any, id: str | None = None) -> TorchOptimizer:
    """Turn a key or a ``torch.optim.Optimizer`` class into a :class:`TorchOptimizer`.

    Examples
    --------
    >>> import torch
    >>> as_torch_optimizer(torch.optim.NAdam).param_set.values
    {}
    >>> "momentum_decay" in as_torch_optimizer(torch.optim.NAdam).param_set.ids()
    True
    """
    if isinstance(x, TorchOptimizer):
        return x
    if isinstance(x, str):
        return t_opt(x)
    if isinstance(x, type) and callable(x):
        return TorchOptimizer(x, id=id)
    raise InvalidParameterError(
        f"as_torch_optimizer: cannot make an optimizer from a {type(x).__name__}; give a key such as 'adam' or a "
        "torch.optim.Optimizer class (not an instance: the optimizer is built for the network at train time)."
    )
